"""A person reads the program dashboard, changes its period, downloads its CSV, and the dashboards stay
accessible and fit a 360 px wide phone."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from metrics.models import UsageKind
from metrics.rollups import rollup_day
from metrics.usage import EVENTS_KEY, PROCESSING_KEY, redis_client, usage_drain, usage_record
from tests.activity import account, pr, repo, review
from tests.factories import BusinessUnitFactory, ProjectFactory

CATEGORY_HEADINGS = [
    "Contribution activity",
    "Community engagement",
    "Reuse and collaboration",
    "Time to value",
]


@pytest.fixture
def history(transactional_db):
    """A listed project with a repository: three requests merged in the last 90 days and one 200 days
    ago, each reviewed; page views and searches of the last weeks, rolled up."""
    now = timezone.now().replace(microsecond=0)
    unit = BusinessUnitFactory(name="Data Platform", slug="data-platform")
    project = ProjectFactory(name="Kafka Connect Toolkit", business_unit=unit)
    repository = repo(project)
    author, reviewer = account("ada"), account("rey")
    for days_ago in (10, 20, 40, 200):
        opened = now - timedelta(days=days_ago)
        request = pr(repository, author, opened, merged=opened + timedelta(hours=30), merged_by=reviewer)
        review(request, reviewer, opened + timedelta(hours=4))

    # With Redis the events queue up for the drain: start from an empty queue (other tests leave events
    # behind) and drain before rolling up, as the worker would.
    client = redis_client()
    if client is not None:
        client.delete(EVENTS_KEY, PROCESSING_KEY)
    days = set()
    for days_ago in (3, 5, 8, 13):
        at = now - timedelta(days=days_ago)
        days.add(at.date())
        usage_record(
            kind=UsageKind.PAGE_VIEW, project=project, occurred_at=at, path=project.get_absolute_url()
        )
        usage_record(kind=UsageKind.SEARCH, occurred_at=at, path="/catalog/", query="kafka", result_count=2)
    usage_drain()
    for day in sorted(days):
        rollup_day(day=day)
    return project


def test_a_person_reads_the_program_dashboard_changes_the_period_and_downloads_the_csv(
    page, live_server, person, login, history, axe
):
    reader = person("rita", first_name="Rita", last_name="Reader")
    login(page, reader)

    page.goto(f"{live_server.url}/metrics/")
    expect(page.locator("h1")).to_have_text("Program metrics")
    expect(page.locator(".metric-category h2")).to_have_text(CATEGORY_HEADINGS)
    merged = page.locator(".headline", has=page.get_by_role("heading", name="Merged requests"))
    expect(merged.locator(".headline__value")).to_have_text("3")
    views = page.locator(".headline", has=page.get_by_role("heading", name="Page views"))
    expect(views.locator(".headline__value")).to_have_text("4")
    expect(page.locator(".project-head")).to_contain_text("(90 days)")
    axe(page, "/metrics/")

    # A longer period: the preset is in the URL, and the request of 200 days ago counts now.
    page.get_by_label("Last 365 days").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]days=365(&|$)"))
    expect(page.locator(".project-head")).to_contain_text("(365 days)")
    expect(merged.locator(".headline__value")).to_have_text("4")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("metrics-program-")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["category", "key", "value"]
    values = {(category, key): value for category, key, value in rows[1:]}
    assert values[("contribution_activity", "change_requests_merged")] == "4"
    assert values[("community_engagement", "page_views")] == "4"

    # The project's own dashboard.
    page.goto(f"{live_server.url}/catalog/{history.slug}/metrics/")
    expect(page.locator("h1")).to_have_text("Metrics of Kafka Connect Toolkit")
    expect(page.locator(".metric-category h2")).to_have_text(CATEGORY_HEADINGS)
    axe(page, "the project dashboard")


def test_the_program_dashboard_fits_a_360_px_wide_screen(page, live_server, person, login, history):
    reader = person("rita", first_name="Rita", last_name="Reader")
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, reader)

    page.goto(f"{live_server.url}/metrics/?days=365")
    expect(page.locator(".metric-category h2")).to_have_text(CATEGORY_HEADINGS)
    # The data tables behind the charts are inside <details>: open them, they must fit as well.
    for summary in page.locator("main details > summary").all():
        summary.click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px: {width} px wide"
