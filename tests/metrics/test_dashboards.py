"""The metrics API (JSON and CSV) and the program and project dashboards: who may read them, how bad
input is answered, and that they stay within a fixed number of queries as the catalog grows."""

import csv
import io
import json
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from catalog.models import ReviewStatus
from community.models import Practitioner
from metrics import reports
from metrics.models import UsageEvent, UsageKind
from tests.activity import comment, pr, repo, review
from tests.factories import AdoptionFactory, AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory
from tests.metrics.test_metric_selectors import person

pytestmark = pytest.mark.django_db

PROGRAM_API = "/api/v1/metrics/"


def project_api(slug: str) -> str:
    return f"/api/v1/projects/{slug}/metrics/"


@pytest.fixture
def reader(client):
    user = UserFactory(username="reader")
    client.force_login(user)
    return user


def seed(projects: int, requests: int = 200, *, people_prefix: str = "dev") -> list:
    """A catalog like the demo's: `projects` projects of 4 units with assets and adoptions, `requests`
    pull requests spread over them and the last 90 days (merged, reviewed, commented), and usage."""
    units = [BusinessUnitFactory() for _ in range(4)]
    people = [person(f"{people_prefix}{i}", units[i % 4]) for i in range(12)]
    catalog = [ProjectFactory(business_unit=units[i % 4]) for i in range(projects)]
    repositories = [repo(project) for project in catalog]
    now = timezone.now().replace(microsecond=0)
    for i in range(requests):
        created = now - timedelta(days=1 + i % 85, hours=i % 7)
        author = people[i % len(people)]
        request = pr(
            repositories[i % projects],
            author,
            created,
            merged=created + timedelta(hours=20) if i % 3 else None,
        )
        other = people[(i + 1) % len(people)]
        review(request, other, created + timedelta(hours=5), state="approved")
        comment(other, created + timedelta(hours=2), on=request)
    for i, project in enumerate(catalog):
        AdoptionFactory(
            asset=AssetFactory(project=project), business_unit=units[(i + 1) % 4], since=date(2025, 1, 1)
        )
        for kind, extra in [
            (UsageKind.PAGE_VIEW, {}),
            (UsageKind.SEARCH, {"query": f"topic {i % 3}", "result_count": i % 2}),
            (UsageKind.ASSET_DOWNLOAD, {}),
        ]:
            UsageEvent.objects.create(
                event_id=uuid.uuid4(), kind=kind, occurred_at=now - timedelta(days=i % 30 + 1), project=project,
                visitor=f"v:{i % 5}", **extra,
            )  # fmt: skip
    return catalog


def around_the_seed() -> str:
    """A period that holds everything `seed` made (the 90 days before now), whatever day the tests run."""
    today = timezone.now().date()
    return f"start={today - timedelta(days=120)}&end={today + timedelta(days=1)}"


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_answers_401_in_json_to_anonymous_callers(client):
    project = ProjectFactory()
    for url in (PROGRAM_API, project_api(project.slug)):
        response = client.get(url)
        assert response.status_code == 401
        assert "error" in response.json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01&end=2026-04-01", "start"),
        ("start=2026-01-01&end=yesterday", "end"),
        ("start=2026-04-01&end=2026-04-01", "start"),
        ("start=2026-04-02&end=2026-04-01", "start"),
        ("start=1999-12-31&end=2026-04-01", "start"),
        ("start=2026-01-01&end=2999-01-01", "end"),
        ("start=2999-01-01&end=2999-02-01", "start"),
        ("business_unit=nowhere", "business_unit"),
        ("days=7", "days"),
    ],
)
def test_bad_periods_and_unknown_units_are_refused_with_the_field_named(client, reader, query, field):
    response = client.get(f"{PROGRAM_API}?{query}")

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"]


def test_any_period_of_the_recorded_history_is_answered_however_long(client, reader):
    # No cap on the length: from the earliest day accepted to today.
    today = timezone.now().date()
    response = client.get(f"{PROGRAM_API}?start=2000-01-01&end={today.isoformat()}")

    assert response.status_code == 200
    assert response.json()["period"] == {"start": "2000-01-01", "end": today.isoformat()}


def test_the_project_api_refuses_a_bad_period_too(client, reader):
    project = ProjectFactory()
    response = client.get(f"{project_api(project.slug)}?start=2026-04-01&end=2026-01-01")
    assert response.status_code == 400 and response.json()["field"] == "start"


def test_an_unknown_or_unlisted_project_is_404_in_json(client, reader):
    pending = ProjectFactory(review_status=ReviewStatus.PENDING)
    for slug in ("no-such-project", pending.slug):
        response = client.get(project_api(slug))
        assert response.status_code == 404
        assert "error" in response.json()


def test_the_default_period_is_the_90_days_ending_today(client, reader):
    today = timezone.now().date()
    report = client.get(PROGRAM_API).json()
    assert report["period"] == {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat()}


def test_the_project_api_answers_the_report_of_the_project(client, reader):
    project = seed(2, requests=10)[0]
    report = client.get(f"{project_api(project.slug)}?{around_the_seed()}").json()

    assert report["scope"] == "project" and report["slug"] == project.slug
    assert report["contribution_activity"]["change_requests_opened"] == 5
    assert "journey" not in report


def test_a_business_unit_filters_the_program_api(client, reader):
    ours, theirs = BusinessUnitFactory(slug="ours"), BusinessUnitFactory(slug="theirs")
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=ours)), since=date(2025, 1, 1))
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=theirs)), since=date(2025, 1, 1))
    AdoptionFactory(asset=AssetFactory(project=ProjectFactory(business_unit=theirs)), since=date(2025, 1, 1))

    ours_report = client.get(f"{PROGRAM_API}?start=2026-01-01&end=2026-04-01&business_unit=ours").json()
    everything = client.get(f"{PROGRAM_API}?start=2026-01-01&end=2026-04-01").json()

    assert ours_report["business_unit"] == "ours"
    assert ours_report["reuse_and_collaboration"]["adoptions_active"] == 1
    assert everything["reuse_and_collaboration"]["adoptions_active"] == 3


def test_the_csv_parses_and_holds_the_same_figures_as_the_json(client, reader):
    seed(3, requests=30)
    query = around_the_seed()
    report = client.get(f"{PROGRAM_API}?{query}").json()
    response = client.get(f"{PROGRAM_API}?{query}&format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["category", "key", "value"]
    figures = {(category, key): value for category, key, value in rows[1:]}
    expected = {(c, k): "" if v is None else str(v) for c, k, v in reports.report_rows(report)}
    assert figures == expected
    assert figures["contribution_activity", "change_requests_opened"] == str(
        report["contribution_activity"]["change_requests_opened"]
    )
    assert report["contribution_activity"]["change_requests_opened"] == 30
    assert figures["time_to_value", "time_to_first_response.median_hours"] == "2.0"


# --- the dashboards --------------------------------------------------------------------------------


def test_the_dashboards_send_anonymous_people_to_sign_in(client):
    project = ProjectFactory()
    for url in (reverse("metrics:dashboard"), reverse("metrics:project_dashboard", args=[project.slug])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_project_dashboard_route_resolves_before_the_catalogs_patterns():
    assert reverse("metrics:project_dashboard", args=["payments"]) == "/catalog/payments/metrics/"


def searched(query: str, *, by: list[str], result_count: int = 1, days_ago: int = 3) -> None:
    """One search event per visitor in `by`."""
    when = timezone.now() - timedelta(days=days_ago)
    for visitor in by:
        UsageEvent.objects.create(
            event_id=uuid.uuid4(), kind=UsageKind.SEARCH, occurred_at=when, visitor=visitor,
            query=query, result_count=result_count,
        )  # fmt: skip


def test_the_program_dashboard_shows_the_four_categories_with_charts_tables_and_changes(client, reader):
    seed(4, requests=40)
    searched("topic 0", by=["u:1", "u:2", "u:3"])
    response = client.get(reverse("metrics:dashboard"), {"days": 90})

    assert response.status_code == 200
    html = response.content.decode()
    for title in (
        "Contribution activity",
        "Community engagement",
        "Reuse and collaboration",
        "Time to value",
    ):
        assert f">{title}</h2>" in html
    assert html.count('role="img"') >= 5 and "<title id=" in html and "<desc id=" in html
    assert html.count("<details>") >= 5  # every chart's data table
    assert "Practitioner journey" in html and "InnerSource ratio" in html
    assert "answered within 2 business days" in html
    assert "topic 0" in html  # top searches
    assert "Most adopted assets" in html and "format=csv" in html
    # The change is written out, not only shown by colour or arrow.
    assert "new: none in the previous period" in html or "% (" in html


def test_the_program_dashboard_exports_what_it_shows_as_csv(client, reader):
    seed(2, requests=10)
    response = client.get(reverse("metrics:dashboard"), {"days": 30, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["category", "key", "value"] and ("journey", "stage_counts.explorer") in {
        (r[0], r[1]) for r in rows
    }


def test_a_bad_period_on_the_dashboard_is_shown_next_to_its_field(client, reader):
    response = client.get(reverse("metrics:dashboard"), {"start": "2026-05-01", "end": "2026-04-01"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-start"' in html and 'aria-invalid="true"' in html


def test_the_project_dashboard_shows_the_projects_figures_without_the_program_only_parts(client, reader):
    project = seed(2, requests=20)[0]
    response = client.get(reverse("metrics:project_dashboard", args=[project.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Metrics of {project.name}" in html
    assert "Practitioner journey" not in html and "What people search for" not in html
    assert client.get(reverse("metrics:project_dashboard", args=["no-such-project"])).status_code == 404


def test_the_project_page_links_to_its_metrics_for_signed_in_people(client, reader):
    project = ProjectFactory()
    html = client.get(project.get_absolute_url()).content.decode()
    assert reverse("metrics:project_dashboard", args=[project.slug]) in html


def _queries(client, url, django_assert_max_num_queries, bound):
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# Computing a snapshot, measured (SQLite and PostgreSQL alike): program 128 queries for 30 or 90 days (six
# trend buckets), 182 for 365 days (twelve); project 116 (90 days). The bounds leave room for the e-mail lookups that account-less
# commits add (one per contributors computation: up to 16) and the session and user.
PROGRAM_BOUNDS = {30: 150, 365: 210}
PROJECT_BOUND = 150


@pytest.mark.parametrize("days", [30, 365])
def test_the_program_dashboard_runs_the_same_bounded_number_of_queries_for_5_and_20_projects(
    client, reader, django_assert_max_num_queries, days, settings
):
    # Every request recomputes its snapshot (inline, as in the embedded mode): the computation's cost.
    settings.METRICS_SNAPSHOT_MAX_AGE = 0
    Practitioner.objects.create(user=reader, display_name="Reader")
    seed(5)
    url = f"{reverse('metrics:dashboard')}?days={days}"
    client.get(url)  # the snapshot's row exists from now on
    small = _queries(client, url, django_assert_max_num_queries, PROGRAM_BOUNDS[days])
    more = seed(15, people_prefix="more")
    assert len(more) == 15
    large = _queries(client, url, django_assert_max_num_queries, PROGRAM_BOUNDS[days])
    assert small == large


def test_the_project_dashboard_runs_a_bounded_number_of_queries(
    client, reader, django_assert_max_num_queries
):
    project = seed(20)[0]
    url = reverse("metrics:project_dashboard", args=[project.slug])
    _queries(client, url, django_assert_max_num_queries, PROJECT_BOUND)


def test_the_api_answers_in_a_bounded_number_of_queries(client, reader, django_assert_max_num_queries):
    seed(20)
    # With no snapshot it computes and stores the dashboard's whole snapshot (measured: 122 queries), which
    # then answers the next call, and the dashboard, in a few.
    with django_assert_max_num_queries(PROGRAM_BOUNDS[30]):
        response = client.get(PROGRAM_API)
    assert json.loads(response.content)["contribution_activity"]["change_requests_opened"] > 0
    with django_assert_max_num_queries(8):
        again = client.get(PROGRAM_API)
    assert again.json() == response.json()


def test_a_search_shows_on_the_dashboard_only_once_three_people_typed_it(client, reader):
    searched("quiet words", by=["u:1", "u:1", "u:1", "u:2"])  # two people, four searches
    searched("shared words", by=["u:1", "u:2", "u:3"])
    # Three browsers without a sign-in may be one person: anonymous visitors do not count.
    searched("anonymous words", by=["v:browser-1", "v:browser-2", "v:browser-3", "u:1", "u:2"])
    searched("lost words", by=["u:1", "u:2", "u:3"], result_count=0)
    searched("unknown visitors", by=["", "", ""])  # nobody can tell whether that is three people

    html = client.get(reverse("metrics:dashboard"), {"days": 30}).content.decode()

    assert "shared words" in html and "lost words" in html
    assert "quiet words" not in html and "unknown visitors" not in html and "anonymous words" not in html


def test_a_search_that_finds_a_restricted_project_shows_only_to_those_who_see_it(client, reader):
    from catalog.models import Visibility
    from catalog.search_index import entries_rebuild

    host = BusinessUnitFactory(slug="defence")
    secret = ProjectFactory(name="Nightingale Radar", business_unit=host, visibility=Visibility.UNITS)
    entries_rebuild(project_ids=[secret.pk])
    searched("nightingale", by=["u:1", "u:2", "u:3"])
    searched("kafka", by=["u:1", "u:2", "u:3"], result_count=0)

    blind = client.get(reverse("metrics:dashboard"), {"days": 30}).content.decode()
    Practitioner.objects.create(user=reader, display_name="Reader", business_unit=host)
    seeing = client.get(reverse("metrics:dashboard"), {"days": 30}).content.decode()

    assert "kafka" in blind and "nightingale" not in blind
    assert "nightingale" in seeing
    # A business unit's dashboard shows no searches (they are the whole portal's), so none leak there.
    other = BusinessUnitFactory(slug="retail")
    Practitioner.objects.filter(user=reader).update(business_unit=None)
    by_unit = client.get(
        reverse("metrics:dashboard"), {"days": 30, "business_unit": other.slug}
    ).content.decode()
    assert "nightingale" not in by_unit and "What people search for" not in by_unit


# --- periods not over yet ---------------------------------------------------------------------------


@pytest.fixture
def noon_tomorrow():
    """The clock stands still at noon tomorrow (after the test database's rows were written), so that
    "today" and the time of day are known to the test; the data is made relative to it."""
    tomorrow = timezone.now().date() + timedelta(days=1)
    with time_machine.travel(datetime.combine(tomorrow, time(12), tzinfo=UTC), tick=False):
        yield timezone.now()


def merged_requests(repository, author, *moments) -> None:
    for moment in moments:
        pr(repository, author, moment - timedelta(hours=2), merged=moment)


def test_a_period_not_over_marks_the_bucket_of_today_so_far_and_compares_its_complete_days_only(
    client, reader, noon_tomorrow
):
    now, today = noon_tomorrow, noon_tomorrow.date()
    project = ProjectFactory()
    repository, dev = repo(project), person("partial-dev", BusinessUnitFactory())
    # The previous period of [today - 10, today + 20) is [today - 40, today - 10): 2 merged in its first
    # 10 days, 4 after them. This period: 3 merged in its 10 complete days, 1 this morning.
    merged_requests(repository, dev, *(now - timedelta(days=d) for d in (35, 33, 28, 20, 15, 11)))
    merged_requests(
        repository, dev, now - timedelta(days=8), now - timedelta(days=3), now - timedelta(days=1)
    )
    merged_requests(repository, dev, now - timedelta(hours=3))
    period = {"start": today - timedelta(days=10), "end": today + timedelta(days=20)}

    response = client.get(reverse("metrics:project_dashboard", args=[project.slug]), period)

    assert response.status_code == 200
    html = response.content.decode()
    merged = next(
        h for c in response.context["categories"] for h in c["headlines"] if h["label"] == "Merged requests"
    )
    assert merged["value"] == 4  # the headline: the period so far, this morning included
    assert merged["change"]["text"] == (
        "up 50% (better; 3 in its first 10 days, against 2 in the first 10 days of the previous period)"
    )
    assert "its 10 complete days are compared with the first 10 days of the previous period" in html
    # 30 days in six buckets of 5: two over, the one holding today so far, three not begun.
    assert [b["state"] for b in response.context["trend"]] == ["complete"] * 2 + ["partial"] + ["future"] * 3
    today_label, later_label = (
        f"{today.day} {today:%b}",
        f"{(today + timedelta(days=5)).day} {today + timedelta(days=5):%b}",
    )
    # In the data table, in words: the bucket of today is so far, the later ones have no figure yet.
    assert f'<th scope="row">{today_label} <em>(so far: not a complete bucket)</em></th><td>1</td>' in html
    assert (
        f'<th scope="row">{later_label} <em>(not started: not a complete bucket)</em></th><td>—</td>' in html
    )
    # On the chart: the bar drawn apart (faded, dashed outline), labelled, and said in its description.
    chart = merged["chart"].svg
    assert chart.count('class="chart__bar chart__bar--noted"') == 1 and 'stroke-dasharray="4 3"' in chart
    assert ">so far</text>" in chart and f"<title>{today_label} (so far): 1</title>" in chart
    assert f"{today_label}: so far, not a complete bucket." in chart


def test_the_default_period_ends_with_yesterday_so_no_bucket_is_marked_and_the_whole_periods_compare(
    client, reader, noon_tomorrow
):
    now = noon_tomorrow
    project = ProjectFactory()
    repository, dev = repo(project), person("whole-dev", BusinessUnitFactory())
    merged_requests(
        repository, dev, now - timedelta(days=100), now - timedelta(days=30), now - timedelta(days=2)
    )
    merged_requests(repository, dev, now - timedelta(hours=3))  # today: after the default period

    response = client.get(reverse("metrics:project_dashboard", args=[project.slug]))

    html = response.content.decode()
    assert {b["state"] for b in response.context["trend"]} == {"complete"}
    assert "not a complete bucket" not in html and "chart__bar--noted" not in html
    merged = next(
        h for c in response.context["categories"] for h in c["headlines"] if h["label"] == "Merged requests"
    )
    assert merged["value"] == 2 and merged["change"]["text"] == "up 100% (better; previously 1)"
    assert "compared with the 90 days before" in html


def test_a_period_that_has_not_begun_is_compared_with_nothing(client, reader, noon_tomorrow):
    today = noon_tomorrow.date()
    period = {"start": today + timedelta(days=1), "end": today + timedelta(days=8)}

    response = client.get(reverse("metrics:dashboard"), period)

    html = response.content.decode()
    assert response.status_code == 200
    assert "No day of it is over yet, so it is not compared with the previous period." in html
    assert "no comparison yet: no day of this period is over" in html
    assert {b["state"] for b in response.context["trend"]} == {"future"}
    # Stages and adoptions are today's, and say so (not a day still to come).
    assert f"People at each stage on {today.day} {today:%b %Y}" in html
