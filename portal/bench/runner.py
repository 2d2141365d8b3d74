"""One benchmark run, end to end: a fresh bench database, the data, gunicorn, the measurements, the report."""

import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
from django.conf import settings
from django.contrib.auth.hashers import make_password

from portal.bench import (
    cold_reports,
    dbtools,
    floors,
    floors_dashboard,
    gen_activity,
    gen_catalog,
    http,
    report,
)
from portal.bench.floors import SearchCase
from portal.bench.scales import Scale
from portal.bench.worker import percentiles
from portal.loadtest import run_load

ROOT = Path(settings.BASE_DIR)
# The load test: a minute at the target scale, a few seconds where the run only proves it works.
LOAD_SECONDS = {"large": 60, "small": 10, "tiny": 3}


class Run:
    def __init__(self, *, scale: Scale, database_url: str, redis_url: str, seed: int, keep: bool, say):
        self.scale, self.database_url, self.redis_url = scale, database_url, redis_url
        self.seed, self.keep, self.say = seed, keep, say
        self.durations: dict[str, float] = {}
        self.tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
        self.env = http.server_env(
            dict(__import__("os").environ),
            DATABASE_URL=database_url, REDIS_URL=redis_url, SECRET_KEY="portal-bench-secret-key-not-for-production",
            DEBUG="false", ALLOWED_HOSTS="127.0.0.1,localhost", SECURE_COOKIES="false", LOG_LEVEL="WARNING",
            # Its own static files (the checkout's var/ untouched), and no e-mail for 20,000 journeys.
            PORTAL_STATIC_ROOT=str(self.tmp / "static"), EMAIL_SEND="false",
        )  # fmt: skip

    def phase(self, name: str):
        run = self

        class Phase:
            def __enter__(self):
                run.say(f"== {name}")
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                run.durations[name] = round(time.perf_counter() - self.started, 2)
                run.say(f"   {name}: {run.durations[name]:.1f} s")

        return Phase()

    def worker(self, phase: str, args: dict | None = None, *, timeout: float | None = None) -> dict | None:
        """Run a worker phase; None when it did not finish within `timeout` (its queries are cancelled)."""
        try:
            result = subprocess.run(
                [sys.executable, "-m", "portal.bench.worker", phase, json.dumps(args or {})],
                env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            with dbtools.connect(self.database_url) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            self.say(f"   {phase}: did not finish within {timeout:.0f} s")
            return None
        if result.returncode != 0 or "@@BENCH@@" not in result.stdout:
            raise RuntimeError(
                f"bench worker phase {phase} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
            )
        return json.loads(result.stdout.rsplit("@@BENCH@@", 1)[1])

    # --- data ---------------------------------------------------------------------------------------

    def prepare(self, *, catalog_only: bool = False) -> gen_catalog.World:
        with self.phase("create_database"):
            dbtools.recreate_database(self.database_url)
            redis.Redis.from_url(self.redis_url).flushdb()
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                env=self.env,
                cwd=ROOT,
                check=True,
            )
        now = datetime.now(UTC).replace(microsecond=0)
        with self.phase("generate"), dbtools.connect(self.database_url) as conn:
            dbtools.bulk_session(conn)
            world = gen_catalog.generate_catalog(
                conn, scale=self.scale, now=now, seed=self.seed, password_hash=make_password("bench-password")
            )
            if catalog_only:
                conn.execute("VACUUM ANALYZE")
                return world
            gen_activity.generate_repositories(conn, world, seed=self.seed + 1)
            self.say("   catalog and people written")
            gen_activity.generate_activity(self.database_url, world, seed=self.seed + 2)
            self.say("   forge activity written")
            gen_activity.generate_usage(conn, world, seed=self.seed + 3)
            self.say("   usage events written")
            gen_activity.generate_rollups(conn, world)
            aggregates = self.worker("daily_aggregates")
            self.say(f"   daily aggregates rebuilt: {aggregates and aggregates['rows']} rows")
            conn.execute("VACUUM ANALYZE")
        return world

    def search_cases(self, world: gen_catalog.World) -> list[SearchCase]:
        """The mix, with words picked from the generated vocabulary (deterministically: by rank)."""
        words = world.vocabulary
        with dbtools.connect(self.database_url) as conn:

            def hits(q: str) -> int:
                return conn.execute(
                    "SELECT count(*) FROM catalog_searchentry WHERE search_vector @@ to_tsquery('english', %s)",
                    (floors.tsquery(q),),
                ).fetchone()[0]

            common = max(words[:5], key=hits)
            rare = next((w for w in reversed(words) if 1 <= hits(w) <= 10), words[-1])
            several = next((f"{a} {b}" for a, b in zip(words[2:40], words[12:50], strict=False) if hits(f"{a} {b}")),
                           f"{words[2]} {words[12]}")  # fmt: skip
            typo = ""
            for word in words[1:60]:
                if len(word) < 5:
                    continue
                candidate = word[:2] + word[3] + word[2] + word[4:]
                candidate = candidate if candidate != word else word[:-1] + "q"
                if hits(candidate) == 0:
                    typo = candidate
                    break
            pages = max(1, -(-hits(common) // 20))
        language = world.languages[0]
        return [
            SearchCase("search_rare", q=rare),
            SearchCase("search_common", q=common),
            SearchCase("search_words", q=several),
            SearchCase("search_typo", q=typo or words[1] + "qq", typo=True),
            SearchCase("search_facets", q=common, kinds=["library"], languages=[language], wants=True),
            SearchCase("search_deep_page", q=common, page=min(50, pages)),
        ]

    # --- the whole run ------------------------------------------------------------------------------

    def run_meaning(self) -> dict:
        """Only the catalog and its meaning (issue 17), without the forge activity and usage: embedding
        every entry, building the vector index, nearest in a worker process (similar entries, a need
        typed as text, recall against the exact scan) and over HTTP (the catalog search with text, the
        similar entries API), and the web workers' memory with the index loaded."""
        started = time.perf_counter()
        world = self.prepare(catalog_only=True)
        figures: dict = {}
        with self.phase("meaning_embed"):
            figures["embed"] = self.worker("meaning_embed")
        with self.phase("meaning_index"):
            figures["index"] = self.worker("meaning_index")
        with self.phase("vacuum"), dbtools.connect(self.database_url) as conn:
            # Storing every vector rewrote every index row: the full-text index then holds them all in its
            # pending list, which each search reads through (three times the buffers) until autovacuum,
            # which 100,000 updated rows start within a minute, merges it. Measure that steady state.
            conn.execute("VACUUM ANALYZE")
        with self.phase("meaning_nearest"):
            figures["nearest"] = self.worker("meaning_nearest")
        with self.phase("meaning_radar"):
            figures["radar"] = self.worker("meaning_radar", timeout=self.scale.http_seconds * 20)
        cookie = self.worker("session", {"user_id": 1})["cookie"]
        http.collectstatic(self.env, ROOT)
        words, slugs = world.vocabulary, world.project_slugs
        needs = [f"{words[i]} {words[i + 7]} {words[i + 19]}" for i in range(3, 60, 3)]
        step = max(1, len(slugs) // 50)
        scenarios = [
            http.Scenario("search_text", "search", [("/catalog/", {"q": q}) for q in needs], 'id="catalog-results"'),
            http.Scenario("similar_api", "api", [(f"/api/v1/projects/{s}/similar/", {}) for s in slugs[::step]], "["),
            # The registration form's live check as a starter types: name and description of a new project.
            http.Scenario("registration_check", "api", [
                ("/catalog/register/duplicates/", {"name": q.title(), "description": f"A library to {q}"}) for q in needs
            ]),
        ]  # fmt: skip
        with self.phase("meaning_http"):
            server = http.start_server(self.env, log=self.tmp / "gunicorn.log", cwd=ROOT)
            try:
                measured = self.measure(server, cookie, scenarios)
                figures["web_workers_mb"] = server.worker_peak_mb()
            finally:
                server.stop()
        figures["http"] = {name: m.summary() for name, m in measured.items()}
        if not self.keep:
            dbtools.drop_database(self.database_url)
        self.durations["total"] = round(time.perf_counter() - started, 2)
        return {
            "scale": self.scale.name,
            "only": "meaning",
            "entries": self.scale.catalog_entries,
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": report.machine(),
            "durations_s": self.durations,
            "meaning": figures,
        }

    def measure(self, server, cookie: str, scenarios: list) -> dict:
        """Each scenario measured on the running server, its p95 said as it goes."""
        s = self.scale
        measured = {}
        for scenario in scenarios:
            measured[scenario.name] = http.measure(
                server, cookie, scenario, requests_max=s.http_requests, seconds_max=s.http_seconds,
                warmup=s.http_warmup,
            )  # fmt: skip
            self.say(f"   {scenario.name}: p95 {measured[scenario.name].summary()['p95']:.1f} ms")
        return measured

    def cold_reports(self, world: gen_catalog.World, cookie: str) -> dict:
        """Issue 19: the API's reports computed on demand (no snapshot serves them), each beside its floor.
        Before the load test and the usage drain, which add events the floor would then count too."""
        cases = cold_reports.cases(
            self.database_url, project_slug=world.project_slugs[0], unit_slugs=world.unit_slugs,
            today=world.now.date(),
        )  # fmt: skip
        server = http.start_server(
            {**self.env, **cold_reports.SERVER_ENV}, log=self.tmp / "gunicorn-cold.log", cwd=ROOT
        )
        results = {}
        try:
            for case in cases:
                results[case.name] = c = cold_reports.measure(
                    server, cookie, case, repeats=self.scale.cold_repeats, database_url=self.database_url,
                    floor_repeats=min(2, self.scale.floor_repeats),
                )  # fmt: skip
                self.say(f"   {case.name}: p95 {c['http']['p95']:.1f} ms, floor p50 {c['floor']['p50']:.1f} ms, "
                         f"figures equal: {c['figures_equal']}{'' if c['figures_equal'] else ' ' + str(c['differing'])}")  # fmt: skip
        finally:
            server.stop()
        return results

    def run(self) -> dict:
        started = time.perf_counter()
        world = self.prepare()
        with self.phase("check_counts"):
            orm_counts = self.worker("counts")
            cookie = self.worker("session", {"user_id": 1})["cookie"]
            cases = self.search_cases(world)
            http.collectstatic(self.env, ROOT)
        slugs = world.project_slugs
        scenarios = [
            http.Scenario(c.name, "search", [("/catalog/", c.params())], 'id="catalog-results"') for c in cases
        ] + [
            http.Scenario("project_page", "project_page", [(f"/catalog/{s}/", {}) for s in slugs[:20]], "<main"),
            # Every measured dashboard holds its "Value of reuse" section (issue 18).
            http.Scenario("program_dashboard", "dashboard", [("/metrics/", {})], 'id="value-of-reuse"'),
            http.Scenario("project_dashboard", "dashboard", [(f"/catalog/{slugs[0]}/metrics/", {})], 'id="value-of-reuse"'),
        ]  # fmt: skip
        figures = {"scale": self.scale.name}
        with self.phase("snapshots"):
            # What the hourly warm-up (and a first visit of the project's dashboard) leaves for the
            # dashboards to read: they serve snapshots, as in production.
            figures["snapshots"] = self.worker("snapshots", {"project_slug": slugs[0]})
        with self.phase("http"):
            server = http.start_server(self.env, log=self.tmp / "gunicorn.log", cwd=ROOT)
            try:
                s = self.scale
                measured = self.measure(server, cookie, scenarios)
                mix = [sc for sc in scenarios if sc.group in ("search", "project_page")]
                throughput = http.throughput(server, cookie, mix, seconds=s.throughput_seconds)
                # Recording on vs off: two fresh servers, started together, that differ only in the usage
                # middleware (the measuring server above has served every scenario by now).
                on = http.start_server(self.env, log=self.tmp / "gunicorn-on.log", cwd=ROOT)
                off = http.start_server(
                    {**self.env, "USAGE_PAGE_VIEWS": "false"}, log=self.tmp / "gunicorn-off.log", cwd=ROOT
                )
                try:
                    recording = http.recording_overhead(
                        on, off, cookie, f"/catalog/{slugs[0]}/", pairs=s.recording_pairs
                    )
                finally:
                    on.stop()
                    off.stop()
                web_memory = server.worker_peak_mb()
            finally:
                server.stop()
        with self.phase("cold_reports"):
            figures["cold_reports"] = self.cold_reports(world, cookie)
        with self.phase("load"):
            # Issue 8's load test (32 clients: searches, project pages, beacons) against the same data; the
            # beacon limit is raised for it, and plain HTTP is allowed on loopback.
            load_server = http.start_server(
                {**self.env, "USAGE_BEACON_RATE": "100000000/minute", "SECURE_SSL_REDIRECT": "false"},
                log=self.tmp / "gunicorn-load.log",
                cwd=ROOT,
            )
            try:
                figures["load"] = run_load(
                    load_server.base, seconds=LOAD_SECONDS[self.scale.name], clients=32
                )
            finally:
                load_server.stop()
            # Its page views and beacons queued usage events; the drain measurement starts from an empty queue.
            redis.Redis.from_url(self.redis_url).flushdb()
        search_samples = [x for c in cases for x in measured[c.name].samples_ms]
        figures["http"] = {
            "scenarios": {name: m.summary() for name, m in measured.items()},
            "search_mix": percentiles(search_samples),
            "throughput": throughput,
            "paths": {sc.name: sc.paths[:3] for sc in scenarios},
        }
        with self.phase("floors"):
            search_floor = floors.search_floors(self.database_url, cases, self.scale.floor_repeats)
            repeats = min(2, self.scale.floor_repeats)
            today = world.now.date()
            program = floors_dashboard.dashboard_floor(
                self.database_url, project=None, today=today, repeats=repeats
            )
            project = floors_dashboard.dashboard_floor(
                self.database_url, project=1, today=today, repeats=repeats
            )
            copy = floors.copy_floor(self.database_url, self.scale.drain_events)
        figures["floors"] = {
            "searches": {name: percentiles(samples) for name, samples in search_floor.items()},
            "search_mix": percentiles([x for samples in search_floor.values() for x in samples]),
            "program_dashboard": {**percentiles(program["samples_ms"]), "figures": program["figures"]},
            "project_dashboard": {**percentiles(project["samples_ms"]), "figures": project["figures"]},
            "copy": copy,
        }
        with self.phase("usage"):
            record_call = self.worker("record", {"calls": self.scale.record_calls})
            drain = self.worker("drain", {"events": self.scale.drain_events})
        figures["usage"] = {"recording": recording, "record_call": record_call, "drain": drain}
        with self.phase("sync"):
            figures["sync"] = self.worker(
                "sync", {"repositories": self.scale.sync_repositories, "users": self.scale.users}
            )
        with self.phase("manifests"):
            figures["manifests"] = self.worker(
                "manifests", {"repositories": self.scale.manifest_repositories}
            )
        with self.phase("journey"):
            # Ten times the target (60 s for 20,000 people), pro rata, at least two minutes.
            limit = max(120.0, 600.0 * self.scale.users / 20_000)
            figures["journey"] = self.worker("journey", timeout=limit) or {
                "people": self.scale.users, "timed_out": True, "first_seconds": limit, "peak_rss_mb": None,
            }  # fmt: skip
        figures["memory"] = {
            "web_workers_mb": web_memory,
            "drain_worker_mb": drain["peak_rss_mb"],
            "sync_worker_mb": figures["sync"]["peak_rss_mb"],
            "manifests_worker_mb": figures["manifests"]["peak_rss_mb"],
            "journey_worker_mb": figures["journey"]["peak_rss_mb"],
        }
        if not self.keep:
            dbtools.drop_database(self.database_url)
            redis.Redis.from_url(self.redis_url).flushdb()
        self.durations["total"] = round(time.perf_counter() - started, 2)
        result = {
            "scale": self.scale.name,
            "scale_counts": self.scale.as_dict(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": report.machine(),
            "database": dbtools.database_name(self.database_url),
            "seed": self.seed,
            "generated": world.counts,
            "orm_counts": orm_counts,
            "search_cases": [c.__dict__ for c in cases],
            "durations_s": self.durations,
            **figures,
        }
        result["targets"] = report.targets(result)
        result["missed"] = [t["key"] for t in result["targets"] if t["applies"] and t["met"] is False]
        return result
