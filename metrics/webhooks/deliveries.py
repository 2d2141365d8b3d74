"""Processing of stored webhook deliveries: each one's activity written through the sync's upserts
(metrics.tasks runs it per delivery, and sweeps the ones whose task never ran). The views only store
and enqueue."""

import logging
from datetime import timedelta
from types import ModuleType

from django.db import transaction
from django.utils import timezone

from catalog.models import Forge
from metrics.models import WebhookDelivery
from metrics.services import activity_upsert
from metrics.webhooks import github, gitlab

logger = logging.getLogger(__name__)

FORGES: dict[str, ModuleType] = {Forge.GITHUB: github, Forge.GITLAB: gitlab}


# A delivery not processed this long after it arrived lost its task (broker down, worker killed before
# it acknowledged): the sweep processes it. Younger ones are most likely still queued.
PENDING_AFTER = timedelta(minutes=2)
PENDING_BATCH = 500


def deliveries_process_pending(*, now=None) -> int:
    """Process stored deliveries whose task never ran, oldest first, a bounded batch per call (the
    beat calls it every few minutes); the number processed. Failed ones (an error recorded) are left
    for a person to look at in the admin."""
    cutoff = (now or timezone.now()) - PENDING_AFTER
    pending = list(
        WebhookDelivery.objects.filter(processed_at__isnull=True, error="", received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:PENDING_BATCH]
    )
    return sum(delivery_process(delivery_id=pk) == "processed" for pk in pending)


def delivery_process(*, delivery_id: int) -> str:
    """Write a stored delivery's activity. A processed delivery is not processed again."""
    delivery = WebhookDelivery.objects.select_related("repository").filter(pk=delivery_id).first()
    if delivery is None or delivery.processed_at or delivery.repository is None:
        return "skipped"
    try:
        batch = FORGES[delivery.forge].batch_from_delivery(event=delivery.event, payload=delivery.payload)
        with transaction.atomic():
            if batch is not None:
                activity_upsert(repository=delivery.repository, batch=batch)
            WebhookDelivery.objects.filter(pk=delivery.pk).update(processed_at=timezone.now(), error="")
    except (KeyError, TypeError, ValueError) as error:
        logger.warning("webhook delivery %s could not be processed: %s", delivery.pk, error)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            error=f"{error.__class__.__name__}: {error}"[:2000]
        )
        return "failed"
    return "processed"
