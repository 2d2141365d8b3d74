"""The metrics report (metrics.reports), the usage figures (metrics.engagement) and the journey funnel
(community.funnel) over small hand-built histories, each answer computed by hand.

Period unless said otherwise: Q1 2026 = [2026-01-01, 2026-04-01). 2026-01-05 and 2026-01-12 are Mondays.
"""

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine

from catalog.models import Project
from community.funnel import journey_funnel, new_onboardings
from community.models import Practitioner, Stage, StageChange
from metrics import reports, scopes, snapshots
from metrics.engagement import community_engagement, reuse_consumption
from metrics.models import DailyRollup, UsageEvent, UsageKind, VisitorDay
from tests.activity import pr, repo, review
from tests.factories import AdoptionFactory, AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory
from tests.metrics.test_metric_selectors import person

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 4, 1)

# Written from METRICS.md, table by table, so that a key the report forgets (or renames) fails here.
METRICS_MD_KEYS = {
    "contribution_activity": [
        "change_requests_opened", "change_requests_merged", "change_requests_declined",
        "change_request_closure_ratio", "contributors", "new_contributors", "innersource_ratio",
        "contributor_absence_factor", "elephant_factor",
    ],
    "community_engagement": [
        "active_visitors", "page_views", "searches", "zero_result_searches", "search_click_through_rate",
        "contribute_clicks", "new_members", "contributor_business_units",
    ],
    "reuse_and_collaboration": [
        "adoptions_new", "adoptions_active", "adopting_business_units", "product_integrations",
        "asset_consumptions", "repeat_consumers", "one_time_consumers", "new_onboardings",
        # issue 18: adoptions found in code and the value of reuse (README, Metrics definitions)
        "adoptions_detected", "consuming_repositories", "estimated_effort_saved_days", "estimated_value",
    ],
    "time_to_value": [
        "time_to_first_response", "responded_within_2_business_days", "time_to_merge", "issue_time_to_close",
        "velocity_merged_per_week", "releases", "prereleases", "review_coverage", "self_merge_rate",
    ],
    "journey": ["stage_counts", "stage_conversions", "median_days_explorer_to_contributor"],
}  # fmt: skip
DURATIONS = {"time_to_first_response", "time_to_merge", "issue_time_to_close"}


def at(month: int, day: int, hour: int = 12, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def event(
    kind, when, *, project=None, visitor="", user=None, consumer="", quantity=1, **fields
) -> UsageEvent:
    return UsageEvent.objects.create(
        event_id=uuid.uuid4(), kind=kind, occurred_at=when, project=project, visitor=visitor, user=user,
        consumer=consumer, quantity=quantity, **fields,
    )  # fmt: skip


def only(project: Project):
    return Project.objects.filter(pk=project.pk)


# --- the report's shape ---------------------------------------------------------------------------


def test_the_program_report_has_every_key_of_metrics_md_in_each_category():
    ProjectFactory()
    report = reports.metrics_report(start=START, end=END)

    assert report["scope"] == "program"
    assert report["period"] == {"start": "2026-01-01", "end": "2026-04-01"}
    assert "slug" not in report and "business_unit" not in report
    for category, keys in METRICS_MD_KEYS.items():
        assert sorted(report[category]) == sorted(keys), category
    for key in DURATIONS:
        assert {"count", "median_hours", "p90_hours"} <= set(report["time_to_value"][key])
    assert "unanswered" in report["time_to_value"]["time_to_first_response"]


def test_the_project_report_names_its_project_and_has_no_journey():
    project = ProjectFactory(slug="payments")
    report = reports.metrics_report(project=project, start=START, end=END)

    assert report["scope"] == "project" and report["slug"] == "payments"
    assert "journey" not in report
    for category in reports.CATEGORIES:
        assert sorted(report[category]) == sorted(METRICS_MD_KEYS[category])


def test_a_business_unit_narrows_the_program_to_its_projects_and_is_named_in_the_report():
    ours, theirs = BusinessUnitFactory(slug="ours"), BusinessUnitFactory(slug="theirs")
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=ours)), since=date(2025, 6, 1))
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=theirs)), since=date(2025, 6, 1))
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=theirs)), since=date(2025, 6, 1))

    report = reports.metrics_report(business_unit=ours, start=START, end=END)

    assert report["business_unit"] == "ours"
    assert report["reuse_and_collaboration"]["adoptions_active"] == 1
    assert reports.metrics_report(start=START, end=END)["reuse_and_collaboration"]["adoptions_active"] == 3


def test_the_csv_has_one_row_per_figure_with_durations_and_the_journey_flattened():
    report = reports.metrics_report(start=START, end=END)
    rows = list(csv.reader(io.StringIO(reports.report_csv(report))))

    assert rows[0] == ["category", "key", "value"]
    keys = {(category, key) for category, key, _value in rows[1:]}
    assert ("time_to_value", "time_to_first_response.median_hours") in keys
    assert ("time_to_value", "time_to_merge.p90_hours") in keys
    assert ("journey", "stage_counts.explorer") in keys
    assert ("community_engagement", "page_views") in keys
    flat = sum(
        4 if k == "time_to_first_response" else 3 if k in DURATIONS else 1
        for k in METRICS_MD_KEYS["time_to_value"]
    )
    assert sum(1 for row in rows if row[0] == "time_to_value") == flat


def test_the_previous_period_has_the_same_length_and_ends_where_the_period_starts():
    assert reports.previous_period(START, END) == (date(2025, 10, 3), START)


def test_a_period_splits_into_consecutive_buckets_covering_it_exactly():
    buckets = reports.split_period(START, END, 6)  # 90 days: six buckets of 15

    assert buckets[0] == (START, date(2026, 1, 16)) and buckets[-1][1] == END
    assert all(a[1] == b[0] for a, b in zip(buckets, buckets[1:], strict=False))
    assert reports.split_period(START, date(2026, 1, 3), 6) == [
        (START, date(2026, 1, 2)),
        (date(2026, 1, 2), date(2026, 1, 3)),
    ]


# --- Community Engagement and consumption --------------------------------------------------------


def test_days_already_rolled_up_are_read_from_the_rollups_and_later_days_from_the_events():
    project = ProjectFactory()
    # The rollup job has built 5 January: 10 page views by v:old (the raw events of that day are not
    # read again: the one left there counts neither as a view nor as a visitor).
    DailyRollup.objects.create(
        day=date(2026, 1, 5), kind=UsageKind.PAGE_VIEW, project=project, events=10, visitors=3
    )
    VisitorDay.objects.create(day=date(2026, 1, 5), project=project, visitor="v:old")
    event(UsageKind.PAGE_VIEW, at(1, 5), project=project, visitor="v:not-read-again")
    # After the last rolled-up day, the events themselves: 2 page views and a contribute click.
    event(UsageKind.PAGE_VIEW, at(2, 1), project=project, visitor="v:a")
    event(UsageKind.PAGE_VIEW, at(2, 2), project=project, visitor="v:a")
    event(UsageKind.CONTRIBUTE_CLICK, at(2, 2), project=project, visitor="v:a")
    event(UsageKind.PAGE_VIEW, at(2, 2), project=ProjectFactory(), visitor="v:elsewhere")

    figures = community_engagement(projects=only(project), start=START, end=END)

    assert figures["page_views"] == 12
    assert figures["contribute_clicks"] == 1
    # Distinct visitors: v:old from the visitor days, v:a from the events after them.
    assert figures["active_visitors"] == 2
    assert community_engagement(projects=None, start=START, end=END)["page_views"] == 13


def test_active_visitors_are_distinct_visitor_ids_or_signed_in_users():
    user = UserFactory()
    event(UsageKind.PAGE_VIEW, at(1, 5), visitor="v:a")
    event(UsageKind.PAGE_VIEW, at(1, 6), visitor="v:a")
    event(UsageKind.PAGE_VIEW, at(1, 6), visitor=f"u:{user.pk}", user=user)
    event(UsageKind.PAGE_VIEW, at(1, 7), user=user)  # no visitor id recorded: the same signed-in person
    event(UsageKind.PAGE_VIEW, at(1, 7))  # nobody known: a page view, but no visitor
    event(UsageKind.PAGE_VIEW, at(4, 1, 0), visitor="v:after")  # `end` is excluded

    figures = community_engagement(projects=None, start=START, end=END)

    assert figures["active_visitors"] == 2
    assert figures["page_views"] == 5


def test_click_through_counts_searches_with_results_that_got_a_click():
    searches = [
        event(UsageKind.SEARCH, at(1, 5), query=q, result_count=n) for q, n in [("a", 5), ("b", 3), ("c", 1)]
    ]
    event(UsageKind.SEARCH, at(1, 5), query="nothing", result_count=0)
    event(UsageKind.SEARCH, at(1, 6), query="nothing", result_count=0)
    # Two clicks on the first search's results count it once; a click without a search counts nothing.
    event(UsageKind.RESULT_CLICK, at(1, 5), search_event_id=searches[0].event_id, position=1)
    event(UsageKind.RESULT_CLICK, at(1, 5), search_event_id=searches[0].event_id, position=2)
    event(UsageKind.RESULT_CLICK, at(1, 5), search_event_id=uuid.uuid4(), position=1)

    figures = community_engagement(projects=None, start=START, end=END)

    assert figures["searches"] == 5
    assert figures["zero_result_searches"] == 2
    assert figures["search_click_through_rate"] == 0.3333


def test_click_through_is_null_without_a_search_that_found_something():
    event(UsageKind.SEARCH, at(1, 5), query="nothing", result_count=0)
    assert community_engagement(projects=None, start=START, end=END)["search_click_through_rate"] is None


def test_new_members_are_accounts_created_in_the_period_or_for_a_project_its_new_community_members():
    UserFactory(date_joined=at(1, 2))
    UserFactory(date_joined=at(3, 31, 23))
    UserFactory(date_joined=at(12, 31, 23, year=2025))
    UserFactory(date_joined=at(4, 1, 0))
    project = ProjectFactory()
    joiner = UserFactory(date_joined=at(1, 1, 0, year=2024))
    project.memberships.create(user=joiner, joined_at=at(2, 1))
    project.memberships.create(
        user=UserFactory(date_joined=at(1, 1, 0, year=2024)), joined_at=at(6, 1, year=2025)
    )

    assert community_engagement(projects=None, start=START, end=END)["new_members"] == 2
    assert community_engagement(projects=only(project), start=START, end=END)["new_members"] == 1


def test_contributor_business_units_are_the_distinct_units_of_the_periods_contributors():
    project = ProjectFactory()
    repository = repo(project)
    north, south = BusinessUnitFactory(), BusinessUnitFactory()
    for login, unit in [("ann", north), ("ben", north), ("cid", south), ("dee", None)]:
        pr(repository, person(login, unit), at(2, 1))
    pr(repository, person("eve", BusinessUnitFactory()), at(12, 1, year=2025))  # before the period

    assert (
        community_engagement(projects=only(project), start=START, end=END)["contributor_business_units"] == 2
    )


def test_consumers_are_repeat_when_they_consumed_in_two_iso_weeks_and_consumptions_sum_quantities():
    project = ProjectFactory()
    # A team through the API in the weeks of 5 and 12 January (two ISO weeks): a repeat consumer.
    event(UsageKind.REPORTED_CONSUMPTION, at(1, 5), project=project, consumer="payments", quantity=5)
    event(UsageKind.REPORTED_CONSUMPTION, at(1, 12), project=project, consumer="payments", quantity=2)
    # A visitor twice in one week (Monday and Sunday of the week of 19 January): one-time.
    event(UsageKind.ASSET_DOWNLOAD, at(1, 19), project=project, visitor="v:x")
    event(UsageKind.TEMPLATE_DOWNLOAD, at(1, 25), project=project, visitor="v:x")
    # The same visitor id used in another week but under a team name: the team is the consumer.
    event(UsageKind.USE_THIS, at(2, 2), project=project, visitor="v:x", consumer="search-team")
    # Nobody known: a consumption of no consumer. A page view is not a consumption.
    event(UsageKind.ASSET_DOWNLOAD, at(2, 3), project=project)
    event(UsageKind.PAGE_VIEW, at(2, 3), project=project, visitor="v:y")

    figures = reuse_consumption(projects=only(project), start=START, end=END)

    assert figures == {"asset_consumptions": 11, "repeat_consumers": 1, "one_time_consumers": 2}


def test_the_iso_week_spanning_new_year_is_one_week_for_consumers():
    # Thursday 31 December 2026 and Friday 1 January 2027 are both in ISO week 53 of 2026.
    event(UsageKind.ASSET_DOWNLOAD, at(12, 31), visitor="v:x")
    event(UsageKind.ASSET_DOWNLOAD, at(1, 1, year=2027), visitor="v:x")
    event(UsageKind.ASSET_DOWNLOAD, at(1, 4, year=2027), visitor="v:y")  # Monday of ISO week 1
    event(UsageKind.ASSET_DOWNLOAD, at(12, 28), visitor="v:y")  # Monday of ISO week 53

    figures = reuse_consumption(projects=None, start=date(2026, 12, 1), end=date(2027, 2, 1))

    assert (figures["repeat_consumers"], figures["one_time_consumers"]) == (1, 1)


# --- the journey funnel and onboardings ----------------------------------------------------------


def _change(user, from_stage, to_stage, when):
    StageChange.objects.create(user=user, from_stage=from_stage, to_stage=to_stage, created_at=when)


@pytest.fixture
def journeys():
    """a: Contributor after 10 days, Trusted Committer on 1 Feb. b: Contributor after 20 days. c: no change.
    d: straight to Trusted Committer after 30 days. f: Contributor only after the period.
    e: signed up after the period. Everyone signed up on 1 January (e: 2 April)."""
    people = {}
    for name in "abcdef":
        joined = at(4, 2, 0) if name == "e" else at(1, 1, 0)
        people[name] = UserFactory(username=f"journey-{name}", date_joined=joined)
        Practitioner.objects.create(user=people[name], display_name=name)
    E, C, T = Stage.EXPLORER, Stage.CONTRIBUTOR, Stage.TRUSTED_COMMITTER
    _change(people["a"], E, C, at(1, 11, 0))
    _change(people["a"], C, T, at(2, 1, 0))
    _change(people["b"], E, C, at(1, 21, 0))
    _change(people["d"], E, T, at(1, 31, 0))
    _change(people["f"], E, C, at(5, 1, 0))
    return people


def test_the_funnel_counts_people_at_their_last_stage_before_end_and_conversions_between_stages(journeys):
    funnel = journey_funnel(end=END)

    assert funnel["stage_counts"] == {"explorer": 2, "contributor": 1, "trusted_committer": 2, "starter": 0}
    assert funnel["stage_conversions"] == {
        "explorer_to_contributor": 0.6,  # a, b, d of 5 (d jumped a stage: it presupposes contributions)
        "contributor_to_trusted_committer": 0.6667,  # a and d of a, b, d
        "trusted_committer_to_starter": 0.0,
    }
    assert funnel["median_days_explorer_to_contributor"] == 20.0  # 10, 20, 30


def test_the_funnel_at_an_earlier_end_ignores_later_changes(journeys):
    funnel = journey_funnel(end=date(2026, 1, 15))

    assert funnel["stage_counts"] == {"explorer": 4, "contributor": 1, "trusted_committer": 0, "starter": 0}
    assert funnel["stage_conversions"]["contributor_to_trusted_committer"] == 0.0
    assert funnel["median_days_explorer_to_contributor"] == 10.0


def test_the_funnel_is_empty_but_well_formed_with_nobody():
    funnel = journey_funnel(end=END)
    assert funnel["stage_counts"] == {"explorer": 0, "contributor": 0, "trusted_committer": 0, "starter": 0}
    assert funnel["stage_conversions"]["explorer_to_contributor"] is None
    assert funnel["median_days_explorer_to_contributor"] is None


def test_new_onboardings_are_practitioners_first_reaching_contributor_in_the_period(journeys):
    # In [15 Jan, 15 Feb): b on 21 Jan and d on 31 Jan; a reached Contributor before (its promotion in
    # the period is to Trusted Committer), f after.
    assert new_onboardings(start=date(2026, 1, 15), end=date(2026, 2, 15)) == 2
    project = ProjectFactory()
    project.memberships.create(user=journeys["b"])
    assert new_onboardings(start=date(2026, 1, 15), end=date(2026, 2, 15), projects=only(project)) == 1


# --- the trend -----------------------------------------------------------------------------------


def _activity(project, people):
    repository = repo(project)
    for i, author in enumerate(people):
        request = pr(repository, author, at(1 + i % 3, 2 + i), merged=at(1 + i % 3, 3 + i))
        review(request, people[(i + 1) % len(people)], at(1 + i % 3, 2 + i, 18), state="approved")
    event(UsageKind.PAGE_VIEW, at(2, 10), project=project, visitor="v:a")
    event(UsageKind.ASSET_DOWNLOAD, at(3, 10), project=project, visitor="v:a", quantity=3)


def test_a_one_bucket_trend_gives_the_reports_headline_figures():
    project = ProjectFactory()
    _activity(project, [person(f"t{i}", BusinessUnitFactory()) for i in range(4)])

    report = reports.metrics_report(project=project, start=START, end=END)
    [bucket] = reports.report_trend(project=project, start=START, end=END, buckets=1)

    for figures in reports.HEADLINES.values():
        for name, path, _higher, _label in figures:
            assert bucket[name] == reports.headline_value(report, path), name
    assert (
        bucket["change_requests_merged"] == 4
        and bucket["page_views"] == 1
        and bucket["asset_consumptions"] == 3
    )


def test_the_trend_spreads_figures_over_buckets_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    project = ProjectFactory()
    _activity(project, [person(f"q{i}", BusinessUnitFactory()) for i in range(6)])

    # Measured: 57. Up to 4 queries for the whole period (merged per bucket; usage by day: the last
    # rollup day, rollups, events) plus 10 per bucket (contributors: 5 and an e-mail lookup when there
    # are account-less commits; first responses: 4): 4 + 6 × 10 = 64, whatever the amount of activity.
    with django_assert_max_num_queries(64):
        trend = reports.report_trend(project=project, start=START, end=END, buckets=6)

    assert len(trend) == 6
    assert sum(bucket["change_requests_merged"] for bucket in trend) == 6
    assert sum(bucket["asset_consumptions"] for bucket in trend) == 3


# --- buckets not over yet, and what the change compares ------------------------------------------


def test_a_bucket_is_complete_once_its_last_day_is_over_partial_while_it_holds_today_future_after():
    # [1 Jan, 16 Jan): its last day is 15 January, over once 16 January has begun.
    assert reports.bucket_state(START, date(2026, 1, 16), today=date(2026, 1, 16)) == reports.COMPLETE
    assert reports.bucket_state(START, date(2026, 1, 16), today=date(2026, 1, 15)) == reports.PARTIAL
    assert reports.bucket_state(START, date(2026, 1, 16), today=START) == reports.PARTIAL
    assert reports.bucket_state(START, date(2026, 1, 16), today=date(2025, 12, 31)) == reports.FUTURE


def test_the_trend_marks_the_bucket_holding_today_partial_and_the_later_ones_future():
    trend = reports.report_trend(start=START, end=END, buckets=6, today=date(2026, 2, 20))

    # Buckets of 15 days from 1 January; 20 February lies in the fourth, [15 Feb, 2 Mar).
    assert [b["state"] for b in trend] == ["complete"] * 3 + ["partial", "future", "future"]
    assert trend[3]["start"] == date(2026, 2, 15)
    assert [b["state"] for b in reports.report_trend(start=START, end=END, buckets=6, today=END)] == [
        "complete"
    ] * 6


def test_a_period_over_is_compared_whole_with_the_previous_one():
    expected = ((START, END), reports.previous_period(START, END))
    assert reports.comparison_periods(START, END, today=END) == expected
    assert reports.comparison_periods(START, END, today=date(2026, 9, 1)) == expected


def test_a_period_not_over_compares_its_complete_days_with_as_many_at_the_start_of_the_previous_one():
    # On 10 February, 40 days of Q1 are over (1 January to 9 February); the previous period starts on
    # 3 October 2025: its first 40 days run to 11 November. Today, the day in progress, is on neither side.
    assert reports.comparison_periods(START, END, today=date(2026, 2, 10)) == (
        (START, date(2026, 2, 10)),
        (date(2025, 10, 3), date(2025, 11, 12)),
    )
    # No day of it over: nothing to compare.
    assert reports.comparison_periods(START, END, today=START) is None
    assert reports.comparison_periods(START, END, today=date(2025, 12, 1)) is None


def test_a_snapshot_of_a_period_not_over_compares_like_with_like_and_keeps_today_in_its_figures():
    project = ProjectFactory()
    repository, dev = repo(project), person("like", BusinessUnitFactory())
    # The previous period: 2 merged in its first 40 days, 5 merged after them.
    for day in (date(2025, 10, 5), date(2025, 11, 11)):
        pr(
            repository,
            dev,
            at(day.month, day.day, 9, year=2025),
            merged=at(day.month, day.day, 10, year=2025),
        )
    for month, day in ((11, 12), (11, 20), (12, 1), (12, 15), (12, 31)):
        pr(repository, dev, at(month, day, 9, year=2025), merged=at(month, day, 10, year=2025))
    # This period: 3 merged in its 40 complete days, 1 merged this morning (10 February, not over).
    for month, day in ((1, 2), (1, 20), (2, 9)):
        pr(repository, dev, at(month, day, 9), merged=at(month, day, 10))
    pr(repository, dev, at(2, 10, 8), merged=at(2, 10, 9))

    with time_machine.travel(at(2, 10, 12), tick=False):
        snapshot = snapshots.snapshot_compute(
            scope=scopes.ReportScope(project_id=project.pk), start=START, end=END
        )
    data = snapshots.snapshot_data(snapshot)

    assert data["report"]["contribution_activity"]["change_requests_merged"] == 4  # so far, today included
    comparison = data["comparison"]
    assert comparison["partial"] is True
    assert (comparison["start"], comparison["end"]) == (START, date(2026, 2, 10))
    assert (comparison["previous_start"], comparison["previous_end"]) == (
        date(2025, 10, 3),
        date(2025, 11, 12),
    )
    assert comparison["current"]["change_requests_merged"] == 3
    assert data["previous"]["change_requests_merged"] == 2
    # [31 Jan, 15 Feb) holds today.
    assert [b["state"] for b in data["trend"]] == ["complete"] * 2 + ["partial"] + ["future"] * 3


def test_a_snapshot_of_a_period_over_compares_it_whole_with_the_whole_previous_period():
    project = ProjectFactory()
    repository, dev = repo(project), person("whole", BusinessUnitFactory())
    pr(repository, dev, at(11, 20, 9, year=2025), merged=at(11, 20, 10, year=2025))
    pr(repository, dev, at(3, 31, 9), merged=at(3, 31, 10))

    with time_machine.travel(at(4, 1, 0), tick=False):  # the first moment after the period
        snapshot = snapshots.snapshot_compute(
            scope=scopes.ReportScope(project_id=project.pk), start=START, end=END
        )
    data = snapshots.snapshot_data(snapshot)

    assert data["comparison"]["partial"] is False and data["comparison"]["current"] is None
    assert (data["comparison"]["previous_start"], data["comparison"]["previous_end"]) == (
        date(2025, 10, 3),
        START,
    )
    assert data["previous"]["change_requests_merged"] == 1
    assert {b["state"] for b in data["trend"]} == {"complete"}


def test_a_snapshot_of_a_period_not_begun_has_nothing_to_compare():
    with time_machine.travel(at(12, 31, 12, year=2025), tick=False):
        snapshot = snapshots.snapshot_compute(scope=scopes.ReportScope(), start=START, end=END)
    data = snapshots.snapshot_data(snapshot)

    assert data["comparison"] is None and data["previous"] is None
    assert {b["state"] for b in data["trend"]} == {"future"}
