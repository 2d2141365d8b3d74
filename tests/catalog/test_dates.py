"""One way of writing dates for people (catalog/dates.py and its template filters), and no page that
writes its own."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template

from catalog.dates import day_text, day_time_text, month_text, relative_text

NOW = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_days_months_and_moments_read_the_same_everywhere():
    assert day_text(date(2026, 12, 3)) == "3 Dec 2026"
    assert day_text(NOW) == "3 Dec 2026"
    assert day_time_text(NOW) == "3 Dec 2026, 14:05"
    assert month_text(NOW) == "Dec 2026"
    assert day_text(None) == ""


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (NOW - timedelta(seconds=20), "just now"),
        (NOW - timedelta(minutes=5), "5\xa0minutes ago"),
        (NOW - timedelta(days=2, hours=3), "2\xa0days ago"),
        (NOW - timedelta(days=1, hours=1), "1\xa0day ago"),
        (NOW - timedelta(days=29), "29\xa0days ago"),
        (NOW - timedelta(days=45), "19 Oct 2026"),
        (NOW + timedelta(hours=3), "in 3\xa0hours"),
    ],
)
def test_recent_moments_are_relative_and_older_ones_are_days(moment, expected):
    assert relative_text(moment, now=NOW) == expected


def test_the_ago_filter_gives_the_exact_moment_as_a_tooltip(settings):
    moment = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    html = Template("{{ moment|ago }}").render(Context({"moment": moment}))
    assert html.startswith('<time datetime="2026-11-30T09:30:00+00:00" title="30 Nov 2026, 09:30">')
    assert Template("{{ d|day }} {{ d|ago }}").render(Context({"d": date(2026, 1, 2)})) == (
        '2 Jan 2026 <time datetime="2026-01-02">2 Jan 2026</time>'
    )


# Machine formats stay: ISO 8601 in attributes and URLs, and the short "3 Dec" of a range within a year.
ALLOWED = {"'c'", "'Y-m-d'", '"j M"'}


def test_no_template_writes_dates_its_own_way():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in re.finditer(
            r"\|(?:date\b(?::(\"[^\"]*\"|'[^']*'))?|timesince\b|timeuntil\b|naturaltime\b)", path.read_text()
        )
        if match.group(1) not in ALLOWED
    ]
    assert not offenders, "use |day, |day_time, |month or |ago (catalog/dates.py):\n" + "\n".join(offenders)
