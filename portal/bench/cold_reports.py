"""Cold reports (issue 19): the metrics API's report of the program, one business unit and one project,
over 90 days, 365 days and the whole history, with no snapshot to serve it, each beside its floor (the
same figures by raw SQL, floors_dashboard) and checked against it.

No snapshot serves them: the server runs with METRICS_SNAPSHOT_MAX_AGE=-1, so that every snapshot is
stale and every API request computes the report on demand, as a first visit of a scope and period does
(metrics.snapshots.snapshot_report). What is timed is therefore that first visit's whole computation:
the report, the previous period's headlines, the trend, the most adopted assets (and for the program the
top searches), and the upsert of the snapshot row; nothing in metrics/ changed for it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.bench import dbtools, floors_dashboard, http
from portal.bench.worker import percentiles

# (scope, period) -> p95 target in ms at the large scale; the program's grows with the period.
TARGETS_MS = {
    ("program", "90d"): 300, ("program", "365d"): 1000, ("program", "history"): 3000,
    **{(scope, period): 300 for scope in ("unit", "project") for period in ("90d", "365d", "history")},
}  # fmt: skip
SPEEDUP = 20  # each cold report at least this many times faster than its floor (p50)
SERVER_ENV = {"METRICS_SNAPSHOT_MAX_AGE": "-1"}
EXPECT = '"contribution_activity"'


@dataclass(frozen=True)
class Case:
    scope: str  # program, unit, project
    period: str  # 90d, 365d, history
    path: str
    params: dict
    project: int | None
    unit: int | None
    lo: datetime
    hi: datetime

    @property
    def name(self) -> str:
        return f"cold_{self.scope}_{self.period}"


def cases(database_url: str, *, project_slug: str, unit_slugs: list[str], today: date) -> list[Case]:
    """The nine cases: the first project, its business unit and the program; periods end today (exclusive,
    as the dashboards' presets), the whole history starts on the day of the first recorded activity."""
    with dbtools.connect(database_url) as conn:
        project_id, unit_id = conn.execute(
            "SELECT id, business_unit_id FROM catalog_project WHERE slug = %s", (project_slug,)
        ).fetchone()
        first = conn.execute(
            "SELECT LEAST((SELECT min(created_at) FROM metrics_pullrequest),"
            " (SELECT min(authored_at) FROM metrics_commit), (SELECT min(created_at) FROM metrics_issue),"
            " (SELECT min(occurred_at) FROM metrics_usageevent))"
        ).fetchone()[0]
    hi = datetime.combine(today, time.min, tzinfo=UTC)
    periods = {
        "90d": hi - timedelta(days=90),
        "365d": hi - timedelta(days=365),
        "history": datetime.combine(first.astimezone(UTC).date(), time.min, tzinfo=UTC),
    }
    scopes = {
        "program": ("/api/v1/metrics/", {}, None, None),
        "unit": ("/api/v1/metrics/", {"business_unit": unit_slugs[unit_id - 1]}, None, unit_id),
        "project": (f"/api/v1/projects/{project_slug}/metrics/", {}, project_id, None),
    }
    return [
        Case(scope, period, path, {**params, "start": lo.date().isoformat(), "end": today.isoformat()},
             project, unit, lo, hi)
        for scope, (path, params, project, unit) in scopes.items() for period, lo in periods.items()
    ]  # fmt: skip


def measure(server, cookie: str, case: Case, *, repeats: int, database_url: str, floor_repeats: int) -> dict:
    """The report over HTTP `repeats` times (after one warm-up request), its figures against the floor's,
    and the floor timed `floor_repeats` times."""
    scenario = http.Scenario(case.name, "cold_report", [(case.path, case.params)], EXPECT)
    measured = http.measure(server, cookie, scenario, requests_max=repeats, seconds_max=120, warmup=1)
    response = http.client(cookie).get(server.base + case.path, params=case.params, timeout=600)
    floor = floors_dashboard.dashboard_floor(
        database_url, project=case.project, unit=case.unit, repeats=floor_repeats, lo=case.lo, hi=case.hi
    )
    differing = (
        floors_dashboard.report_differences(response.json(), floor["figures"])
        if response.status_code == 200
        else {"status": [response.status_code, 200]}
    )
    return {
        "scope": case.scope, "period": case.period, "path": case.path, "params": case.params,
        "days": (case.hi - case.lo).days, "target_ms": TARGETS_MS[case.scope, case.period],
        "http": measured.summary(), "floor": percentiles(floor["samples_ms"]),
        "figures_equal": not differing, "differing": differing, "figures_compared": len(floor["figures"]),
        "floor_figures": floor["figures"],
    }  # fmt: skip


def target_rows(cold: dict) -> list[tuple]:
    """(key, label, value, unit, target, ok, floor, ratio, large only) for each case: its p95, its speed-up
    over the floor, and whether its figures equal the floor's (checked at every scale)."""
    rows = []
    for name, c in cold.items():
        p95, floor = c["http"]["p95"], c["floor"]["p50"]
        label = f"cold {c['scope']} report, {c['period']} ({c['days']} days)"
        ok = set(c["http"]["statuses"]) == {"200"} and p95 <= c["target_ms"]
        speedup = floor / p95 if p95 else None
        target = f"≤ {c['target_ms']:,} ms"
        rows.append(
            (
                f"{name}_p95_ms",
                f"{label} p95",
                p95,
                "ms",
                target,
                ok,
                floor,
                p95 / floor if floor else None,
                True,
            )
        )
        rows.append(
            (
                f"{name}_speedup",
                f"{label}: raw-SQL time / p95",
                speedup,
                "×",
                f"≥ {SPEEDUP}×",
                speedup is not None and speedup >= SPEEDUP,
                floor,
                speedup,
                True,
            )
        )
        differing = ", ".join(c["differing"]) or "none"
        rows.append(
            (
                f"{name}_figures_equal",
                f"{label}: figures equal the floor's ({c['figures_compared']} "
                f"compared; differing: {differing})",
                c["figures_equal"],
                "",
                "= true",
                c["figures_equal"],
                None,
                None,
                False,
            )
        )
    return rows  # fmt: skip
