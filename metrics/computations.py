"""The arithmetic of the metric definitions (METRICS.md), kept apart from the database so it can be tested
number by number: percentiles, duration summaries, business days, absence factors and ratios.

Every function here is pure: plain numbers and datetimes in, plain numbers out.
"""

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

__all__ = [
    "absence_factor",
    "business_hours_between",
    "duration_summary",
    "elapsed_hours",
    "per_week",
    "percentile",
    "ratio",
    "within_business_days",
]

RATIO_DIGITS = 4
HOURS_DIGITS = 2

# A Monday at midnight UTC: business time is counted from here so that any interval costs O(1).
_MONDAY = datetime(1970, 1, 5, tzinfo=UTC)
_DAY = 86_400
_WEEK_BUSINESS_SECONDS = 5 * _DAY


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0 <= q <= 100) of `values` as numpy's default (method "linear") computes it:
    the sorted values sit at ranks 0..n-1, and a rank that falls between two is interpolated linearly.

    Raises ValueError for no values or a q outside [0, 100]: numpy refuses both too, and callers that
    may have no values (duration summaries) report null themselves.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must lie in [0, 100], not {q}")
    ordered = sorted(float(v) for v in values)
    rank = (len(ordered) - 1) * q / 100
    lower = math.floor(rank)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = rank - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction


def duration_summary(hours: Sequence[float], *, unanswered: int | None = None) -> dict:
    """`{"count", "median_hours", "p90_hours"}` (plus `"unanswered"` when given) for durations in hours,
    rounded to 2 decimals; median and p90 are null when there are no durations."""
    summary: dict = {"count": len(hours)}
    if unanswered is not None:
        summary["unanswered"] = unanswered
    if hours:
        summary["median_hours"] = round(percentile(hours, 50), HOURS_DIGITS)
        summary["p90_hours"] = round(percentile(hours, 90), HOURS_DIGITS)
    else:
        summary["median_hours"] = None
        summary["p90_hours"] = None
    return summary


def elapsed_hours(start: datetime, end: datetime) -> float:
    """Wall-clock hours from `start` to `end` (weekends included), never negative.

    A negative span means the event happened before the moment it is measured from (a colleague
    commenting on a draft before it was marked ready, a webhook's `updated_at` a second after the
    merge); it is reported as 0 rather than letting it pull the median below zero.
    """
    return max((end - start).total_seconds() / 3600, 0.0)


def _utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _business_seconds_since_monday(moment: datetime) -> float:
    """Seconds of Monday-to-Friday time between the reference Monday and `moment` (UTC)."""
    elapsed = (_utc(moment) - _MONDAY).total_seconds()
    weeks, rest = divmod(elapsed, 7 * _DAY)
    day, seconds = divmod(rest, _DAY)
    # Within the week: the whole days Monday..Friday already passed, plus the running day if it is
    # a weekday; Saturday and Sunday add nothing.
    within_week = min(day, 5) * _DAY + (seconds if day < 5 else 0)
    return weeks * _WEEK_BUSINESS_SECONDS + within_week


def business_hours_between(start: datetime, end: datetime) -> float:
    """Hours from `start` to `end` not counting Saturdays and Sundays (UTC, midnight to midnight).

    Business days are whole 24-hour weekdays, not office hours: Monday 13:00 to Tuesday 13:00 is 24
    hours. Time that falls on a weekend is simply not counted, whichever end it is at: a request on
    Friday 22:00 answered on Saturday counts 2 hours (Friday's last two), one opened on Saturday and
    answered on Monday 09:00 counts 9 hours, and one opened and answered within a weekend counts 0.
    Naive datetimes are taken as UTC. Never negative.
    """
    return max(_business_seconds_since_monday(end) - _business_seconds_since_monday(start), 0.0) / 3600


def within_business_days(start: datetime, end: datetime, *, days: int = 2) -> bool:
    """Whether `end` comes at most `days` business days (days × 24 weekday hours) after `start`.

    The bound is inclusive: exactly 48 weekday hours is still within 2 business days. Friday 10:00 to
    Tuesday 09:00 is 14 + 24 + 9 = 47 hours, within; to Tuesday 11:00 it is 49, not within.
    """
    # Weekday hours never exceed wall-clock hours: an answer within days × 24 hours of the clock is
    # within, without counting (most answers: a report reads tens of thousands of them).
    if _utc(end) - _utc(start) <= timedelta(days=days):
        return True
    return business_hours_between(start, end) <= days * 24


def absence_factor(counts: Sequence[int]) -> int:
    """The smallest n such that the n largest counts together reach at least half of the total.

    CHAOSS's contributor absence factor over people (or, over business units, the elephant factor).
    "At least half" decides ties: eight equal counts give 4. No counts (or only zeros) give 0.
    """
    total = sum(counts)
    if total <= 0:
        return 0
    running = 0
    for n, count in enumerate(sorted(counts, reverse=True), start=1):
        running += count
        # Compare 2 × running with the total so that odd totals need no floating point.
        if 2 * running >= total:
            return n
    return len(counts)  # not reached: the full list always reaches the total


def ratio(numerator: float, denominator: float, *, digits: int = RATIO_DIGITS) -> float | None:
    """`numerator / denominator` rounded to `digits` decimals; None (null) when the denominator is 0."""
    if not denominator:
        return None
    return round(numerator / denominator, digits)


def per_week(count: int, *, days: float) -> float | None:
    """A count over a period of `days` days expressed per 7 days; None for an empty period."""
    return ratio(count, days / 7)
