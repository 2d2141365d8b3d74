"""Background work of the metrics app: repository syncs, webhook processing, usage events and the
dashboards' snapshots (metrics.snapshots computes them; this module queues and runs the computations).

Tasks are thin: load by id, call the sync, decide how to come back. They never sleep: a rate limit
reschedules the task for when the forge allows it; 5xx and timeouts retry with exponential back-off.
"""

import logging
import uuid
from datetime import date, timedelta

from celery import shared_task
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from catalog.models import Adoption, AdoptionSource, Asset, Repository
from metrics import rollups, services, snapshots, usage
from metrics.models import ManifestFile, ReportSnapshot
from metrics.scopes import ReportScope
from metrics.sync.http import ForgeError, RateLimited, TransientForgeError
from metrics.sync.runner import repository_sync, repository_sync_failed
from metrics.webhooks.deliveries import deliveries_process_pending, delivery_process

logger = logging.getLogger(__name__)

LOCK_SECONDS = 30 * 60
MAX_TRANSIENT_RETRIES = 5


def _lock_key(repository_id: int) -> str:
    return f"metrics:sync-lock:{repository_id}"


@shared_task(bind=True, acks_late=True)
def sync_repository(self, repository_id: int, full: bool = False, attempt: int = 0) -> str:
    """Sync one repository; one sync per repository at a time (a cache lock)."""
    repository = Repository.objects.select_related("project").filter(pk=repository_id).first()
    if repository is None:
        return "gone"
    token = uuid.uuid4().hex
    if not cache.add(_lock_key(repository_id), token, timeout=LOCK_SECONDS):
        return "busy"
    try:
        outcome = repository_sync(repository=repository, full=full)
        return f"ok: {outcome.requests} requests, {outcome.records} records"
    except RateLimited as error:
        repository_sync_failed(repository=repository, error=str(error), retry_at=error.retry_at)
        _come_back(repository_id, full=full, attempt=attempt, at=error.retry_at)
        return "rate limited"
    except TransientForgeError as error:
        if attempt < MAX_TRANSIENT_RETRIES:
            delay = timedelta(seconds=30 * 2**attempt)
            repository_sync_failed(repository=repository, error=str(error), retry_at=timezone.now() + delay)
            _come_back(repository_id, full=full, attempt=attempt + 1, at=timezone.now() + delay)
            return "retrying"
        repository_sync_failed(repository=repository, error=str(error))
        return "failed"
    except ForgeError as error:
        repository_sync_failed(repository=repository, error=str(error))
        return "failed"
    finally:
        if cache.get(_lock_key(repository_id)) == token:
            cache.delete(_lock_key(repository_id))


def _come_back(repository_id: int, *, full: bool, attempt: int, at) -> None:
    """Reschedule instead of sleeping. Inline (embedded mode) there is no later: the next scheduled
    sync, which skips repositories until their `next_attempt_at`, picks it up."""
    if sync_repository.app.conf.task_always_eager:
        return
    sync_repository.apply_async(args=[repository_id], kwargs={"full": full, "attempt": attempt}, eta=at)


@shared_task
def sync_all(full: bool = False) -> int:
    """Queue a sync of every repository of a listed project that is not waiting out a limit."""
    now = timezone.now()
    ids = list(
        Repository.objects.filter(project__review_status="approved", project__merged_into__isnull=True)
        .filter(Q(sync_state__isnull=True) | Q(sync_state__next_attempt_at__isnull=True)
                | Q(sync_state__next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )  # fmt: skip
    for repository_id in ids:
        sync_repository.delay(repository_id, full=full)
    return len(ids)


# Repositories matched with the catalog per batch of the nightly adoptions_detect_all (one read of their
# manifests, one of the assets they name).
DETECT_BATCH = 200


@shared_task
def adoptions_detect_all() -> int:
    """Match every repository's stored manifests with the catalog again (services.adoptions_detect): an
    asset given a package URL, or a project listed, since a repository's manifests last changed is found
    in its code by the next morning. Returns how many adoptions started or ended."""
    ids = list(
        ManifestFile.objects.order_by("repository_id").values_list("repository_id", flat=True).distinct()
    )
    changed = 0
    for start in range(0, len(ids), DETECT_BATCH):
        batch = Repository.objects.filter(pk__in=ids[start : start + DETECT_BATCH]).select_related("project")
        changed += services.adoptions_detect(repositories=batch)
    return changed


@shared_task
def adoptions_detect_asset(asset_id: int) -> int:
    """An asset's package was given, changed or removed: match again the repositories whose manifests may
    name it (their stored dependencies hold its key as text) and those with an adoption of it found in
    code, so that its users are found, or its old package's users let go, at once."""
    asset = Asset.objects.filter(pk=asset_id).only("package_key").first()
    ids = set(
        Adoption.objects.filter(asset_id=asset_id, source=AdoptionSource.DETECTED, ended_on__isnull=True)
        .exclude(repository=None)
        .values_list("repository_id", flat=True)
    )
    if asset is not None and asset.package_key:
        # A candidate filter only (a longer name holding this one matches too): the match itself is exact.
        mentions = ManifestFile.objects.filter(dependencies__icontains=f'"{asset.package_key}')
        ids |= set(mentions.values_list("repository_id", flat=True).distinct())
    changed = 0
    ordered = sorted(ids)
    for start in range(0, len(ordered), DETECT_BATCH):
        batch = Repository.objects.filter(pk__in=ordered[start : start + DETECT_BATCH]).select_related(
            "project"
        )
        changed += services.adoptions_detect(repositories=batch)
    return changed


def asset_package_changed_receiver(*, asset, **kwargs) -> None:
    """catalog.signals.asset_package_changed: a worker matches the code again (inline in the embedded mode)."""
    adoptions_detect_asset.delay(asset.pk)


@shared_task(acks_late=True)
def process_webhook_delivery(delivery_id: int) -> str:
    """Turn a stored webhook delivery into activity (idempotent: a processed delivery is skipped)."""
    return delivery_process(delivery_id=delivery_id)


@shared_task
def process_pending_webhook_deliveries() -> int:
    """Process deliveries whose task was never queued or never finished (every 5 minutes, bounded)."""
    return deliveries_process_pending()


# --- portal usage events (metrics/usage), on their own queue so that long syncs never delay them ---


@shared_task  # routed to the "usage" queue by CELERY_TASK_ROUTES
def usage_drain() -> int:
    """Move queued usage events from Redis into the database (every 10 s; idempotent by event id)."""
    return usage.usage_drain()


@shared_task  # routed to the "usage" queue by CELERY_TASK_ROUTES
def usage_rollup_day(day_iso: str) -> int:
    """Rebuild the daily rollups of one day (YYYY-MM-DD)."""
    return rollups.rollup_day(day=date.fromisoformat(day_iso))


@shared_task  # routed to the "usage" queue by CELERY_TASK_ROUTES
def usage_rollup_recent() -> int:
    """Drain, then rebuild the rollups of today and the two days before (late events land in them)."""
    usage.usage_drain()
    return rollups.rollup_recent()


@shared_task  # routed to the "usage" queue by CELERY_TASK_ROUTES
def usage_prune() -> int:
    """Delete raw usage events older than USAGE_RETENTION_DAYS; rollups stay."""
    return rollups.usage_prune()


# --- the dashboards' snapshots ----------------------------------------------------------------------


@shared_task(acks_late=True)
def report_snapshot_refresh(*, params: dict, start: str, end: str) -> str:
    """(Re)compute one dashboard snapshot; idempotent (the row is replaced)."""
    snapshot = snapshots.snapshot_compute(
        scope=ReportScope.from_params(params),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )
    return "gone" if snapshot is None else f"ok: {snapshot.scope_key} {start}..{end}"


@shared_task
def report_snapshots_warm() -> int:
    """Scheduled: queue the preset periods of the program and of each business unit."""
    return snapshots_warm(today=timezone.now().date())


def snapshot_refresh_queue(snapshot: ReportSnapshot, scope: ReportScope) -> bool:
    """Queue the (re)computation of a snapshot unless one is already under way (snapshots.snapshot_claim).
    True when this call queued it."""
    if not snapshots.snapshot_claim(snapshot):
        return False
    # Requests run in autocommit: the claim is committed, and a worker may start at once.
    report_snapshot_refresh.delay(
        params=scope.params(), start=snapshot.start.isoformat(), end=snapshot.end.isoformat()
    )
    return True


def snapshot_for(*, scope: ReportScope, start: date, end: date) -> ReportSnapshot:
    """The snapshot of a dashboard as it stands. Fresh (younger than METRICS_SNAPSHOT_MAX_AGE): as is.
    Missing or stale: its computation is queued once, and the row read again; in the embedded mode the
    task has run inline, so it is complete, while with a worker a missing one has `data` None (pending)
    and a stale one still holds the previous figures."""
    snapshot, _created = ReportSnapshot.objects.get_or_create(
        scope_key=scope.key, start=start, end=end, defaults={"params": scope.params()}
    )
    if snapshot.data is not None and not snapshots.snapshot_is_stale(snapshot):
        return snapshot
    if snapshot_refresh_queue(snapshot, scope):
        snapshot.refresh_from_db()
    return snapshot


def snapshots_warm(*, today: date) -> int:
    """Queue the computation of the presets of every warm scope that is missing or stale (once each, as
    requests do), and prune forgotten snapshots. Returns how many were queued."""
    snapshots.snapshots_prune()
    queued = 0
    for scope, start, end in snapshots.warm_plan(today=today):
        snapshot, _created = ReportSnapshot.objects.get_or_create(
            scope_key=scope.key, start=start, end=end, defaults={"params": scope.params()}
        )
        if snapshot.data is None or snapshots.snapshot_is_stale(snapshot):
            queued += snapshot_refresh_queue(snapshot, scope)
    return queued
