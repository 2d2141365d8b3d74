"""`manage.py benchmark` at the tiny scale, end to end, on PostgreSQL + Redis: the report has every
figure, the data has the requested size, and the measurements are sane. No timing is asserted."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from portal.bench import dbtools
from portal.bench.scales import TINY
from tests import parallel

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        and settings.REDIS_URL
        and os.environ.get("DATABASE_URL")
    ),
    reason="the benchmark runs on PostgreSQL + Redis only (set DATABASE_URL and REDIS_URL)",
)


def _bench_database_url() -> str:
    """A database of the bench's own on the server of DATABASE_URL (never the test database), named after
    DATABASE_URL's and the xdist worker, so that no other run or worker drops it meanwhile."""
    url = os.environ["DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "test")
    return dbtools.with_database(url, f"{dbtools.database_name(url)}_bench_{worker}")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "bench-tiny.json"
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_TESTING"}
    bench_db = _bench_database_url()
    result = subprocess.run(
        [
            sys.executable, "manage.py", "benchmark", "--scale", "tiny", "--out", str(out), "--database-url", bench_db,
            # The worker's own Redis database to flush, rather than db 14, which every run would share.
            "--redis-url", parallel.scratch_redis_url(),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    assert "| figure | value | target |" in result.stdout
    return json.loads(out.read_text())


def test_the_benchmark_refuses_to_run_without_postgres_and_redis(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_TESTING"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "benchmark", "--scale", "tiny", "--out", str(tmp_path / "r.json")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "needs PostgreSQL and Redis" in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_the_generated_organisation_has_the_requested_size(report):
    generated, orm = report["generated"], report["orm_counts"]
    assert generated["search_entries"] == orm["search_entries"] == TINY.projects + TINY.assets
    assert generated["practitioners"] == orm["practitioners"] == TINY.users
    assert generated["repositories"] == TINY.repositories
    assert generated["pull_requests"] == orm["pull_requests"] == TINY.pull_requests
    assert generated["usage_events"] == TINY.usage_events
    assert orm["reviews"] == generated["reviews"] > 0
    assert orm["comments"] == generated["comments"] > 0
    assert orm["daily_rollups"] == generated["daily_rollups"] > 0
    assert orm["visitor_days"] == generated["visitor_days"] > 0


def test_every_page_of_the_mix_answered_and_percentiles_are_ordered(report):
    scenarios = report["http"]["scenarios"]
    assert set(scenarios) == {
        "search_rare", "search_common", "search_words", "search_typo", "search_facets", "search_deep_page",
        "project_page", "program_dashboard", "project_dashboard",
    }  # fmt: skip
    for name, figures in scenarios.items():
        assert figures["statuses"] == {"200": figures["n"]}, name
        assert figures["missing_text"] == 0, name
        assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"], name
    for floor in report["floors"]["searches"].values():
        assert 0 < floor["p50"] <= floor["p95"] <= floor["p99"]
    assert report["http"]["throughput"]["requests_per_second"] > 0


def test_usage_recording_and_the_drain_processed_every_event(report):
    drain = report["usage"]["drain"]
    assert drain["queued"] == drain["inserted"] == drain["stored"] == TINY.drain_events
    assert drain["dead"] == 0
    assert report["floors"]["copy"]["events"] == TINY.drain_events
    assert report["usage"]["record_call"]["queued"] == TINY.record_calls
    recording = report["usage"]["recording"]
    assert recording["statuses_on"] == recording["statuses_off"] == {"200": TINY.recording_pairs}


def test_an_unchanged_resync_costs_one_request_per_repository(report):
    sync = report["sync"]
    assert sync["repositories"] == TINY.sync_repositories
    assert sync["first"]["requests_per_repository"] > 1
    assert sync["first"]["outcomes"] == sync["resync"]["outcomes"] == ["ok"]
    assert sync["resync"]["requests"] == TINY.sync_repositories
    assert sync["resync"]["max_requests_per_repository"] == 1
    assert sync["resync"]["forge_answers"] == {"200": 0, "304": TINY.sync_repositories, "404": 0}
    # The first sync wrote activity, so keeping its aggregates took some of its time; the unchanged
    # re-sync wrote none.
    assert 0 < sync["first"]["aggregates_seconds"] < sync["first"]["seconds"]
    assert sync["first"]["aggregates_cost"] > 0
    assert sync["resync"]["aggregates_seconds"] < sync["first"]["aggregates_seconds"]


def test_manifest_scanning_parses_every_manifest_once_then_nothing(report):
    scan = report["manifests"]
    first, again = scan["first"], scan["resync"]
    assert scan["repositories"] == TINY.manifest_repositories
    manifests = TINY.manifest_repositories * scan["manifests_per_repository"]
    assert first["files_parsed"] == first["manifests_stored"] == manifests
    assert first["repositories_written"] == TINY.manifest_repositories
    assert first["adoptions_found"] > 0, "the shared libraries are found in the code"
    assert again["files_parsed"] == again["repositories_written"] == 0
    assert again["queries_per_repository"] == 1, "an unchanged listing costs one read of the stored blob ids"
    assert 0 < again["ms_per_repository"]["p50"] <= again["ms_per_repository"]["p95"]


def test_the_report_lists_every_target_with_its_figures(report):
    keys = {row["key"] for row in report["targets"]}
    assert {
        "search_p95_ms", "search_vs_sql", "project_page_p95_ms", "program_dashboard_p95_ms",
        "program_dashboard_speedup", "project_dashboard_p95_ms", "project_dashboard_speedup",
        "recording_added_p50_ms", "drain_events_per_s", "drain_vs_copy", "resync_requests_per_repo",
        "journey_seconds", "web_worker_peak_mb", "manifest_scan_first_p95_ms", "manifest_rescan_p95_ms",
    } <= keys  # fmt: skip
    for row in report["targets"]:
        assert row["value"] is not None, row["key"]
        assert row["met"] in (True, False), row["key"]
    assert report["journey"]["people"] == TINY.users
    assert report["journey"]["second_stage_changes"] == 0
    assert all(mb > 0 for mb in report["memory"]["web_workers_mb"])
    assert len(report["memory"]["web_workers_mb"]) == 2
    assert report["durations_s"]["total"] > 0


def test_each_cold_report_answered_and_equals_its_raw_sql_floor(report):
    cold = report["cold_reports"]
    assert {(c["scope"], c["period"]) for c in cold.values()} == {
        (scope, period) for scope in ("program", "unit", "project") for period in ("90d", "365d", "history")
    }
    for name, c in cold.items():
        assert c["http"]["statuses"] == {"200": c["http"]["n"]}, name
        assert c["figures_compared"] > 10 and c["figures_equal"], (name, c["differing"])
    assert cold["cold_unit_90d"]["params"]["business_unit"]
    assert cold["cold_program_history"]["days"] > 365
    assert {f"{name}_figures_equal" for name in cold} <= {row["key"] for row in report["targets"]}


def test_the_load_test_ran_in_the_benchmark_without_errors(report):
    load = report["load"]
    assert load["clients"] == 32
    assert load["requests"] > 0 and load["errors"] == 0, load["error_samples"]
    assert set(load["by_kind"]) >= {"search", "project", "beacon"}


def test_the_meaning_part_runs_alone_with_the_vector_index(tmp_path):
    """`--only meaning`: the catalog alone, embedded, indexed (the threshold lowered so that the tiny
    catalog gets an index) and measured in a worker and over HTTP."""
    out = tmp_path / "bench-meaning.json"
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_TESTING"}
    env["CATALOG_MEANING_INDEX_MIN"] = "10"
    result = subprocess.run(
        [
            sys.executable, "manage.py", "benchmark", "--scale", "tiny", "--only", "meaning", "--out", str(out),
            "--database-url", _bench_database_url(), "--redis-url", parallel.scratch_redis_url(),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    meaning = json.loads(out.read_text())["meaning"]

    assert meaning["embed"]["entries"] == TINY.catalog_entries
    assert meaning["index"]["entries"] == TINY.catalog_entries
    assert meaning["index"]["size_bytes"] > 0
    assert meaning["nearest"]["index_loaded"]
    assert meaning["nearest"]["recall_at_10"] >= 0.9
    assert meaning["nearest"]["similar_entries"]["n"] > 0
    assert meaning["radar"]["entries"] > 0 and meaning["radar"]["seconds"] >= 0
    for scenario in ("search_text", "similar_api", "registration_check"):
        assert set(meaning["http"][scenario]["statuses"]) == {"200"}, scenario
        assert meaning["http"][scenario]["missing_text"] == 0
    assert len(meaning["web_workers_mb"]) == 2
