"""The period and business unit a dashboard or the metrics API is asked for, read from the query string
the same way by both (one place for the defaults, the presets and the messages)."""

from datetime import date, timedelta

from django.utils import timezone

from catalog.models import BusinessUnit
from metrics.snapshots import DEFAULT_DAYS, PRESETS

__all__ = ["EARLIEST", "LATEST_END_DAYS", "PeriodError", "parse_business_unit", "parse_period"]

# Any period within the recorded history may be asked for (the contribution figures sum daily
# aggregates, so a long period costs little more than a short one). Dates before this one are typing
# mistakes, not history: no forge the portal reads was recording pull requests then.
EARLIEST = date(2000, 1, 1)
LATEST_END_DAYS = 366


class PeriodError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def _date(params, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PeriodError(f"{name} must be a date written YYYY-MM-DD.", name) from None


def parse_period(params) -> tuple[date, date, int | None]:
    """(start, end, preset) from `start`/`end` or a `days` preset. Defaults: the 90 whole days ending
    today (end exclusive, so today's unfinished day is not compared with full days)."""
    start, end = _date(params, "start"), _date(params, "end")
    preset = None
    if start is None and end is None:
        days = params.get("days") or str(DEFAULT_DAYS)
        if not days.isdigit() or int(days) not in PRESETS:
            raise PeriodError(f"days must be one of {', '.join(map(str, PRESETS))}.", "days")
        preset = int(days)
        end = timezone.now().date()
        start = end - timedelta(days=preset)
    end = end or timezone.now().date()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    for name, day in (("start", start), ("end", end)):
        if day < EARLIEST:
            raise PeriodError(f"{name} must not be before {EARLIEST.isoformat()}.", name)
    today = timezone.now().date()
    # A period may hold today (so far) and run on past it: the dashboards show the days to come as not
    # started (metrics.reports.bucket_state). One that has not begun by tomorrow has nothing to show,
    # and an end more than a year ahead is a typing mistake.
    if start > today + timedelta(days=1):
        raise PeriodError(
            "start must not be after tomorrow: nothing has happened in that period yet.", "start"
        )
    if end > today + timedelta(days=LATEST_END_DAYS):
        raise PeriodError(f"end must not be more than {LATEST_END_DAYS} days ahead.", "end")
    if start >= end:
        raise PeriodError("start must be before end (end is exclusive).", "start")
    return start, end, preset


def parse_business_unit(params) -> BusinessUnit | None:
    slug = (params.get("business_unit") or "").strip()
    if not slug:
        return None
    unit = BusinessUnit.objects.filter(slug=slug).first()
    if unit is None:
        raise PeriodError(f"Unknown business unit “{slug}”.", "business_unit")
    return unit
