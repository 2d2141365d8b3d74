import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.search_index import entries_rebuild
from community.models import Guide, Practitioner
from metrics import rollups, usage
from metrics.models import DailyRollup, UsageEvent, UsageKind
from tests.factories import NEWCOMER_SIGN_UP, AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def embedded(settings):
    """The embedded mode, whichever pass this is (the PostgreSQL pass sets REDIS_URL)."""
    settings.REDIS_URL = ""


@pytest.fixture
def browser(client):
    client.defaults["HTTP_USER_AGENT"] = BROWSER
    return client


def events(kind=None):
    qs = UsageEvent.objects.order_by("occurred_at", "pk")
    return list(qs.filter(kind=kind) if kind else qs)


def inserts(queries) -> int:
    return sum(1 for q in queries if q["sql"].lstrip().upper().startswith("INSERT"))


# --- recording and the drain ----------------------------------------------------------------------


def test_in_the_embedded_mode_an_event_is_written_directly_to_the_database(embedded):
    project = ProjectFactory()
    event_id = usage.usage_record(kind=UsageKind.ASSET_DOWNLOAD, project=project, consumer="ci")
    event = UsageEvent.objects.get()
    assert str(event.event_id) == event_id
    assert (event.kind, event.project, event.consumer, event.quantity) == ("asset_download", project, "ci", 1)


def test_with_redis_events_go_to_the_list_and_the_drain_inserts_them_in_one_bulk(queue):
    ids = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/p/{n}/") for n in range(5)]
    assert queue.llen(usage.EVENTS_KEY) == 5
    assert not UsageEvent.objects.exists()
    with CaptureQueriesContext(connection) as captured:
        assert usage.usage_drain() == 5
    assert inserts(captured.captured_queries) == 1
    assert sorted(str(e.event_id) for e in events()) == sorted(ids)
    assert queue.llen(usage.EVENTS_KEY) == queue.llen(usage.PROCESSING_KEY) == 0
    assert usage.usage_drain() == 0
    assert UsageEvent.objects.count() == 5


def test_an_event_queued_twice_is_stored_once(queue):
    usage.usage_record(kind=UsageKind.SEARCH, query="kafka", result_count=3)
    item = queue.lindex(usage.EVENTS_KEY, 0)
    queue.rpush(usage.EVENTS_KEY, item)
    assert usage.usage_drain() == 1
    queue.rpush(usage.EVENTS_KEY, item)
    assert usage.usage_drain() == 0
    assert UsageEvent.objects.get().result_count == 3


def test_a_crash_between_claiming_and_storing_loses_and_duplicates_nothing(queue):
    first = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/a/{n}/") for n in range(4)]
    claimed = usage._claim(1000)
    # The worker dies here: the batch was taken from the queue but never stored.
    assert len(claimed) == 4
    assert queue.llen(usage.EVENTS_KEY) == 0
    assert queue.llen(usage.PROCESSING_KEY) == 4
    later = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/b/{n}/") for n in range(3)]
    assert usage.usage_drain() == 7
    stored = [str(e.event_id) for e in events()]
    assert sorted(stored) == sorted(first + later)
    assert queue.llen(usage.PROCESSING_KEY) == 0


def test_a_crash_after_storing_but_before_acknowledging_duplicates_nothing(queue):
    ids = [usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/c/{n}/") for n in range(3)]
    claimed = usage._claim(1000)
    assert usage._store(claimed) == 3
    # The worker dies before removing the batch from processing: the next drain sees it again.
    assert usage.usage_drain() == 0
    assert sorted(str(e.event_id) for e in events()) == sorted(ids)
    assert queue.llen(usage.PROCESSING_KEY) == 0


def test_the_drain_takes_batches_until_the_queue_is_empty(queue):
    for n in range(25):
        usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/d/{n}/")
    assert usage.usage_drain(batch_size=10) == 25
    assert UsageEvent.objects.count() == 25


def test_a_drain_stops_after_its_batches_and_leaves_nothing_claimed(queue, monkeypatch):
    monkeypatch.setattr(usage.draining, "DRAIN_MAX_BATCHES", 2)
    for n in range(25):
        usage.usage_record(kind=UsageKind.PAGE_VIEW, path=f"/e/{n}/")
    assert usage.usage_drain(batch_size=10) == 20
    # The rest waits in the queue for the next drain, none of it half-taken into processing.
    assert (queue.llen(usage.EVENTS_KEY), queue.llen(usage.PROCESSING_KEY)) == (5, 0)
    assert usage.usage_drain(batch_size=10) == 5
    assert UsageEvent.objects.count() == 25


def test_event_ids_are_time_ordered_uuids():
    import time
    import uuid

    before = time.time_ns() // 1_000_000
    ids = [usage.new_event_id() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {uuid.RFC_4122}
    assert len(set(ids)) == 1000
    # The first 48 bits are the Unix time in milliseconds, so ids sort by when they were made.
    assert all(before <= i.int >> 80 <= after for i in ids)
    time.sleep(0.002)
    assert usage.new_event_id() > max(ids)


def test_a_malformed_queued_item_is_set_aside_without_blocking_the_others(queue, caplog):
    queue.rpush(usage.EVENTS_KEY, b"{not json", json.dumps({"kind": "nonsense"}))
    usage.usage_record(kind=UsageKind.PAGE_VIEW, path="/ok/")
    assert usage.usage_drain() == 1
    assert queue.llen(usage.DEAD_KEY) == 2
    assert "malformed event set aside" in caplog.text


def test_an_event_whose_project_was_deleted_meanwhile_is_kept_without_it(queue):
    project = ProjectFactory()
    usage.usage_record(kind=UsageKind.CONTRIBUTE_CLICK, project=project)
    project.delete()
    assert usage.usage_drain() == 1
    assert UsageEvent.objects.get().project is None


def test_with_redis_recording_a_signed_in_persons_page_view_runs_no_query(queue):
    unit = BusinessUnitFactory(slug="retail")
    person = UserFactory(username="reader")
    Practitioner.objects.create(user=person, display_name="Reader", business_unit=unit)
    project = ProjectFactory(slug="ledger")
    request = RequestFactory().get("/catalog/ledger/", HTTP_USER_AGENT=BROWSER)
    request.user = get_user_model().objects.get(pk=person.pk)
    with CaptureQueriesContext(connection) as captured:
        usage.usage_record(kind=UsageKind.PAGE_VIEW, request=request, project_slug="ledger")
    assert captured.captured_queries == []
    usage.usage_drain()
    view = UsageEvent.objects.get()
    assert (view.visitor, view.user, view.business_unit, view.project) == (
        f"u:{person.pk}",
        person,
        unit,
        project,
    )


def test_when_redis_is_unreachable_the_page_is_served_and_the_event_written_directly(
    browser, settings, caplog
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = browser.get("/")
    assert response.status_code == 200
    view = UsageEvent.objects.get(kind=UsageKind.PAGE_VIEW)
    assert view.path == "/"
    assert "Redis unavailable" in caplog.text


def test_an_unknown_field_is_a_programming_error(embedded):
    with pytest.raises(TypeError, match="colour"):
        usage.usage_record(kind=UsageKind.PAGE_VIEW, colour="red")


# --- who: visitors, Do-Not-Track, crawlers ----------------------------------------------------------


def test_an_anonymous_visitor_gets_a_cookie_and_a_stable_pseudonymous_id(browser, embedded):
    first = browser.get("/")
    cookie = first.cookies[usage.VISITOR_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 365 * 24 * 60 * 60
    second = browser.get("/guidelines/")
    assert usage.VISITOR_COOKIE not in second.cookies  # not set again
    views = events(UsageKind.PAGE_VIEW)
    assert [v.path for v in views] == ["/", "/guidelines/"]
    assert views[0].visitor == views[1].visitor == f"v:{cookie.value}"
    assert views[0].user is None


def test_a_signed_in_persons_page_view_carries_their_account_and_business_unit(browser, embedded):
    unit = BusinessUnitFactory(name="Retail", slug="retail")
    person = UserFactory(username="reader")
    Practitioner.objects.create(user=person, display_name="Reader", business_unit=unit)
    browser.force_login(person)
    response = browser.get("/guidelines/")
    assert usage.VISITOR_COOKIE not in response.cookies
    view = UsageEvent.objects.get(kind=UsageKind.PAGE_VIEW)
    assert (view.visitor, view.user, view.business_unit) == (f"u:{person.pk}", person, unit)


@pytest.mark.parametrize("header", ["HTTP_DNT", "HTTP_SEC_GPC"])
def test_do_not_track_and_global_privacy_control_mean_no_page_view_and_no_cookie(browser, embedded, header):
    response = browser.get("/", **{header: "1"})
    assert response.status_code == 200
    assert usage.VISITOR_COOKIE not in response.cookies
    assert not UsageEvent.objects.exists()


def test_with_do_not_track_a_download_is_counted_without_anyone_behind_it(browser, embedded):
    guide = Guide.objects.filter(kind=Guide.Kind.TEMPLATE).first()
    browser.force_login(UserFactory())
    response = browser.get(reverse("community:guide_download", args=[guide.slug]), HTTP_DNT="1")
    assert response.status_code == 200
    download = UsageEvent.objects.get()
    assert (download.kind, download.visitor, download.user) == ("template_download", "", None)


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Some-Spider 1.0",
    ],
)
def test_a_known_crawler_is_not_counted(client, embedded, agent):
    response = client.get("/", HTTP_USER_AGENT=agent)
    assert response.status_code == 200
    assert usage.VISITOR_COOKIE not in response.cookies
    assert not UsageEvent.objects.exists()


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/static/js/usage.js", "/admin/login/", "/no-such-page/"]
)
def test_probes_assets_the_admin_and_missing_pages_are_not_page_views(browser, embedded, path):
    browser.get(path)
    assert not UsageEvent.objects.filter(kind=UsageKind.PAGE_VIEW).exists()


def test_a_project_page_view_counts_for_its_project(browser, embedded):
    project = ProjectFactory(slug="ledger")
    asset = AssetFactory(project=project, slug="sdk")
    browser.get(reverse("catalog:project", args=["ledger"]))
    browser.get(reverse("catalog:asset", args=["ledger", "sdk"]))
    views = events(UsageKind.PAGE_VIEW)
    assert [(v.project, v.asset) for v in views] == [(project, None), (project, asset)]


# --- searches, clicks -----------------------------------------------------------------------------


@pytest.fixture
def searchable(db):
    projects = [ProjectFactory(name=f"Payments engine {n}", slug=f"payments-{n}") for n in range(3)]
    entries_rebuild(project_ids=[p.pk for p in projects])
    return projects


def test_searches_are_recorded_with_their_result_counts_through_the_catalog_page(
    browser, embedded, searchable
):
    response = browser.get(reverse("catalog:search"), {"q": "payments"})
    assert response.status_code == 200
    browser.get(reverse("catalog:search"), {"q": "zzzqqqxxy"})
    searches = events(UsageKind.SEARCH)
    assert [(s.query, s.result_count) for s in searches] == [("payments", 3), ("zzzqqqxxy", 0)]
    # The event id is the one the result list hands to the click beacon.
    assert f'data-search-id="{searches[0].event_id}"' in response.content.decode()
    assert searches[0].visitor.startswith("v:")
    assert UsageEvent.objects.filter(kind=UsageKind.PAGE_VIEW).count() == 2


def test_a_search_as_you_type_is_a_search_but_its_partial_is_not_a_page_view(browser, embedded, searchable):
    browser.get(
        reverse("catalog:search"),
        {"q": "payments"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="catalog-results",
    )
    assert [e.kind for e in events()] == ["search"]


def test_opening_the_catalog_without_a_query_is_not_a_search(browser, embedded, searchable):
    browser.get(reverse("catalog:search"))
    browser.get(reverse("catalog:search"), {"sort": "name"})
    assert not UsageEvent.objects.filter(kind=UsageKind.SEARCH).exists()


def beacon(client, payload, content_type="text/plain", **extra):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(reverse("metrics:usage_beacon"), body, content_type=content_type, **extra)


def test_the_beacon_records_a_valid_result_click(browser, embedded):
    project = ProjectFactory(slug="ledger")
    search_id = uuid.uuid4()
    path = reverse("catalog:project", args=["ledger"])
    response = beacon(
        browser, {"kind": "result_click", "search_id": str(search_id), "position": 3, "path": path}
    )
    assert response.status_code == 204
    click = UsageEvent.objects.get()
    assert (click.kind, click.search_event_id, click.position, click.path, click.project) == (
        "result_click",
        search_id,
        3,
        path,
        project,
    )


def test_the_beacon_records_a_contribute_click_as_json_too(browser, embedded):
    project = ProjectFactory(slug="ledger")
    response = beacon(browser, {"kind": "contribute_click", "project": "ledger"}, "application/json")
    assert response.status_code == 204
    assert UsageEvent.objects.get().project == project


GOOD_CLICK = {"kind": "result_click", "search_id": str(uuid.uuid4()), "position": 1, "path": "/catalog/x/"}


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[1, 2]",
        {"kind": "page_view"},
        {**GOOD_CLICK, "search_id": "nope"},
        {**GOOD_CLICK, "position": 0},
        {**GOOD_CLICK, "position": "2"},
        {**GOOD_CLICK, "position": True},
        {**GOOD_CLICK, "path": "https://evil.example/"},
        {**GOOD_CLICK, "path": "//evil.example/"},
        {**GOOD_CLICK, "extra": 1},
        {"kind": "contribute_click", "project": "no-such-project"},
        {"kind": "contribute_click"},
        json.dumps({**GOOD_CLICK, "path": "/" + "a" * 5000}),
    ],
)
def test_the_beacon_rejects_malformed_input_with_400(browser, embedded, payload):
    response = beacon(browser, payload)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not UsageEvent.objects.exists()


def test_the_beacon_refuses_other_content_types_get_and_other_sites(browser, embedded):
    assert beacon(browser, GOOD_CLICK, "application/x-www-form-urlencoded").status_code == 400
    assert browser.get(reverse("metrics:usage_beacon")).status_code == 405
    assert beacon(browser, GOOD_CLICK, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert beacon(browser, GOOD_CLICK, HTTP_ORIGIN="http://testserver").status_code == 204


def test_a_click_under_do_not_track_is_accepted_but_not_recorded(browser, embedded):
    assert beacon(browser, GOOD_CLICK, HTTP_DNT="1").status_code == 204
    assert not UsageEvent.objects.exists()


# --- consumption, adoption, sign-up -----------------------------------------------------------------


def test_a_template_download_and_the_starter_kit_record_events(browser, embedded):
    project = ProjectFactory(slug="ledger")
    guide = Guide.objects.filter(kind=Guide.Kind.TEMPLATE).first()
    url = reverse("community:guide_download", args=[guide.slug])
    assert browser.get(url, {"project": "ledger"}).status_code == 200
    assert browser.get(reverse("community:starter_kit")).status_code == 200
    downloads = events(UsageKind.TEMPLATE_DOWNLOAD)
    assert [(d.project, d.path) for d in downloads] == [
        (project, f"{url}?project=ledger"),
        (None, reverse("community:starter_kit")),
    ]
    assert downloads[0].visitor.startswith("v:")


def test_use_this_records_an_event_with_the_team_as_consumer(
    browser, embedded, starter, django_capture_on_commit_callbacks
):
    unit = BusinessUnitFactory(name="Retail", slug="retail")
    Practitioner.objects.create(user=starter, display_name="Sam", business_unit=unit)
    asset = AssetFactory(slug="sdk")
    browser.force_login(starter)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            reverse("catalog:adopt", args=[asset.project.slug, asset.slug]),
            {"business_unit": unit.pk, "team": "Checkout", "since": "2026-01-05"},
        )
    assert response.status_code == 302
    event = UsageEvent.objects.get(kind=UsageKind.USE_THIS)
    assert (event.asset, event.project, event.consumer) == (asset, asset.project, "Checkout")
    assert (event.user, event.business_unit, event.visitor) == (starter, unit, f"u:{starter.pk}")


def test_a_sign_up_is_recorded(browser, embedded):
    response = browser.post("/accounts/signup/", NEWCOMER_SIGN_UP)
    assert response.status_code == 302
    event = UsageEvent.objects.get(kind=UsageKind.SIGN_UP)
    assert event.user.email == "new.person@acme.example"
    assert event.visitor == f"u:{event.user.pk}"


# --- rollups and retention ------------------------------------------------------------------------


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def make(kind, when, **fields) -> UsageEvent:
    return UsageEvent.objects.create(event_id=uuid.uuid4(), kind=kind, occurred_at=when, **fields)


DAY = date(2026, 3, 2)


@pytest.fixture
def hand_built(settings):
    settings.USAGE_RETENTION_DAYS = 100_000  # whatever the date the suite runs on
    ledger, other = ProjectFactory(slug="ledger"), ProjectFactory(slug="other")
    unit = BusinessUnitFactory(slug="retail")
    make(UsageKind.PAGE_VIEW, at(DAY, 0), project=ledger, visitor="v:a")
    make(UsageKind.PAGE_VIEW, at(DAY, 9), project=ledger, visitor="v:a")
    make(UsageKind.PAGE_VIEW, at(DAY, 23), project=ledger, visitor="v:b")
    make(UsageKind.PAGE_VIEW, at(DAY, 10), project=ledger, visitor="")
    make(UsageKind.PAGE_VIEW, at(DAY, 10), project=other, visitor="v:a")
    make(UsageKind.ASSET_DOWNLOAD, at(DAY, 11), project=ledger, business_unit=unit, quantity=5)
    make(UsageKind.ASSET_DOWNLOAD, at(DAY, 12), project=ledger, business_unit=unit, quantity=2)
    make(
        UsageKind.PAGE_VIEW, at(DAY - timedelta(days=1), 23), project=ledger, visitor="v:c"
    )  # the day before
    make(UsageKind.PAGE_VIEW, at(DAY + timedelta(days=1), 0), project=ledger, visitor="v:d")  # the day after
    return ledger, other, unit


def rollup_rows(day=DAY):
    return sorted(
        DailyRollup.objects.filter(day=day).values_list(
            "kind", "project__slug", "asset_id", "business_unit__slug", "events", "quantity", "visitors"
        )
    )


def test_rollup_day_aggregates_one_day_per_kind_project_asset_and_unit(hand_built):
    assert rollups.rollup_day(day=DAY) == 3
    assert rollup_rows() == [
        ("asset_download", "ledger", None, "retail", 2, 7, 0),
        ("page_view", "ledger", None, None, 4, 4, 2),
        ("page_view", "other", None, None, 1, 1, 1),
    ]


def test_rebuilding_a_day_twice_yields_the_same_rows(hand_built):
    rollups.rollup_day(day=DAY)
    first = rollup_rows()
    make(UsageKind.PAGE_VIEW, at(DAY, 13), project=hand_built[1], visitor="v:z")  # a late event
    rollups.rollup_day(day=DAY)
    rollups.rollup_day(day=DAY)
    second = rollup_rows()
    assert DailyRollup.objects.filter(day=DAY).count() == 3
    assert [r for r in second if r[1] == "ledger"] == [r for r in first if r[1] == "ledger"]
    assert ("page_view", "other", None, None, 2, 2, 2) in second


def test_the_rollup_metrics_command_rebuilds_the_day_it_is_given(hand_built, capsys):
    call_command("rollup_metrics", "--date", "2026-03-02")
    assert "2026-03-02: 3 rollup rows" in capsys.readouterr().out
    assert len(rollup_rows()) == 3
    assert not DailyRollup.objects.exclude(day=DAY).exists()


def test_the_rollup_metrics_command_refuses_a_date_that_is_not_one(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("rollup_metrics", "--date", "2026-02-30")


def test_prune_keeps_recent_events_and_every_rollup(settings, embedded):
    today = timezone.now().date()
    old = make(UsageKind.PAGE_VIEW, at(today - timedelta(days=45), 12), visitor="v:old")
    recent = make(UsageKind.PAGE_VIEW, at(today - timedelta(days=5), 12), visitor="v:new")
    rollups.rollup_day(day=old.occurred_at.date())
    settings.USAGE_RETENTION_DAYS = 30
    call_command("prune_usage")
    assert list(UsageEvent.objects.all()) == [recent]
    assert DailyRollup.objects.get(day=old.occurred_at.date()).events == 1
    # A day past the retention is not rebuilt into nothing.
    rollups.rollup_day(day=old.occurred_at.date())
    assert DailyRollup.objects.get(day=old.occurred_at.date()).events == 1


def test_the_usage_tasks_run_on_their_own_queue(embedded):
    from portal.celery import app

    for name in ("usage_drain", "usage_rollup_day", "usage_rollup_recent", "usage_prune"):
        assert app.amqp.router.route({}, f"metrics.tasks.{name}")["queue"].name == "usage"


def test_the_drain_task_moves_queued_events(queue):
    from metrics.tasks import usage_drain, usage_rollup_recent

    usage.usage_record(kind=UsageKind.PAGE_VIEW, path="/")
    assert usage_drain.delay().get() == 1
    assert usage_rollup_recent.delay().get() == 1
    assert DailyRollup.objects.get().events == 1
