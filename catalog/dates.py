"""How the portal writes a date for people: one format everywhere ("3 Dec 2026"; with the time
"3 Dec 2026, 14:05"; a month "Dec 2026"), and recent moments relative ("2 days ago") with the exact date
in a tooltip. Pages use the template filters of catalog/templatetags/dates.py (built into every template),
messages written in Python these functions. The API, exports and the audit CSV keep ISO 8601."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince

DAY = "j M Y"
DAY_TIME = "j M Y, H:i"
MONTH = "M Y"
# Older moments than this are written as a date: "3 months ago" says less than the day itself.
RELATIVE_DAYS = 30


def _local(value: date | datetime) -> date | datetime:
    return timezone.localtime(value) if isinstance(value, datetime) and timezone.is_aware(value) else value


def day_text(value: date | datetime | None) -> str:
    return date_format(_local(value), DAY) if value else ""


def day_time_text(value: datetime | None) -> str:
    return date_format(_local(value), DAY_TIME) if value else ""


def month_text(value: date | datetime | None) -> str:
    return date_format(_local(value), MONTH) if value else ""


def relative_text(value: datetime, *, now: datetime | None = None) -> str:
    """ "2 days ago" within RELATIVE_DAYS of `now`, else the day; "just now" under a minute."""
    now = now or timezone.now()
    elapsed = now - value
    if elapsed.total_seconds() < 60 and elapsed.total_seconds() > -60:
        return "just now"
    if abs(elapsed.days) >= RELATIVE_DAYS:
        return day_text(value)
    if elapsed.total_seconds() < 0:
        return f"in {timesince(now, value, depth=1)}"
    return f"{timesince(value, now, depth=1)} ago"
