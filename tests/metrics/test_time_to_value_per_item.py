"""Time to Value's first responses and merged requests (metrics.selectors.time_to_value), which the
database tells per item, equal the ones computed in Python from every comment, review and approval row
(tests/metrics/raw_time_to_value.py) on hand-built histories, for any scope and period; and the trend's
buckets, which slice one computation of the period, equal each bucket computed on its own."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from catalog.models import Project
from metrics.computations import duration_summary, ratio
from metrics.reports import split_period, trend_compute
from metrics.selectors import first_responses, time_to_value
from tests.activity import account, comment, pr, review
from tests.metrics.raw_time_to_value import raw_first_responses, raw_merged_requests
from tests.metrics.test_daily_aggregates import PERIODS, build_history

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 5)


def add_drafts(projects: list[Project], seed: int) -> None:
    """Requests opened as drafts: marked ready (their wait starts then) or never (they ask nothing yet),
    answered by their author, a bot and others, before and after being marked ready."""
    rng = random.Random(seed)
    repository = projects[0].repositories.first()
    author, colleague = account(f"drafter{seed}"), account(f"colleague{seed}")
    bot = account(f"helper{seed}[bot]", bot=True)
    for i in range(12):
        created = datetime(2025, 2, 3, 9, tzinfo=UTC) + timedelta(days=17 * i, hours=rng.randrange(48))
        ready = created + timedelta(hours=rng.randrange(1, 96)) if i % 3 else None
        request = pr(repository, author, created, draft=True, ready=ready)
        comment(author, created + timedelta(hours=1), on=request)
        comment(bot, created + timedelta(hours=2), on=request)
        if i % 4:
            review(request, colleague, created + timedelta(hours=rng.randrange(1, 200)), state="commented")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_first_responses_found_by_the_database_equal_those_computed_from_every_row(seed):
    projects = build_history(seed)
    add_drafts(projects, seed)
    scopes = [
        None,
        Project.objects.filter(pk=projects[0].pk),
        Project.objects.filter(pk=projects[1].pk),
        Project.objects.listed().filter(business_unit=projects[1].business_unit),
    ]
    for scope in scopes:
        for start, end in PERIODS:
            found = first_responses(projects=scope, start=start, end=end)
            assert found == raw_first_responses(projects=scope, start=start, end=end), (scope, start, end)
    whole = first_responses(projects=None, start=date(2000, 1, 1), end=TODAY)
    hours, within, unanswered = whole.of()
    # Something was compared: answered and unanswered items, some answered in time and some not.
    assert len(hours) > 20 and unanswered > 5 and 0 < within < len(hours)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_merged_requests_told_by_the_database_equal_those_computed_from_every_approval(seed):
    projects = build_history(seed)
    add_drafts(projects, seed)
    # Merged requests approved by their author only, by another person, and merged by their author.
    author, other = account(f"merger{seed}"), account(f"approver{seed}")
    repository = projects[0].repositories.first()
    for i in range(6):
        created = datetime(2025, 5, 5, 9, tzinfo=UTC) + timedelta(days=11 * i)
        request = pr(repository, author, created, merged=created + timedelta(hours=5 + i), merged_by=author)
        review(request, author if i % 2 else other, created + timedelta(hours=1), state="approved")
    scopes = [None, Project.objects.filter(pk=projects[0].pk), Project.objects.filter(pk=projects[1].pk)]
    for scope in scopes:
        for start, end in PERIODS:
            hours, merged, approved, self_merged = raw_merged_requests(projects=scope, start=start, end=end)
            figures = time_to_value(projects=scope, start=start, end=end)
            assert figures["time_to_merge"] == duration_summary(hours), (scope, start, end)
            assert figures["review_coverage"] == ratio(approved, merged), (scope, start, end)
            assert figures["self_merge_rate"] == ratio(self_merged, merged), (scope, start, end)
    hours, merged, approved, self_merged = raw_merged_requests(
        projects=None, start=date(2000, 1, 1), end=TODAY
    )
    # Something was compared: approved and unapproved requests, some merged by their author.
    assert 0 < approved < merged and self_merged > 2


def test_the_trend_slices_one_computation_as_each_bucket_computed_on_its_own():
    build_history(4)
    start, end = date(2024, 6, 1), date(2026, 6, 1)
    trend = trend_compute(projects=None, start=start, end=end, buckets=12, today=TODAY)
    edges = split_period(start, end, 12)
    assert [(b["start"], b["end"]) for b in trend] == edges
    for bucket, (b_start, b_end) in zip(trend, edges, strict=True):
        alone = time_to_value(projects=None, start=b_start, end=b_end)["time_to_first_response"]
        assert bucket["first_response_median_hours"] == alone["median_hours"]
        hours, _within, unanswered = raw_first_responses(projects=None, start=b_start, end=b_end).of()
        assert (
            bucket["first_response_median_hours"]
            == duration_summary(hours, unanswered=unanswered)["median_hours"]
        )
    assert sum(b["first_response_median_hours"] is not None for b in trend) > 6
