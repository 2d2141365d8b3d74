"""Phases that run the portal's own code on the bench database, in a process of their own (as a Celery
worker would): `python -m portal.bench.worker PHASE JSON-ARGS`; prints one JSON object.

The environment (set by the runner) points DATABASE_URL / REDIS_URL at the bench database and Redis db
(the portal's own settings, read from it). Every answer carries the process's peak RSS.
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

from portal.bench.meaning_phases import meaning_embed, meaning_index, meaning_nearest, meaning_radar
from portal.bench.stats import peak_rss_mb, percentiles


def session(args: dict) -> dict:
    """A signed-in session for the bench's viewer (a practitioner), as a browser would hold it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(pk=args["user_id"])
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"cookie": store.session_key, "username": user.get_username()}


def counts(args: dict) -> dict:
    """Row counts read through the ORM, as the app sees them."""
    from catalog.models import Asset, Project, Repository, SearchEntry
    from community.models import Practitioner
    from metrics.models import Comment, DailyRollup, PullRequest, Review, UsageEvent, VisitorDay

    models = {
        "projects": Project, "assets": Asset, "search_entries": SearchEntry, "practitioners": Practitioner,
        "repositories": Repository, "pull_requests": PullRequest, "reviews": Review, "comments": Comment,
        "usage_events": UsageEvent, "daily_rollups": DailyRollup, "visitor_days": VisitorDay,
    }  # fmt: skip
    return {name: model.objects.count() for name, model in models.items()}


def _sample_events(n: int) -> list[dict]:
    """Events as the middleware and the views build them (usage_event), for signed-in people."""
    from django.contrib.auth import get_user_model

    from catalog.models import Project
    from metrics import usage
    from metrics.models import UsageKind

    users = list(get_user_model().objects.order_by("pk")[:200])
    slugs = list(Project.objects.order_by("pk").values_list("slug", flat=True)[:200])
    events = []
    for i in range(n):
        user, slug = users[i % len(users)], slugs[i % len(slugs)]
        if i % 5 == 4:
            event = usage.usage_event(
                kind=UsageKind.SEARCH, user=user, path="/catalog/", query="bench words", result_count=i % 40
            )
        else:
            event = usage.usage_event(
                kind=UsageKind.PAGE_VIEW, user=user, path=f"/catalog/{slug}/", project_slug=slug
            )
        events.append(event)
    return events


def record(args: dict) -> dict:
    """The cost of recording one event with Redis (usage_record, what a request pays), in ms."""
    from django.contrib.auth import get_user_model

    from metrics import usage
    from metrics.models import UsageKind

    client = usage.redis_client()
    client.delete(usage.EVENTS_KEY, usage.PROCESSING_KEY)
    user = get_user_model().objects.order_by("pk").first()
    samples = []
    for _ in range(args["calls"]):
        started = time.perf_counter()
        usage.usage_record(kind=UsageKind.PAGE_VIEW, user=user, path="/catalog/", project_slug="x")
        samples.append((time.perf_counter() - started) * 1000)
    recorded = client.llen(usage.EVENTS_KEY)
    client.delete(usage.EVENTS_KEY)
    return {
        "usage_record_ms": percentiles(samples),
        "middleware_added_ms": _middleware_cost(user, args["calls"]),
        "queued": recorded,
        "peak_rss_mb": peak_rss_mb(),
    }


def _middleware_cost(user, calls: int) -> dict:
    """What the usage middleware adds to a signed-in page view (building the event, the RPUSH), in
    process: the middleware around a view that returns a ready page, minus that view alone."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from catalog.models import Project
    from metrics import usage
    from metrics.middleware import UsageMiddleware

    slug = Project.objects.order_by("pk").values_list("slug", flat=True).first()
    path = f"/catalog/{slug}/"
    page = HttpResponse("<html></html>", content_type="text/html; charset=utf-8")

    def view(request):
        request.resolver_match = resolve(path)
        return page

    middleware = UsageMiddleware(view)
    factory = RequestFactory()
    with_mw, without = [], []
    for _ in range(calls):
        request = factory.get(path, HTTP_USER_AGENT="Mozilla/5.0 PortalBenchmark")
        request.user = user
        started = time.perf_counter()
        middleware(request)
        with_mw.append((time.perf_counter() - started) * 1000)
        request = factory.get(path, HTTP_USER_AGENT="Mozilla/5.0 PortalBenchmark")
        request.user = user
        started = time.perf_counter()
        view(request)
        without.append((time.perf_counter() - started) * 1000)
    usage.redis_client().delete(usage.EVENTS_KEY)
    return {"with": percentiles(with_mw), "without": percentiles(without),
            "added_p50_ms": percentiles(with_mw)["p50"] - percentiles(without)["p50"]}  # fmt: skip


def drain(args: dict) -> dict:
    """Queue N events in the recorder's format, then drain until the queue is empty: events/s."""
    from metrics import usage
    from metrics.models import UsageEvent

    client = usage.redis_client()
    client.delete(usage.EVENTS_KEY, usage.PROCESSING_KEY, usage.LOCK_KEY, usage.DEAD_KEY)
    events = _sample_events(args["events"])
    for start in range(0, len(events), 1000):
        client.rpush(usage.EVENTS_KEY, *(json.dumps(e) for e in events[start : start + 1000]))
    queued = usage.usage_queue_length()
    before = UsageEvent.objects.count()
    started = time.perf_counter()
    inserted, runs = 0, 0
    while usage.usage_queue_length():
        inserted += usage.usage_drain()
        runs += 1
    elapsed = time.perf_counter() - started
    stored = UsageEvent.objects.count() - before
    return {
        "queued": queued,
        "inserted": inserted,
        "stored": stored,
        "dead": client.llen(usage.DEAD_KEY),
        "drain_runs": runs,
        "seconds": elapsed,
        "events_per_second": inserted / elapsed if elapsed else 0.0,
        "peak_rss_mb": peak_rss_mb(),
    }


class _AggregatesClock:
    """Time spent keeping the daily aggregates during a sync (issue 19: at most 10 % of its throughput):
    reading the written rows' facts and applying their differences (metrics.daily.keeping, and its
    receivers for single-row saves), and computing the first responses of the items written
    (metrics.daily.responses), timed by wrapping those functions in this process only."""

    def __init__(self) -> None:
        from metrics.daily import keeping, receivers, responses

        self.seconds = 0.0
        wrapped = [(m, n) for m in (keeping, receivers) for n in ("facts_where", "apply")]
        wrapped.append((responses, "first_responses_refresh"))
        self._originals = {(m, n): getattr(m, n) for m, n in wrapped}

    def _timed(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def __enter__(self) -> "_AggregatesClock":
        for (module, name), function in self._originals.items():
            setattr(module, name, self._timed(function))
        return self

    def __exit__(self, *exc) -> None:
        for (module, name), function in self._originals.items():
            setattr(module, name, function)


def _sync_pass(repositories) -> tuple[float, list[int], list[str], float]:
    """Seconds, requests per repository, outcomes, and seconds of it spent keeping the aggregates."""
    from metrics.models import SyncState
    from metrics.tasks import sync_repository

    outcomes = []
    started = time.perf_counter()
    with _AggregatesClock() as aggregates:
        for repository in repositories:
            outcomes.append(sync_repository(repository.pk))
    elapsed = time.perf_counter() - started
    requests = list(
        SyncState.objects.filter(repository__in=repositories)
        .order_by("repository_id")
        .values_list("last_request_count", flat=True)
    )
    return elapsed, requests, outcomes, aggregates.seconds


def sync(args: dict) -> dict:
    """First sync, then an unchanged re-sync, of N repositories against the local forge."""
    from django.conf import settings

    from catalog.models import BusinessUnit, Project, Repository

    n = args["repositories"]
    forge = subprocess.Popen(
        [sys.executable, "-m", "portal.bench.forge", str(n), str(args["users"])],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(forge.stdout.readline())
        settings.GITHUB_API_URL = f"http://127.0.0.1:{port}"
        unit = BusinessUnit.objects.order_by("pk").first()
        # One (unlisted) project per repository, as in the generated catalog: each successful sync
        # re-scores its project from all of the project's repositories.
        Project.objects.bulk_create(
            [
                Project(
                    name=f"Bench sync {i}",
                    slug=f"bench-sync-{i:04d}",
                    description="Sync test",
                    business_unit=unit,
                )
                for i in range(n)
            ],
            ignore_conflicts=True,
        )
        projects = dict(Project.objects.filter(slug__startswith="bench-sync-").values_list("slug", "pk"))
        Repository.objects.bulk_create(
            [
                Repository(
                    project_id=projects[f"bench-sync-{i:04d}"], forge="github", full_name=f"bench-sync/repo-{i:04d}",
                    url=f"https://github.com/bench-sync/repo-{i:04d}",
                )
                for i in range(n)
            ],
            ignore_conflicts=True,
        )  # fmt: skip
        repositories = list(Repository.objects.filter(full_name__startswith="bench-sync/").order_by("pk"))
        import requests

        def forge_stats() -> dict:
            return requests.get(f"{settings.GITHUB_API_URL}/_stats", timeout=10).json()

        first_seconds, first_requests, first_outcomes, first_aggregates = _sync_pass(repositories)
        after_first = forge_stats()
        second_seconds, second_requests, second_outcomes, second_aggregates = _sync_pass(repositories)
        after_second = forge_stats()
    finally:
        forge.terminate()
        forge.wait(timeout=10)
    answered = {k: after_second.get(k, 0) - after_first.get(k, 0) for k in ("200", "304", "404")}
    return {
        "repositories": len(repositories),
        "first": {
            "seconds": first_seconds,
            "requests": sum(first_requests),
            "requests_per_repository": sum(first_requests) / len(repositories),
            "forge_answers": after_first,
            "outcomes": sorted(set(o.split(":")[0] for o in first_outcomes)),
            "aggregates_seconds": first_aggregates,
            # What keeping the aggregates costs the sync's throughput: its time over the rest's.
            "aggregates_cost": first_aggregates / (first_seconds - first_aggregates),
        },
        "resync": {
            "seconds": second_seconds,
            "requests": sum(second_requests),
            "requests_per_repository": sum(second_requests) / len(repositories),
            "max_requests_per_repository": max(second_requests),
            "forge_answers": answered,
            "outcomes": sorted(set(o.split(":")[0] for o in second_outcomes)),
            "aggregates_seconds": second_aggregates,
        },
        "peak_rss_mb": peak_rss_mb(),
    }


def journey(args: dict) -> dict:
    """Journey stages, participation levels and badges of everyone: the nightly evaluation, twice (the
    first run moves many people; the second is the steady state)."""
    from django.db.models import Count

    from community.journey import everyone_evaluate
    from community.models import BadgeAward, Practitioner, StageChange

    people = Practitioner.objects.count()
    started = time.perf_counter()
    changes = everyone_evaluate()
    first = time.perf_counter() - started
    awards = BadgeAward.objects.count()
    started = time.perf_counter()
    again = everyone_evaluate()
    second = time.perf_counter() - started
    stages = dict(Practitioner.objects.values_list("stage").annotate(n=Count("pk")).order_by())
    return {
        "people": people,
        "first_seconds": first,
        "first_stage_changes": changes,
        "badge_awards": awards,
        "second_seconds": second,
        "second_stage_changes": again,
        "stage_changes_recorded": StageChange.objects.count(),
        "stages": stages,
        "peak_rss_mb": peak_rss_mb(),
    }


def snapshots(args: dict) -> dict:
    """The dashboards' snapshots the hourly warm-up computes (the program's preset periods), and the one
    of the measured project's default period (computed on demand in production): seconds each."""
    from django.utils import timezone

    from catalog.models import Project
    from metrics import snapshots
    from metrics.scopes import ReportScope

    today = timezone.now().date()
    project = Project.objects.get(slug=args["project_slug"])
    work = [(ReportScope(), start, end) for start, end in snapshots.preset_periods(today=today)]
    work.append((ReportScope(project_id=project.pk), today - timedelta(days=snapshots.DEFAULT_DAYS), today))
    seconds = {}
    for scope, start, end in work:
        started = time.perf_counter()
        snapshots.snapshot_compute(scope=scope, start=start, end=end)
        seconds[f"{scope.key} {(end - start).days} days"] = time.perf_counter() - started
    return {"seconds": sum(seconds.values()), "snapshots": seconds, "peak_rss_mb": peak_rss_mb()}


def daily_aggregates(args: dict) -> dict:
    """The daily aggregates of the generated activity (written by COPY, past the services that keep
    them), rebuilt as `rebuild_daily_aggregates` does after a restore."""
    from metrics.daily import rebuild_daily_aggregates

    started = time.perf_counter()
    rows = rebuild_daily_aggregates()
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def manifests(args: dict) -> dict:
    """Manifest scanning of N repositories: a first scan and an unchanged re-scan (portal.bench.manifest_phase)."""
    from portal.bench.manifest_phase import manifests as measure

    return measure(args)


PHASES = {
    "daily_aggregates": daily_aggregates,
    "manifests": manifests,
    "meaning_embed": meaning_embed,
    "meaning_radar": meaning_radar,
    "meaning_index": meaning_index,
    "meaning_nearest": meaning_nearest,
    "session": session,
    "counts": counts,
    "record": record,
    "drain": drain,
    "sync": sync,
    "journey": journey,
    "snapshots": snapshots,
}


def main() -> None:
    phase, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    result = PHASES[phase](json.loads(raw))
    sys.stdout.write("\n@@BENCH@@" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
