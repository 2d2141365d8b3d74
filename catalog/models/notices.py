"""What the owners of a project are owed about the catalog's assets its code uses (the Code Consumers
pattern, issue 18): a notice per owner, asset, consuming project and event, sent in one digest a day
(catalog.services.notices)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models.assets import Asset
from catalog.models.notifications import Notification
from catalog.models.projects import Project


class ConsumerDigest(models.Model):
    """The one digest a person is sent on a day, with its lines as sent (shown under its notification)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    # [{"text": "ledger-client: 3 releases behind, 2.1.0 → 2.4.0 (used by Billing)", "url": "/catalog/…"}]
    lines = models.JSONField(default=list, blank=True)
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="consumer_digest"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="consumer_digest_one_a_day")]

    def __str__(self) -> str:
        return f"digest of {self.day} for {self.user}"


class ConsumerNotice(models.Model):
    """Something an owner of `consumer` is to be told about `asset`, which the consumer's code uses: a
    release (`subject` is its version), or the asset's project deprecated or archived. Unique: recording
    the same event again (a re-sync, a webhook and a sync) tells no one twice."""

    class Kind(models.TextChoices):
        RELEASE = "release", "New release"
        DEPRECATED = "deprecated", "Deprecated"
        ARCHIVED = "archived", "Archived"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")
    consumer = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    subject = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when a digest run dealt with it: `digest` is the digest that told it, None when there was
    # nothing left to tell (the consumer upgraded, stopped using the asset, or its owner lost the role).
    handled_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        ConsumerDigest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notices"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "asset", "consumer", "kind", "subject"], name="consumer_notice_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(handled_at__isnull=True), name="consumer_notice_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject} of {self.asset} for {self.user}"
