"""The dashboards' snapshots (metrics.snapshots): a dashboard reads its figures from one stored
row, fresh ones as they are, stale ones while a refresh is queued once, missing ones computed first; and
viewers who do not see the same restricted projects never share figures."""

import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog.models import BusinessUnit, Visibility
from community.models import Practitioner
from metrics import reports, scopes, snapshots, tasks
from metrics.models import ReportSnapshot
from tests.factories import AdoptionFactory, AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory
from tests.metrics.test_dashboards import searched, seed

pytestmark = pytest.mark.django_db

ADOPTED = "Most adopted assets"


@pytest.fixture
def reader(client):
    user = UserFactory(username="reader")
    client.force_login(user)
    return user


def program_period(days: int = 90) -> tuple[date, date]:
    today = timezone.now().date()
    return today - timedelta(days=days), today


@pytest.fixture
def queued(monkeypatch):
    """Tasks queued for a worker that has not run them yet: the calls, not run."""
    calls = []
    monkeypatch.setattr(tasks.report_snapshot_refresh, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


def adopted_asset(name: str, **project):
    asset = AssetFactory(project=ProjectFactory(**project), name=name)
    AdoptionFactory(asset=asset, since=date(2025, 1, 1))
    return asset


def test_a_snapshot_holds_the_report_the_previous_period_and_the_trend_as_computed_today():
    seed(3, requests=30)
    searched("topic 0", by=["u:1", "u:2", "u:3"])
    start, end = program_period()

    snapshot = snapshots.snapshot_compute(scope=scopes.ReportScope(), start=start, end=end)
    data = snapshots.snapshot_data(ReportSnapshot.objects.get(pk=snapshot.pk))

    assert data["report"] == reports.metrics_report(start=start, end=end)
    previous = reports.report_trend(start=start - timedelta(days=90), end=start, buckets=1)[0]
    assert data["previous"] == {k: v for k, v in previous.items() if k not in ("start", "end")}
    assert data["trend"] == reports.report_trend(start=start, end=end, buckets=6)
    assert isinstance(data["trend"][0]["start"], date)
    assert data["top_searches"][0]["query"] == "topic 0"
    assert data["most_adopted"][0]["url"].startswith("/catalog/")


def test_a_fresh_snapshot_is_served_as_it_is_in_a_few_queries(client, reader, django_assert_max_num_queries):
    Practitioner.objects.create(user=reader, display_name="Reader")
    adopted_asset("Early Asset")
    start, end = program_period()
    snapshots.snapshot_compute(scope=scopes.ReportScope(), start=start, end=end)
    adopted_asset("Later Asset")  # after the snapshot: not in it

    # Session, user, business units, the snapshot, and what the page's layout reads: whatever the data.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("metrics:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200 and "Early Asset" in html and "Later Asset" not in html
    assert "Figures as of" in html and "newer figures are being computed" not in html
    assert ReportSnapshot.objects.get().refreshing_since is None


def test_a_project_dashboard_is_served_from_its_snapshot_in_a_few_queries(
    client, reader, django_assert_max_num_queries
):
    project = seed(3, requests=20)[0]
    url = reverse("metrics:project_dashboard", args=[project.slug])
    client.get(url)  # computes it

    with django_assert_max_num_queries(12):
        response = client.get(url)

    assert response.status_code == 200 and f"Metrics of {project.name}" in response.content.decode()
    assert ReportSnapshot.objects.filter(scope_key=f"project:{project.pk}").count() == 1


def test_a_stale_snapshot_is_served_and_its_refresh_is_queued_once(client, reader, queued):
    adopted_asset("Early Asset")
    start, end = program_period()
    snapshot = snapshots.snapshot_compute(scope=scopes.ReportScope(), start=start, end=end)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=timezone.now() - timedelta(hours=2))
    adopted_asset("Later Asset")

    pages = [client.get(reverse("metrics:dashboard")).content.decode() for _ in range(3)]

    assert all("Early Asset" in page and "Later Asset" not in page for page in pages)
    assert "newer figures are being computed" in pages[0]
    assert queued == [
        {"params": scopes.ReportScope().params(), "start": start.isoformat(), "end": end.isoformat()}
    ]
    assert ReportSnapshot.objects.get().refreshing_since is not None


def test_a_refresh_that_never_finished_is_queued_again_after_a_while(client, reader, queued):
    start, end = program_period()
    snapshot = snapshots.snapshot_compute(scope=scopes.ReportScope(), start=start, end=end)
    lost = timezone.now() - timedelta(seconds=snapshots.CLAIM_SECONDS + 60)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=lost, refreshing_since=lost)

    client.get(reverse("metrics:dashboard"))
    client.get(reverse("metrics:dashboard"))

    assert len(queued) == 1


def test_in_the_embedded_mode_a_stale_snapshot_is_recomputed_inline_and_the_new_figures_shown(client, reader):
    adopted_asset("Early Asset")
    start, end = program_period()
    snapshot = snapshots.snapshot_compute(scope=scopes.ReportScope(), start=start, end=end)
    ReportSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=timezone.now() - timedelta(hours=2))
    adopted_asset("Later Asset")

    html = client.get(reverse("metrics:dashboard")).content.decode()

    assert "Later Asset" in html and "newer figures are being computed" not in html
    assert ReportSnapshot.objects.get().refreshing_since is None


def test_a_missing_snapshot_is_computed_inline_in_the_embedded_mode_and_shown(client, reader):
    adopted_asset("Only Asset")
    assert not ReportSnapshot.objects.exists()

    response = client.get(reverse("metrics:dashboard"), {"days": 30})

    assert response.status_code == 200 and "Only Asset" in response.content.decode()
    snapshot = ReportSnapshot.objects.get()
    assert (snapshot.scope_key, snapshot.start, snapshot.end) == ("program", *program_period(30))
    assert snapshot.data is not None and snapshot.refreshing_since is None


def test_with_a_worker_a_missing_snapshot_shows_a_page_that_says_so_and_reloads_itself(
    client, reader, queued
):
    response = client.get(reverse("metrics:dashboard"))
    client.get(reverse("metrics:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "being computed" in html and '<meta http-equiv="refresh" content="5">' in html
    assert "Contribution activity" not in html and "Export CSV" not in html
    assert len(queued) == 1


def test_the_api_answers_from_a_fresh_snapshot_and_computes_a_stale_one(client, reader):
    project = ProjectFactory()
    AdoptionFactory(asset=AssetFactory(project=project), since=date(2025, 1, 1))
    url = f"/api/v1/projects/{project.slug}/metrics/"
    assert client.get(url).json()["reuse_and_collaboration"]["adoptions_active"] == 1
    AdoptionFactory(asset=AssetFactory(project=project), since=date(2025, 1, 1))

    assert client.get(url).json()["reuse_and_collaboration"]["adoptions_active"] == 1  # fresh: as stored
    ReportSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=2))
    assert client.get(url).json()["reuse_and_collaboration"]["adoptions_active"] == 2
    assert ReportSnapshot.objects.get().computed_at > timezone.now() - timedelta(minutes=1)


@pytest.fixture
def restricted(db):
    """A restricted project of Defence with an adopted asset, and a company-wide one of Retail."""
    defence, retail = BusinessUnitFactory(slug="defence"), BusinessUnitFactory(slug="retail")
    secret = adopted_asset("Secret Asset", business_unit=defence, visibility=Visibility.UNITS).project
    adopted_asset("Public Asset", business_unit=retail)
    people = {}
    for name, unit in (("insider", defence), ("outsider", retail), ("colleague", retail)):
        people[name] = UserFactory(username=name)
        Practitioner.objects.create(user=people[name], display_name=name, business_unit=unit)
    return {"secret": secret, "defence": defence, **people}


def test_viewers_hiding_different_restricted_projects_never_share_a_snapshot(
    client, restricted, program_office
):
    pages, keys = {}, {}
    for who in ("outsider", "insider", "colleague"):
        client.force_login(restricted[who])
        pages[who] = client.get(reverse("metrics:dashboard")).content.decode()
        keys[who] = scopes.viewer_scope(viewer=restricted[who]).key
    client.force_login(program_office)
    pages["office"] = client.get(reverse("metrics:dashboard")).content.decode()
    keys["office"] = scopes.viewer_scope(viewer=program_office).key

    assert "Secret Asset" not in pages["outsider"] and "Secret Asset" not in pages["colleague"]
    assert "Secret Asset" in pages["insider"] and "Secret Asset" in pages["office"]
    assert keys["office"] == "program"
    assert keys["outsider"] == keys["colleague"] != keys["insider"] != keys["office"]
    assert keys["outsider"].startswith("program:hides:") and len(keys["outsider"]) < 40
    assert ReportSnapshot.objects.count() == 3  # the outsider's is the colleague's
    hidden = ReportSnapshot.objects.get(scope_key=keys["outsider"])
    assert hidden.params["hidden"] == [restricted["secret"].pk]
    assert hidden.data["report"]["reuse_and_collaboration"]["adoptions_active"] == 1


def test_a_unit_snapshot_is_keyed_by_what_the_viewer_hides_of_that_unit_only(restricted):
    retail = BusinessUnit.objects.get(slug="retail")
    assert scopes.viewer_scope(business_unit=retail, viewer=restricted["outsider"]).key == f"unit:{retail.pk}"
    defence = scopes.viewer_scope(business_unit=restricted["defence"], viewer=restricted["outsider"])
    assert defence.key.startswith(f"unit:{restricted['defence'].pk}:hides:")
    assert scopes.viewer_scope(business_unit=restricted["defence"], viewer=restricted["insider"]).key == (
        f"unit:{restricted['defence'].pk}"
    )


def test_the_scope_of_a_viewer_covers_the_projects_the_report_of_that_viewer_covers(restricted):
    for who in ("outsider", "insider"):
        viewer = restricted[who]
        scope = scopes.viewer_scope(viewer=viewer)
        snapshot = snapshots.snapshot_compute(
            scope=scopes.ReportScope.from_params(scope.params()),
            start=date(2025, 1, 1),
            end=date(2026, 1, 1),
        )
        expected = reports.metrics_report(start=date(2025, 1, 1), end=date(2026, 1, 1), viewer=viewer)
        assert snapshot.data["report"] == expected


def test_the_warm_up_task_computes_the_programs_presets_and_each_units_default_period():
    seed(2, requests=10)
    units = BusinessUnit.objects.count()

    queued = tasks.report_snapshots_warm.delay().get()

    assert queued == len(snapshots.PRESETS) + units
    keys = set(ReportSnapshot.objects.values_list("scope_key", "start", "end"))
    for days in snapshots.PRESETS:
        assert ("program", *program_period(days)) in keys
    for unit in BusinessUnit.objects.all():
        assert (f"unit:{unit.pk}", *program_period(snapshots.DEFAULT_DAYS)) in keys
    assert ReportSnapshot.objects.filter(data__isnull=True).count() == 0
    assert tasks.report_snapshots_warm.delay().get() == 0  # all fresh now


def test_the_warm_up_forgets_snapshots_nobody_asked_for_in_a_week():
    snapshots.snapshot_compute(scope=scopes.ReportScope(), start=date(2025, 1, 1), end=date(2025, 2, 1))
    ReportSnapshot.objects.update(
        computed_at=timezone.now() - timedelta(days=snapshots.SNAPSHOT_KEEP_DAYS + 1)
    )

    tasks.snapshots_warm(today=timezone.now().date())

    assert not ReportSnapshot.objects.filter(start=date(2025, 1, 1)).exists()


def test_the_command_computes_the_presets_now():
    BusinessUnitFactory()
    call_command("metrics_snapshots")
    assert ReportSnapshot.objects.filter(data__isnull=False).count() == len(snapshots.PRESETS) + 1


def test_the_beat_schedule_runs_the_warm_up_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["metrics-snapshots"]
    assert entry["task"] == tasks.report_snapshots_warm.name and entry["schedule"] == 3600


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_a_real_worker_the_pending_page_turns_into_the_dashboard(celery_worker_process, client):
    project = ProjectFactory()
    AdoptionFactory(asset=AssetFactory(project=project, name="Worker Asset"), since=date(2025, 1, 1))
    client.force_login(UserFactory(username="patient"))
    url = reverse("metrics:project_dashboard", args=[project.slug])

    first = client.get(url)
    html = first.content.decode()
    assert first.status_code == 200
    assert "Worker Asset" in html or ("being computed" in html and 'http-equiv="refresh"' in html)
    deadline = time.monotonic() + 60
    while "Worker Asset" not in html and time.monotonic() < deadline:
        time.sleep(0.5)
        html = client.get(url).content.decode()
    assert "Worker Asset" in html and "being computed" not in html
    assert ReportSnapshot.objects.get().refreshing_since is None
