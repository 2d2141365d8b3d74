"""Background work of the catalog. Thin: load by id, call a service; safe to run twice."""

from celery import chain, shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from catalog import meaning_index
from catalog.meaning import entries_embed
from catalog.models import Project
from catalog.radar.services import radar_run, radar_update
from catalog.services import consumer_digests_send, project_score_refresh


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def project_score_refresh_task(project_id: int) -> int | None:
    """Recompute one project's activity score; returns the score (None if the project is gone)."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return None
    return project_score_refresh(project=project, now=timezone.now()).activity_score


@shared_task
def scores_refresh_all() -> int:
    """Nightly: scores decay with time since the last update, so every project is recomputed."""
    ids = list(Project.objects.listed().values_list("pk", flat=True))
    for project_id in ids:
        project_score_refresh_task.delay(project_id)
    return len(ids)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def entries_embed_task(project_ids: list[int]) -> int:
    """Embed the search entries of these projects whose text changed; returns how many were embedded."""
    embedded = entries_embed(project_ids=project_ids)
    if embedded:
        meaning_index_refresh_if_due()
    return embedded


@shared_task
def meaning_index_build_task() -> int:
    """Nightly, and when enough vectors changed: a new snapshot of the vector index (catalog.meaning_index);
    returns how many entries it holds (0 below CATALOG_MEANING_INDEX_MIN vectors: no index)."""
    snapshot = meaning_index.snapshot_build()
    return snapshot.entries if snapshot else 0


# One build queued at a time: the embeddings of a burst of changes ask for one snapshot, not one each.
MEANING_INDEX_DEBOUNCE_SECONDS = 10 * 60


def meaning_index_refresh_if_due() -> None:
    """Queue a snapshot of the vector index when one is due (meaning_index.snapshot_due), at most once per
    MEANING_INDEX_DEBOUNCE_SECONDS. Never inline: in the embedded mode (tasks run inline) a request would
    wait for the build, so there the index is built by embeddings_rebuild and the nightly task only."""
    if meaning_index_build_task.app.conf.task_always_eager or not meaning_index.snapshot_due():
        return
    if cache.add("catalog:meaning-index-build-queued", 1, timeout=MEANING_INDEX_DEBOUNCE_SECONDS):
        meaning_index_build_task.delay()


@shared_task
def duplicates_radar_task() -> int:
    """Nightly: the radar of re-built wheels computed in full; returns how many clusters it found."""
    return radar_run().clusters


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def duplicates_radar_update_task(project_ids: list[int]) -> int:
    """The radar's clusters touching these projects, computed again once their vectors are up to date."""
    run = radar_update(project_ids=project_ids)
    return run.clusters if run else 0


def entries_rebuilt_receiver(*, project_ids: list[int], **kwargs) -> None:
    """Bring the rebuilt entries' vectors up to date (catalog.signals.entries_rebuilt), then the radar's
    clusters touching these projects: inline when tasks run inline (the embedded mode, and tests), else
    by worker tasks, one after the other, once the transaction commits."""
    if entries_embed_task.app.conf.task_always_eager:
        entries_embed(project_ids=project_ids)
        radar_update(project_ids=project_ids)
        return
    work = chain(entries_embed_task.si(project_ids), duplicates_radar_update_task.si(project_ids))
    transaction.on_commit(lambda: work.delay())


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def consumer_digests_send_task() -> int:
    """Daily: each person with consumer notices waiting gets the day's digest (catalog.services.notices);
    returns how many digests were sent. Safe to run twice: a person gets one digest a day."""
    return consumer_digests_send().sent


def consumer_notices_recorded_receiver(**kwargs) -> None:
    """Consumer notices were recorded (catalog.signals.consumer_notices_recorded, after commit). Tasks
    inline (the embedded mode) have no beat: the digests are sent now, one a day per person still. With a
    worker, the daily beat entry sends them."""
    if consumer_digests_send_task.app.conf.task_always_eager:
        consumer_digests_send_task.delay()
