"""The period and business unit a dashboard or the metrics API is asked for, read from the query string
the same way by both (one place for the defaults, the presets and the messages)."""

from datetime import date, timedelta

from django.utils import timezone

from catalog.models import BusinessUnit
from metrics.snapshots import DEFAULT_DAYS, PRESETS

__all__ = ["MAX_DAYS", "PeriodError", "parse_business_unit", "parse_period"]

# Long enough for a three-year look back, short enough that one request stays cheap.
MAX_DAYS = 3 * 366


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
    if start >= end:
        raise PeriodError("start must be before end (end is exclusive).", "start")
    if (end - start).days > MAX_DAYS:
        raise PeriodError(f"The period may span at most {MAX_DAYS} days.", "start")
    return start, end, preset


def parse_business_unit(params) -> BusinessUnit | None:
    slug = (params.get("business_unit") or "").strip()
    if not slug:
        return None
    unit = BusinessUnit.objects.filter(slug=slug).first()
    if unit is None:
        raise PeriodError(f"Unknown business unit “{slug}”.", "business_unit")
    return unit
