"""Where each repository's sync stands, the webhook deliveries waiting, and the manifests the sync read."""

from django.db import models
from django.utils import timezone

from catalog.models import Forge, Repository


class SyncState(models.Model):
    """Where the incremental sync of one repository stands, and how it last went."""

    repository = models.OneToOneField(Repository, on_delete=models.CASCADE, related_name="sync_state")
    cursors = models.JSONField(
        default=dict, blank=True, help_text="per endpoint: the last `since` / `updated_after`"
    )
    etags = models.JSONField(
        default=dict, blank=True, help_text="per request URL: the ETag of its last answer"
    )
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_request_count = models.IntegerField(default=0)
    consecutive_failures = models.IntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="rate limited or backing off until"
    )

    def __str__(self) -> str:
        return f"sync of {self.repository}"


class WebhookDelivery(models.Model):
    """A webhook as it arrived; processed by a task. The delivery id makes redeliveries no-ops."""

    forge = models.CharField(max_length=10, choices=Forge.choices)
    delivery_id = models.CharField(max_length=100)
    event = models.CharField(max_length=50)
    action = models.CharField(max_length=50, blank=True)
    repository = models.ForeignKey(
        Repository, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["forge", "delivery_id"], name="unique_delivery")]
        # The pending sweep reads only unprocessed deliveries, a handful among all ever received.
        indexes = [
            models.Index(
                fields=["received_at"], condition=models.Q(processed_at__isnull=True), name="webhook_pending"
            )
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.forge} {self.event} {self.delivery_id}"


class ManifestFile(models.Model):
    """A dependency manifest of a repository's default branch (metrics.manifests reads which files are
    ones) with the dependencies it declares, as the sync last read it. `blob_sha` is the git blob id the
    listing showed: the file is read again only when it changes (metrics.sync.manifest_scan). A file
    that could not be read keeps why in `error`, and no dependencies."""

    repository = models.ForeignKey(Repository, on_delete=models.CASCADE, related_name="manifest_files")
    # Bounded so that the unique index stays within PostgreSQL's key size; longer paths are not read.
    path = models.CharField(max_length=400)
    blob_sha = models.CharField(max_length=64, default="")
    # [{"purl": ..., "version": ..., "line": ...}] in the order the file writes them (metrics.manifests).
    dependencies = models.JSONField(default=list, blank=True)
    error = models.TextField(default="", blank=True)
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "path"], name="unique_manifest_path"),
        ]

    def __str__(self) -> str:
        return self.path
