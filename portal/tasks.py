"""Background work of the portal: the dashboards' snapshots (portal.reports)."""

from datetime import date

from celery import shared_task
from django.utils import timezone

from portal import reports


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
    return reports.snapshots_warm(today=timezone.now().date())
