"""How the portal writes a date for people: one format everywhere ("3 Dec 2026"; with the time
"3 Dec 2026, 14:05"; a month "Dec 2026"), and recent moments relative ("2 days ago") with the exact date
in a tooltip. Pages use the template filters of catalog/templatetags/dates.py (built into every template),
messages written in Python these functions. The API, exports and the audit CSV keep ISO 8601."""

from datetime import date, datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

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


def _count(n: int, unit: str) -> str:
    return f"{n}\xa0{unit}{'' if n == 1 else 's'}"


def relative_text(value: datetime, *, now: datetime | None = None) -> str:
    """ "just now", "5 minutes ago", "3 hours ago", "12 days ago" within RELATIVE_DAYS of `now` (in the
    future: "in 3 hours"), else the day. Days, not weeks: "12 days" says more than "1 week"."""
    now = now or timezone.now()
    seconds = (now - value).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    if seconds < 60:
        return "just now"
    if seconds >= RELATIVE_DAYS * 86400:
        return day_text(value)
    if seconds < 3600:
        amount = _count(int(seconds // 60), "minute")
    elif seconds < 86400:
        amount = _count(int(seconds // 3600), "hour")
    else:
        amount = _count(int(seconds // 86400), "day")
    return f"in {amount}" if ahead else f"{amount} ago"
