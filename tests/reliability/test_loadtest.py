"""The load test (portal/loadtest.py) runs briefly against a real server: searches, project pages and
beacons all answer, with no error, and the figures it reports add up. The full run (32 clients, 60 s)
is `python manage.py loadtest --serve` and goes into the benchmark report through `run_load()`."""

import json

import pytest
from django.core.management import call_command

from portal.loadtest import LoadTestError, run_load
from tests.reliability.conftest import PortalServer, manage, portal_env

pytestmark = [pytest.mark.faults]

SEED = """
from catalog.models import BusinessUnit, Project
from catalog.search_index import entries_rebuild_all
unit = BusinessUnit.objects.get_or_create(slug="platform", defaults={"name": "Platform"})[0]
for n, name in enumerate(["Ledger", "Widgets", "Kafka tools", "Auth kit", "Data API", "Payments UI"]):
    Project.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={
        "name": name, "description": f"{name}: reusable for every team ({n})", "business_unit": unit,
        "review_status": "approved"})
entries_rebuild_all()
"""


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """gunicorn on a migrated SQLite file of its own (either test mode), the beacon's limit raised."""
    database = tmp_path_factory.mktemp("loadtest") / "portal.sqlite3"
    env = portal_env(DATABASE_URL=f"sqlite:///{database}", USAGE_BEACON_RATE="100000000/minute")
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", SEED, env=env)
    server = PortalServer(env, workers=1, threads=8).start()
    yield server
    server.stop()


def test_a_short_load_of_searches_project_pages_and_beacons_has_no_errors(serving):
    figures = run_load(serving.url, seconds=5, clients=8)

    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["clients"] == 8 and figures["projects"] == 6
    assert figures["requests"] > 0 and figures["requests_per_second"] > 0
    assert sum(kind["requests"] for kind in figures["by_kind"].values()) == figures["requests"]
    for name in ("search", "project", "beacon"):
        kind = figures["by_kind"][name]
        assert kind["requests"] > 0 and kind["errors"] == 0, name
        assert 0 < kind["p50_ms"] <= kind["p95_ms"] <= kind["p99_ms"] <= kind["max_ms"], name
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] <= figures["max_ms"]
    json.dumps(figures)  # what the benchmark report embeds


def test_errors_are_counted_and_fail_the_command(tmp_path_factory, capsys):
    """A server that refuses the beacons makes the run fail, with samples. It refuses every one
    (a limit of 0): the run's first beacon (the seeded mix sends one as client 0's fourth request) is
    refused however slow the machine is, where a limit of one needed two beacons within the seconds."""
    database = tmp_path_factory.mktemp("loadtest-limited") / "portal.sqlite3"
    env = portal_env(DATABASE_URL=f"sqlite:///{database}", USAGE_BEACON_RATE="0/minute")
    manage("migrate", "--noinput", env=env)
    manage("shell", "-c", SEED, env=env)
    server = PortalServer(env, workers=1, threads=4).start()
    try:
        with pytest.raises(Exception, match="requests failed"):
            call_command("loadtest", server.url, seconds=4, clients=2)
    finally:
        server.stop()
    figures = json.loads(capsys.readouterr().out)
    assert figures["errors"] > 0 and figures["by_kind"]["beacon"]["errors"] > 0
    assert any("HTTP 429" in sample for sample in figures["error_samples"])


def test_the_load_test_refuses_anything_but_loopback():
    with pytest.raises(LoadTestError, match="loopback"):
        run_load("http://portal.example.com", seconds=1, clients=1)
