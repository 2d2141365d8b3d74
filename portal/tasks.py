"""Background work of the portal: the dashboards' snapshots (portal.reports computes them; this module
queues and runs the computations, so that reports never imports its own task module)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal import reports
from portal.models import ReportSnapshot


@shared_task(acks_late=True)
def report_snapshot_refresh(*, params: dict, start: str, end: str) -> str:
    """(Re)compute one dashboard snapshot; idempotent (the row is replaced)."""
    snapshot = reports.snapshot_compute(
        scope=reports.ReportScope.from_params(params),
        start=date.fromisoformat(start),
        end=date.fromisoformat(end),
    )
    return "gone" if snapshot is None else f"ok: {snapshot.scope_key} {start}..{end}"


@shared_task
def report_snapshots_warm() -> int:
    """Scheduled: queue the preset periods of the program and of each business unit."""
    return snapshots_warm(today=timezone.now().date())


def snapshot_refresh_queue(snapshot: ReportSnapshot, scope: reports.ReportScope) -> bool:
    """Queue the (re)computation of a snapshot unless one is already under way (reports.snapshot_claim).
    True when this call queued it."""
    if not reports.snapshot_claim(snapshot):
        return False
    # Requests run in autocommit: the claim is committed, and a worker may start at once.
    report_snapshot_refresh.delay(
        params=scope.params(), start=snapshot.start.isoformat(), end=snapshot.end.isoformat()
    )
    return True


def snapshot_for(*, scope: reports.ReportScope, start: date, end: date) -> ReportSnapshot:
    """The snapshot of a dashboard as it stands. Fresh (younger than METRICS_SNAPSHOT_MAX_AGE): as is.
    Missing or stale: its computation is queued once, and the row read again; in the embedded mode the
    task has run inline, so it is complete, while with a worker a missing one has `data` None (pending)
    and a stale one still holds the previous figures."""
    snapshot, _created = ReportSnapshot.objects.get_or_create(
        scope_key=scope.key, start=start, end=end, defaults={"params": scope.params()}
    )
    if snapshot.data is not None and not reports.snapshot_is_stale(snapshot):
        return snapshot
    if snapshot_refresh_queue(snapshot, scope):
        snapshot.refresh_from_db()
    return snapshot


def snapshots_warm(*, today: date) -> int:
    """Queue the computation of the presets of every warm scope that is missing or stale (once each, as
    requests do), and prune forgotten snapshots. Returns how many were queued."""
    reports.snapshots_prune()
    queued = 0
    for scope, start, end in reports.warm_plan(today=today):
        snapshot, _created = ReportSnapshot.objects.get_or_create(
            scope_key=scope.key, start=start, end=end, defaults={"params": scope.params()}
        )
        if snapshot.data is None or reports.snapshot_is_stale(snapshot):
            queued += snapshot_refresh_queue(snapshot, scope)
    return queued
