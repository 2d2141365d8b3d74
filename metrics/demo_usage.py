"""A believable year of portal usage for the demo organisation, recorded through the same code path as
real usage: every event is built by `usage.usage_event` (as the middleware, the beacon and the receivers
do) and stored in bulk by `usage._store` (the function the drain stores batches with, which resolves the
slugs and units and skips event ids already stored). The daily rollups of the year are then rebuilt by
`rollups.rollup_day`, so the dashboards read rollups as they do in production.

Deterministic: one `random.Random` drives every choice, event ids are drawn from it
(`uuid.UUID(int=rng.getrandbits(128))`), and every moment counts back from `base` (the moment the demo
is seeded), never from the clock. Browsing runs day by day up to `base`: the 364 days before its day
in full, and its own day up to `base` (that day's sessions are drawn in full and cut at `base`, so the
draws, hence the rest of the layout, do not depend on the hour the demo is seeded).
"""

import random
import uuid
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.models import Adoption, Asset, Project
from metrics.models import UsageEvent, UsageKind
from metrics.rollups import rollup_day
from metrics.usage import _store, usage_event

DAYS = 365
# Browsing sessions on an ordinary weekday at the start of the year; usage grows over the year.
SESSIONS_PER_WEEKDAY = 28
WEEKEND_SHARE = 0.15
ANONYMOUS_VISITORS = 400
SIGNED_IN_SHARE = 0.78
REPORTING_CONSUMERS = 30
BATCH = 2000
# What people look for and the catalog does not have: the zero-result searches the program office reads.
ZERO_RESULT_QUERIES = (
    "mainframe connector",
    "cobol",
    "sap adapter",
    "jira plugin",
    "blockchain ledger",
    "as400",
    "excel export macro",
)
OTHER_QUERIES = ("python sdk", "java client", "terraform module", "react components", "kotlin", "go library")
SIGN_UP_PATH = "/accounts/signup/"
STARTER_KIT_PATH = "/guidelines/starter-kit/"


def _first_day(base: datetime) -> date:
    """The first of the DAYS days of the demo's usage, the last being the day of `base`: the first whole
    day within the year before `base`."""
    return base.date() - timedelta(days=DAYS - 1)


def _event_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _visit(visitor_id: str) -> SimpleNamespace:
    """What `usage_event` reads of an anonymous visitor's request: the pseudonymous id the middleware
    minted, no Do-Not-Track, no crawler User-Agent, nobody signed in."""
    return SimpleNamespace(portal_vid=visitor_id, headers={}, COOKIES={}, user=None)


class _Year:
    """The demo organisation as the usage draws on it, read once, always in primary-key order."""

    def __init__(self, *, rng: random.Random, base: datetime) -> None:
        self.rng, self.base = rng, base
        self.start = base - timedelta(days=DAYS)
        # The first whole day after `start`: visits and reports run from it to `base`.
        self.first_day = _first_day(base)
        self.users = list(get_user_model().objects.filter(is_active=True).order_by("pk"))
        self.user_weights = [rng.paretovariate(1.3) for _ in self.users]
        self.anonymous = [_visit(f"{rng.getrandbits(128):032x}") for _ in range(ANONYMOUS_VISITORS)]
        self.anonymous_weights = [rng.paretovariate(1.6) for _ in self.anonymous]
        self.projects = list(Project.objects.listed().prefetch_related("topics").order_by("pk"))
        # A long tail: featured projects draw the most visits, most projects a few.
        self.project_weights = [(3.0 if p.featured else 1.0) * rng.paretovariate(1.4) for p in self.projects]
        listed = {p.pk for p in self.projects}
        self.assets: dict[int, list[Asset]] = {}
        for asset in Asset.objects.filter(project__in=listed).order_by("pk"):
            self.assets.setdefault(asset.project_id, []).append(asset)
        self.by_topic: dict[str, list[Project]] = {}
        for project in self.projects:
            for topic in sorted(t.name for t in project.topics.all()):
                self.by_topic.setdefault(topic, []).append(project)
        self.topics = sorted(self.by_topic)
        self.events: list[dict] = []

    # --- helpers -----------------------------------------------------------------------------------

    def record(self, kind: str, at: datetime, *, who=None, **fields) -> str:
        """Build one event exactly as the recorders do; `who` is a user or an anonymous visit."""
        if who is not None and not isinstance(who, SimpleNamespace):
            fields["user"] = who
        elif who is not None:
            fields["request"] = who
        event = usage_event(kind=kind, occurred_at=at, event_id=_event_id(self.rng), **fields)
        if at < self.base:  # the rest of the seeding day has not happened yet
            self.events.append(event)
        return event["event_id"]

    def someone(self):
        rng = self.rng
        if rng.random() < SIGNED_IN_SHARE:
            return rng.choices(self.users, weights=self.user_weights)[0]
        return rng.choices(self.anonymous, weights=self.anonymous_weights)[0]

    def project(self) -> Project:
        return self.rng.choices(self.projects, weights=self.project_weights)[0]

    def query(self) -> tuple[str, int, list[Project]]:
        """A search: its query, its result count and the projects it can lead to."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.08:
            return rng.choice(ZERO_RESULT_QUERIES), 0, []
        if roll < 0.5:
            topic = rng.choice(self.topics)
            found = self.by_topic[topic]
            query = (
                topic.replace("-", " ") if rng.random() < 0.7 else f"{topic} {rng.choice(['sdk', 'example'])}"
            )
            return query, len(found) + rng.randint(0, 3 * len(found)), found
        if roll < 0.88:
            project = self.project()
            words = project.name.lower().split()
            query = " ".join(words[: rng.randint(1, len(words))])
            return query, rng.randint(1, 4), [project]
        return rng.choice(OTHER_QUERIES), rng.randint(3, 30), rng.sample(self.projects, k=5)

    # --- what people did ---------------------------------------------------------------------------

    def session(self, day: date) -> None:
        rng = self.rng
        who = self.someone()
        hour = min(19.5, max(7.0, rng.gauss(12.5, 2.6)))
        at = datetime.combine(day, time(), tzinfo=self.base.tzinfo) + timedelta(seconds=int(hour * 3600))

        def later() -> datetime:
            nonlocal at
            at += timedelta(seconds=rng.randint(5, 240))
            return at

        if rng.random() < 0.55:
            self.record(UsageKind.PAGE_VIEW, at, who=who, path="/")
        project = None
        roll = rng.random()
        if roll < 0.45:
            query, count, found = self.query()
            filters = {"lifecycle": ["active"]} if rng.random() < 0.1 else {}
            when = later()
            self.record(UsageKind.PAGE_VIEW, when, who=who, path="/catalog/")
            search = self.record(
                UsageKind.SEARCH,
                when,
                who=who,
                path="/catalog/",
                query=query,
                filters=filters,
                result_count=count,
            )
            if count and found and rng.random() < 0.62:
                project = rng.choice(found)
                position = min(count, int(rng.paretovariate(1.5)))
                path = project.get_absolute_url()
                self.record(
                    UsageKind.RESULT_CLICK,
                    later(),
                    who=who,
                    search_event_id=search,
                    position=position,
                    path=path,
                    project_slug=project.slug,
                )
        elif roll < 0.85:
            self.record(UsageKind.PAGE_VIEW, later(), who=who, path="/catalog/")
            project = self.project()
        else:
            project = self.project()  # a link shared in a chat
        if project is None:
            return
        self.record(
            UsageKind.PAGE_VIEW, later(), who=who, path=project.get_absolute_url(), project_slug=project.slug
        )
        assets = self.assets.get(project.pk, [])
        if assets and rng.random() < 0.35:
            asset = rng.choice(assets)
            path = f"{project.get_absolute_url()}assets/{asset.slug}/"
            self.record(
                UsageKind.PAGE_VIEW,
                later(),
                who=who,
                path=path,
                project_slug=project.slug,
                asset_slug=asset.slug,
            )
            if rng.random() < 0.3:
                self.record(
                    UsageKind.ASSET_DOWNLOAD, later(), who=who, path=path, project=project, asset=asset
                )
        if rng.random() < 0.07:
            self.record(UsageKind.CONTRIBUTE_CLICK, later(), who=who, project=project)
        if rng.random() < 0.03:
            self.record(UsageKind.TEMPLATE_DOWNLOAD, later(), who=who, project=project, path=STARTER_KIT_PATH)

    def browsing(self) -> None:
        rng = self.rng
        # The DAYS days from the first day to the seeding day (n = 0).
        for n in range(DAYS - 1, -1, -1):
            day = self.base.date() - timedelta(days=n)
            growth = 0.7 + 0.6 * (DAYS - n) / DAYS
            mean = SESSIONS_PER_WEEKDAY * growth * (1 if day.weekday() < 5 else WEEKEND_SHARE)
            for _ in range(max(0, round(rng.gauss(mean, mean / 5)))):
                self.session(day)

    def adoptions(self) -> None:
        """ "Use this" for the adoptions declared in the year, as the adoption receiver records them; then
        the consumption some adopting teams report weekly through the API (their CI pipelines)."""
        rng = self.rng
        users = {user.pk: user for user in self.users}
        adoptions = list(
            Adoption.objects.filter(asset__project__in=[p.pk for p in self.projects])
            .select_related("asset")
            .order_by("pk")
        )
        for adoption in adoptions:
            if self.start <= adoption.created_at < self.base and rng.random() < 0.8:
                self.record(
                    UsageKind.USE_THIS,
                    adoption.created_at,
                    who=users.get(adoption.created_by_id),
                    asset=adoption.asset_id,
                    project=adoption.asset.project_id,
                    consumer=adoption.team,
                )
        first, last = self.first_day, self.base.date()
        running = [a for a in adoptions if a.ended_on is None or a.ended_on > first]
        for adoption in rng.sample(running, k=min(REPORTING_CONSUMERS, len(running))):
            usual = rng.randint(2, 40)
            day = max(first, adoption.since) + timedelta(days=rng.randint(0, 6))
            if day.weekday() >= 5:  # pipelines report on working days
                day += timedelta(days=7 - day.weekday())
            end = min(last, adoption.ended_on) if adoption.ended_on else last
            while day < end:
                at = datetime.combine(day, time(6), tzinfo=self.base.tzinfo)
                self.record(
                    UsageKind.REPORTED_CONSUMPTION,
                    at + timedelta(minutes=rng.randint(0, 90)),
                    asset=adoption.asset_id,
                    project=adoption.asset.project_id,
                    business_unit=adoption.business_unit_id,
                    consumer=f"{adoption.team} CI",
                    quantity=max(1, round(rng.gauss(usual, usual / 3))),
                )
                day += timedelta(days=7)

    def sign_ups(self) -> None:
        for user in self.users:
            if self.start <= user.date_joined < self.base:
                self.record(UsageKind.SIGN_UP, user.date_joined, who=user, path=SIGN_UP_PATH)


def _store_all(events: list[dict]) -> int:
    stored = 0
    for lo in range(0, len(events), BATCH):
        batch = events[lo : lo + BATCH]
        with transaction.atomic():
            # A `seed_demo --reset` leaves the events of the previous seed (without their people and
            # projects): the same ids are drawn again, so those events are replaced, not kept as they were.
            UsageEvent.objects.filter(event_id__in=[e["event_id"] for e in batch]).delete()
            stored += _store(batch)
    return stored


def _rollups(base: datetime) -> int:
    """The rollups of the days before the seeding day, as the nightly job leaves them. The seeding day
    itself stays raw events, as today's are until the job next runs: the dashboards count it from them,
    together with the visits people make once the demo runs."""
    first = _first_day(base)
    # The demo is dated from `base`, not the clock: keep the whole year inside the retention, or
    # rollup_day would leave the oldest days alone when the clock has moved on since `base`.
    keep = max(settings.USAGE_RETENTION_DAYS, (timezone.now().date() - first).days + 1)
    return sum(rollup_day(day=first + timedelta(days=n), retention_days=keep) for n in range(DAYS - 1))


def demo_usage_seed(*, rng: random.Random, base: datetime) -> dict[str, int]:
    year = _Year(rng=rng, base=base)
    year.browsing()
    year.adoptions()
    year.sign_ups()
    stored = _store_all(year.events)
    return {"usage events": stored, "daily rollups": _rollups(base)}
