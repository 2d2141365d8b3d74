"""The radar of re-built wheels (catalog.radar): groups of projects and assets that look like one job
built more than once, what the program office decided about them, and when they were computed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from catalog.models.assets import Asset
from catalog.models.projects import Project


class DuplicateRun(models.Model):
    """One computation of the radar: in full (nightly, or by the duplicates_radar command) or of the
    clusters touching changed projects."""

    finished_at = models.DateTimeField(default=timezone.now, db_index=True)
    full = models.BooleanField(default=True)
    entries = models.IntegerField(default=0, help_text="entries compared")
    clusters = models.IntegerField(default=0, help_text="clusters written")
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-finished_at", "-pk"]

    def __str__(self) -> str:
        return f"{'full' if self.full else 'incremental'} run of {self.finished_at:%Y-%m-%d %H:%M}"


class DuplicateDismissal(models.Model):
    """The program office said these entries are not duplicates: a cluster of these entries (or of
    some of them) is not shown again; one that a new entry joined is, saying so."""

    # The radar's keys of the entries ("p<project id>", "a<asset id>"), which outlive the index rows.
    member_keys = models.JSONField(default=list)
    names = models.CharField(max_length=500, default="", blank=True, help_text="as they were named")
    reason = models.TextField(default="", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"not duplicates: {self.names}"


class DuplicateCluster(models.Model):
    """Projects and assets that look like one job built more than once, as the last run found them."""

    # The members' keys, hashed: the same members give the same key from one run to the next, which
    # the page's actions and the owners' notices name.
    key = models.CharField(max_length=64, unique=True)
    similarity = models.FloatField(default=0.0, help_text="mean cosine of the members' pairs, 0 to 1")
    business_units = models.IntegerField(default=1, help_text="distinct business units of its members")
    evidence = models.CharField(max_length=500, default="", blank=True)
    renamed = models.BooleanField(default=False, help_text="holds a renamed copy")
    computed_at = models.DateTimeField(default=timezone.now)
    # Marked "not duplicates" (these members or more); null while it waits for a decision.
    dismissal = models.ForeignKey(
        DuplicateDismissal, null=True, blank=True, on_delete=models.SET_NULL, related_name="clusters"
    )
    # A smaller set of these members was marked "not duplicates": the cluster is back because others joined.
    reopens = models.ForeignKey(
        DuplicateDismissal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"cluster {self.key[:8]} ({self.similarity})"


class DuplicateMember(models.Model):
    """One entry of a cluster: a project's own entry (asset null) or one of its assets'."""

    cluster = models.ForeignKey(DuplicateCluster, on_delete=models.CASCADE, related_name="members")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=24)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["project"], name="duplicatemember_project")]

    def __str__(self) -> str:
        return self.key


class DuplicateNotice(models.Model):
    """The owners of a cluster's projects were told ("you may want to talk"): once a cluster and day."""

    cluster_key = models.CharField(max_length=64)
    sent_on = models.DateField(default=timezone.localdate)
    sent_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients = models.IntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["cluster_key", "sent_on"], name="duplicatenotice_once_a_day")
        ]

    def __str__(self) -> str:
        return f"owners told of {self.cluster_key[:8]} on {self.sent_on}"
