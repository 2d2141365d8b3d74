from django.conf import settings
from django.db import models


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token. Only a digest is stored: the token itself is shown once, when it is made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “release pipeline”.")
    prefix = models.CharField(max_length=16, help_text="The token's first characters, to recognise it.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the token")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ReportSnapshot(models.Model):
    """The figures of one dashboard (report, previous period, trend, most adopted, searches) for one scope
    and period, computed in the background (portal.reports.snapshot_compute) so that a dashboard request
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
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "start", "end"], name="report_snapshot_scope_period")
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.start}–{self.end}"
