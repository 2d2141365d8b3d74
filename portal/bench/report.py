"""The report: every figure with its target and its ratio to its floor; the JSON file and the table."""

import json
import platform
from pathlib import Path

from portal.bench import cold_reports

# (key, label, unit, target description, check(value, floor) -> bool, applies at scales)
LARGE_ONLY = ("large",)


def _le(limit):
    return lambda value, floor: value is not None and value <= limit


def targets(figures: dict) -> list[dict]:
    """The issue's targets, evaluated on this run's figures. Absolute targets are the large scale's; at
    smaller scales they are reported for information (applies: false)."""
    f = figures
    rows = []

    def add(key, label, value, unit, target, ok, floor=None, ratio=None, applies=LARGE_ONLY):
        rows.append(
            {
                "key": key, "label": label, "value": value, "unit": unit, "target": target,
                "floor": floor, "ratio_to_floor": ratio,
                "met": None if value is None else bool(ok), "applies": f["scale"] in applies,
            }
        )  # fmt: skip

    search, search_floor = f["http"]["search_mix"]["p95"], f["floors"]["search_mix"]["p95"]
    ratio = search / search_floor if search_floor else None
    add(
        "search_p95_ms",
        "catalog search p95 (mix)",
        search,
        "ms",
        "≤ 50 ms",
        search <= 50,
        search_floor,
        ratio,
    )
    add("search_vs_sql", "search p95 / hand-written SQL p95", ratio, "×", "≤ 2×", ratio is not None and ratio <= 2,
        search_floor, ratio, applies=("large", "small", "tiny"))  # fmt: skip
    page = f["http"]["scenarios"]["project_page"]["p95"]
    add("project_page_p95_ms", "project page p95", page, "ms", "≤ 50 ms", page <= 50)
    for key, label in (
        ("program_dashboard", "program dashboard"),
        ("project_dashboard", "project dashboard"),
    ):
        value = f["http"]["scenarios"][key]["p95"]
        raw = f["floors"][key]["p50"]
        speedup = raw / value if value else None
        add(
            f"{key}_p95_ms",
            f"{label} p95",
            value,
            "ms",
            "≤ 200 ms",
            value <= 200,
            raw,
            value / raw if raw else None,
        )
        add(f"{key}_speedup", f"{label}: raw-SQL time / p95", speedup, "×", "≥ 20×",
            speedup is not None and speedup >= 20, raw, speedup, applies=("large", "small", "tiny"))  # fmt: skip
    # Issue 19: each cold report's p95 and speed-up (large), and its figures against the floor's (always).
    for *row, large_only in cold_reports.target_rows(f["cold_reports"]):
        add(*row, applies=LARGE_ONLY if large_only else ("large", "small", "tiny"))
    added = f["usage"]["recording"]["added_p50_ms"]
    add("recording_added_p50_ms", "usage recording, added latency p50 (HTTP on − off)", added, "ms", "≤ 0.5 ms",
        added <= 0.5, applies=("large", "small", "tiny"))  # fmt: skip
    in_process = f["usage"]["record_call"]["middleware_added_ms"]["added_p50_ms"]
    add("middleware_added_p50_ms", "usage middleware, added time p50 (in process)", in_process, "ms", "≤ 0.5 ms",
        in_process <= 0.5, applies=("large", "small", "tiny"))  # fmt: skip
    call = f["usage"]["record_call"]["usage_record_ms"]["p50"]
    add("usage_record_call_p50_ms", "usage_record() call p50 (Redis RPUSH)", call, "ms", "≤ 0.5 ms", call <= 0.5,
        applies=("large", "small", "tiny"))  # fmt: skip
    drain, copy = f["usage"]["drain"]["events_per_second"], f["floors"]["copy"]["events_per_second"]
    add("drain_events_per_s", "usage drain throughput", drain, "events/s", "≥ 20,000/s", drain >= 20_000, copy,
        drain / copy if copy else None)  # fmt: skip
    add("drain_vs_copy", "usage drain / raw COPY", drain / copy if copy else None, "×", "≥ 0.5×",
        copy and drain / copy >= 0.5, copy, drain / copy if copy else None, applies=("large", "small", "tiny"))  # fmt: skip
    resync = f["sync"]["resync"]
    add("resync_requests_per_repo", "unchanged re-sync, requests per repository", resync["requests_per_repository"],
        "req", "= 1 (304)", resync["requests_per_repository"] == 1 and resync["forge_answers"].get("200", 0) == 0,
        applies=("large", "small", "tiny"))  # fmt: skip
    cost = f["sync"]["first"]["aggregates_cost"]
    add("sync_aggregates_cost_pct", f"first sync of {f['sync']['repositories']:,} repositories: what keeping the "
        "daily aggregates costs its throughput", 100 * cost, "%", "≤ 10 %", cost <= 0.10)  # fmt: skip
    scan = f["manifests"]
    first, again = scan["first"], scan["resync"]
    add("manifest_scan_first_p95_ms", f"manifest scan, first, {scan['repositories']:,} repositories of "
        f"{scan['manifests_per_repository']} manifests ({first['seconds']:.0f} s in all): p95 per repository",
        first["ms_per_repository"]["p95"], "ms", "≤ 250 ms", first["ms_per_repository"]["p95"] <= 250)  # fmt: skip
    add("manifest_rescan_p95_ms", f"manifest scan, unchanged again ({again['seconds']:.1f} s in all, "
        f"{again['files_parsed']} files parsed): p95 per repository", again["ms_per_repository"]["p95"], "ms",
        "≤ 20 ms, nothing parsed", again["ms_per_repository"]["p95"] <= 20 and again["files_parsed"] == 0)  # fmt: skip
    journey = f["journey"]["first_seconds"]
    timed_out = " (stopped: did not finish)" if f["journey"].get("timed_out") else ""
    add("journey_seconds", f"journey + badges for {f['journey']['people']:,} people{timed_out}", journey, "s",
        "≤ 60 s (20,000 people)", journey <= 60 and not timed_out)  # fmt: skip
    load = f["load"]
    add("load_errors", f"load test, {load['clients']} clients for {load['seconds']:.0f} s "
        f"(p95 {load['p95_ms']} ms, {load['requests_per_second']} req/s): errors", load["errors"],
        "", "= 0", load["errors"] == 0, applies=("large", "small", "tiny"))  # fmt: skip
    memory = max(f["memory"]["web_workers_mb"] or [0])
    add("web_worker_peak_mb", "peak memory per web worker", memory, "MB", "≤ 300 MB", memory <= 300,
        applies=("large", "small", "tiny"))  # fmt: skip
    return rows


def machine() -> dict:
    import os

    return {
        "platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count(),
        "memory_mb": _memory_mb(), "load_average": os.getloadavg(),
    }  # fmt: skip


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def table(report: dict) -> str:
    """A Markdown table: figure, value, target, floor, ratio to floor, status."""
    lines = [
        f"Benchmark at scale `{report['scale']}` ({report['finished_at']}), {report['machine']['cpus']} CPUs, "
        f"total {report['durations_s']['total']:.0f} s",
        "",
        "| figure | value | target | floor | ratio to floor | status |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for row in report["targets"]:
        status = "—" if row["met"] is None else ("met" if row["met"] else "MISSED")
        if not row["applies"]:
            status += " (target for large)"
        unit = row["unit"]
        floor_unit = "events/s" if "drain" in row["key"] else "ms"
        lines.append(
            f"| {row['label']} | {_fmt(row['value'], unit)} | {row['target']} | "
            f"{_fmt(row['floor'], floor_unit) if row['floor'] is not None else '—'} | "
            f"{_fmt(row['ratio_to_floor'], '×')} | {status} |"
        )
    if report.get("snapshots"):
        # Information, not a target: the background work that lets the dashboards read snapshots.
        lines.append(
            f"| dashboard snapshots precompute (s): program presets + one project | "
            f"{_fmt(report['snapshots']['seconds'])} | — | — | — | information |"
        )
    lines += ["", "| scenario | n | p50 ms | p95 ms | p99 ms | req/s | SQL floor p95 ms |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    floors = report["floors"]["searches"]
    for name, s in report["http"]["scenarios"].items():
        floor = floors.get(name, {}).get("p95") or report["floors"].get(name, {}).get("p50")
        lines.append(
            f"| {name} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
            f"{s['requests_per_second']:.1f} | {_fmt(floor)} |"
        )
    t = report["http"]["throughput"]
    lines.append(
        f"\nThroughput, {t['threads']} clients over the search mix and project page: {t['requests_per_second']:.1f} req/s."
    )
    return "\n".join(lines)


def write(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
