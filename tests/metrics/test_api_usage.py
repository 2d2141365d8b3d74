"""Usage reported through the API (POST /api/v1/usage/): who may report, validation, idempotency, and the
reported counts reaching `asset_consumptions` of the project's metrics."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import ProjectRole, ReviewStatus
from metrics import rollups, usage
from metrics.models import DailyRollup, UsageEvent, UsageKind
from portal.services import api_token_create
from tests.api import EDITORS, api, assert_error, statuses
from tests.factories import ROLES, AssetFactory, ProjectFactory, ProjectPeople, make_owner, project_people

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["embedded", "redis"])
def mode(request, settings):
    """Both roads an event takes: written directly (embedded) or queued in Redis and drained."""
    if request.param == "embedded":
        settings.REDIS_URL = ""
    else:
        request.getfixturevalue("queue")
    return request.param


@pytest.fixture
def world(db, starter, outsider, program_office) -> ProjectPeople:
    project = ProjectFactory(name="Ledger")
    world = project_people(project, owner=starter, outsider=outsider, program_office=program_office)
    world.asset = AssetFactory(project=project, slug="ledger-client")
    return world


def stored() -> list[UsageEvent]:
    usage.usage_drain()
    return list(UsageEvent.objects.order_by("pk"))


REPORT = statuses(202, to=EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_and_the_projects_owners_and_maintainers_report_usage(world, mode, role):
    user = world.actors[role]
    payload = {"asset": world.asset.pk, "kind": "download", "count": 3}
    response = api(user).post("/api/v1/usage/", payload, format="json")
    assert response.status_code == REPORT[role], response.content
    if REPORT[role] != 202:
        assert_error(response, REPORT[role], None)
        assert stored() == []
        return
    data = response.json()
    assert (data["asset"], data["project"], data["kind"], data["count"], data["duplicate"]) == (
        world.asset.pk,
        "ledger",
        "download",
        3,
        False,
    )
    [event] = stored()
    assert str(event.event_id) == data["event_id"]
    assert (event.kind, event.quantity, event.asset, event.project, event.user) == (
        UsageKind.ASSET_DOWNLOAD,
        3,
        world.asset,
        world.project,
        user,
    )


def test_a_pipeline_reports_with_a_personal_token_whatever_its_user_agent(world, mode):
    _record, token = api_token_create(user=world.maintainer, name="ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    payload = {"asset": world.asset.pk, "kind": "consumption", "count": 7, "consumer": "Payments CI"}
    response = client.post("/api/v1/usage/", payload, format="json", HTTP_USER_AGENT="curl/8.5.0")
    assert response.status_code == 202, response.content
    [event] = stored()
    assert (event.kind, event.quantity, event.consumer) == (UsageKind.REPORTED_CONSUMPTION, 7, "Payments CI")


def test_a_report_sent_again_with_the_same_reference_counts_once(world, mode):
    client = api(world.maintainer)
    payload = {"asset": world.asset.pk, "kind": "download", "count": 5, "reference": "build-41"}
    first = client.post("/api/v1/usage/", payload, format="json")
    assert first.status_code == 202
    # Sent again before the drain (Redis) and after it: stored once either way.
    again = client.post("/api/v1/usage/", payload, format="json")
    assert again.json()["event_id"] == first.json()["event_id"]
    assert len(stored()) == 1
    third = client.post("/api/v1/usage/", {**payload, "count": 9}, format="json")
    assert third.status_code == 200
    assert (third.json()["duplicate"], third.json()["count"]) == (True, 5)
    assert [e.quantity for e in stored()] == [5]
    # The same reference for another asset is another report.
    other = AssetFactory(project=world.project)
    assert client.post("/api/v1/usage/", {**payload, "asset": other.pk}, format="json").status_code == 202
    assert len(stored()) == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "download"}, "asset"),
        ({"asset": "abc", "kind": "download"}, "asset"),
        ({"asset": 0, "kind": "download"}, "asset"),
        ({"asset": 10**30, "kind": "download"}, "asset"),
        ({"asset": 999_999, "kind": "download"}, "asset"),
        ({"asset": True, "kind": "download"}, "asset"),
        ({"asset": "ASSET"}, "kind"),
        ({"asset": "ASSET", "kind": "upload"}, "kind"),
        ({"asset": "ASSET", "kind": "download", "count": 0}, "count"),
        ({"asset": "ASSET", "kind": "download", "count": 10_001}, "count"),
        ({"asset": "ASSET", "kind": "download", "count": 1.5}, "count"),
        ({"asset": "ASSET", "kind": "download", "occurred_at": "yesterday"}, "occurred_at"),
        ({"asset": "ASSET", "kind": "download", "occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({"asset": "ASSET", "kind": "download", "occurred_at": "FUTURE"}, "occurred_at"),
        ({"asset": "ASSET", "kind": "download", "occurred_at": "ANCIENT"}, "occurred_at"),
        ({"asset": "ASSET", "kind": "download", "reference": "x" * 201}, "reference"),
        ({"asset": "ASSET", "kind": "download", "reference": "a\x00b"}, "reference"),
        ({"asset": "ASSET", "kind": "download", "consumer": "x" * 151}, "consumer"),
    ],
)
def test_an_invalid_report_is_a_400_naming_the_field_and_records_nothing(world, mode, payload, field):
    now = timezone.now()
    values = {
        "ASSET": world.asset.pk,
        "FUTURE": (now + timedelta(hours=1)).isoformat(),
        "ANCIENT": (now - timedelta(days=settings.USAGE_RETENTION_DAYS + 1)).isoformat(),
    }
    payload = {
        key: values.get(value, value) if isinstance(value, str) else value for key, value in payload.items()
    }
    assert_error(api(world.maintainer).post("/api/v1/usage/", payload, format="json"), 400, field)
    assert stored() == []


def test_the_asset_of_a_pending_project_is_no_asset_to_others_but_its_maintainers_report_it(
    world, mode, outsider
):
    pending = ProjectFactory(slug="pending", review_status=ReviewStatus.PENDING)
    asset = AssetFactory(project=pending)
    ProjectRole.objects.create(project=pending, user=world.maintainer, role=ProjectRole.Role.MAINTAINER)
    payload = {"asset": asset.pk, "kind": "download"}
    assert_error(api(outsider).post("/api/v1/usage/", payload, format="json"), 400, "asset")
    assert api(world.maintainer).post("/api/v1/usage/", payload, format="json").status_code == 202


def test_the_asset_of_a_project_restricted_to_other_units_is_no_asset_to_others(world, mode, outsider):
    restricted = ProjectFactory(slug="vault", visibility="units")
    asset = AssetFactory(project=restricted)
    payload = {"asset": asset.pk, "kind": "download"}
    assert_error(api(outsider).post("/api/v1/usage/", payload, format="json"), 400, "asset")
    make_owner(restricted, world.maintainer)
    assert api(world.maintainer).post("/api/v1/usage/", payload, format="json").status_code == 202
    assert len(stored()) == 1


def test_a_little_clock_skew_is_taken_as_now(world, mode):
    ahead = timezone.now() + timedelta(minutes=2)
    payload = {"asset": world.asset.pk, "kind": "download", "occurred_at": ahead.isoformat()}
    assert api(world.maintainer).post("/api/v1/usage/", payload, format="json").status_code == 202
    [event] = stored()
    assert event.occurred_at <= timezone.now()


def metrics_of(client, slug: str, start, end) -> dict:
    response = client.get(f"/api/v1/projects/{slug}/metrics/?start={start}&end={end}")
    assert response.status_code == 200, response.content
    return response.json()["reuse_and_collaboration"]


def test_reported_counts_reach_the_projects_asset_consumptions(world, mode, program_office, settings):
    # Figures as computed now, every time: the dashboards' snapshots would otherwise answer the second
    # read with the first one's figures for METRICS_SNAPSHOT_MAX_AGE.
    settings.METRICS_SNAPSHOT_MAX_AGE = 0
    client = api(world.maintainer)
    today = timezone.now().date()
    start, end = today - timedelta(days=30), today + timedelta(days=1)
    before = metrics_of(client, "ledger", start, end)["asset_consumptions"]
    three_days_ago = (timezone.now() - timedelta(days=3)).isoformat()
    reports = [
        {"asset": world.asset.pk, "kind": "download", "count": 40, "occurred_at": three_days_ago},
        {"asset": world.asset.pk, "kind": "consumption", "count": 2, "consumer": "Checkout CI"},
        {"asset": world.asset.pk, "kind": "consumption", "count": 2, "reference": "r-1"},
        {"asset": world.asset.pk, "kind": "consumption", "count": 2, "reference": "r-1"},  # counted once
    ]
    for payload in reports:
        assert client.post("/api/v1/usage/", payload, format="json").status_code in (200, 202)
    usage.usage_drain()
    assert metrics_of(client, "ledger", start, end)["asset_consumptions"] == before + 44
    # And after the nightly rollups, read from them instead of the raw events: the same figure.
    for days_ago in range(5):
        rollups.rollup_day(day=today - timedelta(days=days_ago))
    assert DailyRollup.objects.filter(project=world.project).exists()
    reuse = metrics_of(api(program_office), "ledger", start, end)
    assert reuse["asset_consumptions"] == before + 44
    # Checkout CI, and the maintainer reporting for itself (in one or two ISO weeks).
    assert reuse["one_time_consumers"] + reuse["repeat_consumers"] == 2


def test_a_late_report_for_a_day_already_rolled_up_rebuilds_that_day(
    world, mode, django_capture_on_commit_callbacks
):
    today = timezone.now().date()
    usage.usage_record(kind=UsageKind.PAGE_VIEW, path="/")  # the portal's own usage, rolled up nightly
    usage.usage_drain()
    for days_ago in range(10):
        rollups.rollup_day(day=today - timedelta(days=days_ago))
    assert DailyRollup.objects.filter(day=today).exists()
    week_ago = timezone.now() - timedelta(days=7)
    payload = {"asset": world.asset.pk, "kind": "download", "count": 11, "occurred_at": week_ago.isoformat()}
    client = api(world.maintainer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/usage/", payload, format="json").status_code == 202
    rollup = DailyRollup.objects.get(day=week_ago.date(), kind=UsageKind.ASSET_DOWNLOAD, asset=world.asset)
    assert rollup.quantity == 11
    start, end = today - timedelta(days=30), today + timedelta(days=1)
    assert metrics_of(client, "ledger", start, end)["asset_consumptions"] == 11
