"""The portal's date filters (catalog/dates.py), built into every template (settings.TEMPLATES
"builtins"): `{{ d|day }}` 3 Dec 2026, `{{ d|day_time }}` 3 Dec 2026, 14:05, `{{ d|month }}` Dec 2026,
`{{ d|ago }}` a <time> element saying "2 days ago" with the exact moment as its tooltip."""

from datetime import date, datetime

from django import template
from django.utils.html import format_html

from catalog.dates import day_text, day_time_text, month_text, relative_text

register = template.Library()

register.filter("day", day_text)
register.filter("day_time", day_time_text)
register.filter("month", month_text)


@register.filter
def ago(value: date | datetime | None) -> str:
    if not value:
        return ""
    if not isinstance(value, datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), day_text(value))
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        day_time_text(value),
        relative_text(value),
    )
