"""The dashboards' snapshots computed ahead, and the program office's costs behind the value of reuse."""

from django.conf import settings
from django.db import models


class ReportSnapshot(models.Model):
    """The figures of one dashboard (report, previous period, trend, most adopted, searches) for one scope
    and period, computed in the background (metrics.snapshots.snapshot_compute) so that a dashboard request
    reads one row instead of scanning activity.

    `data` is null while the first computation is pending. `refreshing_since` marks a computation
    queued and not finished: it is set by a conditional UPDATE, so concurrent requests queue it once."""

    scope_key = models.CharField(max_length=100, help_text="program, unit:<id> or project:<id>, + hidden set")
    start = models.DateField()
    end = models.DateField(help_text="Exclusive")
    params = models.JSONField(default=dict, help_text="What the task needs to recompute it: see ReportScope")
    data = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True, help_text="When the computation started")
    refreshing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when the model lived in the portal app (metrics 0007).
        db_table = "portal_reportsnapshot"
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "start", "end"], name="report_snapshot_scope_period")
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.start}–{self.end}"


class ReuseValueSettings(models.Model):
    """The program office's figures behind the value of reuse in money (metrics.value): what an
    engineer-day costs and what the program itself costs a year. One row (pk 1), changed on the
    "Value of reuse" settings page (metrics.services.reuse_value_settings_update, audited)."""

    engineer_day_cost = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="fully loaded, per engineer-day"
    )
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217 code")
    program_yearly_cost = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="the program office's own yearly cost",
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "reuse value settings"

    def __str__(self) -> str:
        return "Value of reuse: settings"
