"""Portal usage events: recording, and the drain from Redis into the database (metrics.rollups rolls
them up by day and applies the retention).

Recording must cost a request next to nothing: with REDIS_URL set an event is one RPUSH of a small JSON
document onto `usage:events`; a Celery task (`metrics.tasks.usage_drain`, every 10 s) moves them into
PostgreSQL in bulk. In the embedded mode (no Redis) the event is one INSERT. When Redis fails the event
is written directly instead: an event is never dropped silently.

The drain is a reliable queue: items are first moved atomically to `usage:processing`, then stored, then
removed. A crash between the two leaves them in `usage:processing`, and the next drain stores them again;
the unique `event_id` makes that second insert a no-op, so nothing is lost or duplicated.

Metrics never imports community: a person's business unit is read through `user.practitioner` by getattr.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from time import time_ns

import orjson
import redis
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from metrics import usage_copy
from metrics.models import CONSUMPTION_KINDS, UsageEvent, UsageKind

logger = logging.getLogger(__name__)

EVENTS_KEY = "usage:events"
PROCESSING_KEY = "usage:processing"
DEAD_KEY = "usage:dead"
LOCK_KEY = "usage:drain-lock"
VISITOR_COOKIE = "portal_vid"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
# Short, so that a Redis that hangs costs a request at most a fraction of a second before the fallback.
REDIS_TIMEOUT_SECONDS = 0.2
# One drain run stores at most this many batches, so that it finishes well within its lock and the
# next scheduled run (10 s later) takes over a large backlog.
DRAIN_MAX_BATCHES = 50
# Events per batch (one transaction): large enough that the fixed cost of a batch (a Redis round trip,
# the temporary table, a commit) is small next to the rows it carries.
DRAIN_BATCH_SIZE = 5000
DRAIN_LOCK_SECONDS = 120

# Tracking kinds follow a person around the portal: Do-Not-Track / Global Privacy Control skip them.
TRACKING_KINDS = frozenset(
    {UsageKind.PAGE_VIEW, UsageKind.SEARCH, UsageKind.RESULT_CLICK, UsageKind.CONTRIBUTE_CLICK}
)
# These count what happened rather than who did it: with DNT/GPC they are kept, without a visitor id.
ANONYMISED_KINDS = frozenset({*CONSUMPTION_KINDS, UsageKind.SIGN_UP})
KINDS = frozenset(UsageKind.values)

CRAWLER_UA = re.compile(
    r"bot|crawl|spider|slurp|curl/|wget/|python-requests|python-urllib|httpx|aiohttp|"
    r"go-http-client|java/|okhttp|libwww|scrapy|facebookexternalhit|preview|monitor|uptime",
    re.IGNORECASE,
)
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{16,43}$")

# Fields a caller may pass through **fields, with the longest text the model stores.
TEXT_FIELDS = {"path": 500, "query": 200, "consumer": 150}
OTHER_FIELDS = {
    "filters",
    "result_count",
    "position",
    "search_event_id",
    "quantity",
    "business_unit",
    "event_id",
}
# A page names its project by slug; the id is looked up when the event is stored (in bulk, by the
# drain), so that recording a page view costs the request no query.
SLUG_FIELDS = {"project_slug", "asset_slug"}

_clients: dict[str, redis.Redis] = {}


def redis_client() -> redis.Redis | None:
    """One client (and connection pool) per process and URL; None in the embedded mode."""
    url = settings.REDIS_URL
    if not url:
        return None
    client = _clients.get(url)
    if client is None:
        client = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        _clients[url] = client
    return client


# --- who ------------------------------------------------------------------------------------------


def new_visitor_id() -> str:
    # Random, never derived from the IP address or the browser: it identifies a cookie, not a person.
    return secrets.token_urlsafe(16)


def request_visitor_id(request) -> str:
    """The pseudonymous id of an anonymous visitor: the cookie, or the one the middleware just minted."""
    minted = getattr(request, "portal_vid", "")
    if minted:
        return minted
    value = request.COOKIES.get(VISITOR_COOKIE, "")
    return value if VISITOR_ID.match(value) else ""


def opted_out(request) -> bool:
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def is_crawler(request) -> bool:
    return bool(CRAWLER_UA.search(request.headers.get("User-Agent", "")))


def _pk(value) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return value.pk


def _unit_of(user) -> int | None:
    practitioner = getattr(user, "practitioner", None)  # a missing profile raises an AttributeError
    return getattr(practitioner, "business_unit_id", None)


# --- recording ------------------------------------------------------------------------------------


def new_event_id() -> uuid.UUID:
    """A time-ordered UUID (version 7 of RFC 9562: 48 bits of Unix milliseconds, the version, 74 random
    bits). Events recorded close in time get ids close in the unique index, so storing a batch writes to
    a few of its pages instead of thousands scattered over an index of ten million entries: the drain
    stores events about 1.6 times as fast as with random (version 4) ids."""
    millis = time_ns() // 1_000_000
    random_bits = int.from_bytes(os.urandom(10), "big")
    value = (millis & (2**48 - 1)) << 80  # unix_ts_ms
    value |= 0x7 << 76  # version 7
    value |= ((random_bits >> 62) & 0xFFF) << 64  # rand_a: 12 bits
    value |= 0b10 << 62  # the RFC 9562 variant
    value |= random_bits & (2**62 - 1)  # rand_b: 62 bits
    return uuid.UUID(int=value)


def usage_event(*, kind, request=None, user=None, project=None, asset=None, occurred_at=None, **fields):
    """The JSON-able event to record, or None when it must not be recorded (DNT, crawler)."""
    if kind not in KINDS:
        raise ValueError(f"unknown usage kind {kind!r}")
    unknown = set(fields) - set(TEXT_FIELDS) - OTHER_FIELDS - SLUG_FIELDS
    if unknown:
        raise TypeError(f"usage_record() got unknown fields: {', '.join(sorted(unknown))}")
    anonymise = False
    if request is not None:
        if is_crawler(request):
            return None
        if opted_out(request):
            if kind in TRACKING_KINDS:
                return None
            anonymise = True
        if user is None:
            request_user = getattr(request, "user", None)
            if request_user is not None and request_user.is_authenticated:
                user = request_user
    if user is not None and not user.is_authenticated:
        user = None
    visitor = ""
    if not anonymise:
        if user is not None:
            visitor = f"u:{user.pk}"
        elif request is not None and (vid := request_visitor_id(request)):
            visitor = f"v:{vid}"
    business_unit = fields.pop("business_unit", None)
    business_unit_id = None
    if business_unit is not None:
        business_unit_id = _pk(business_unit)
    elif user is not None and anonymise:
        business_unit_id = _unit_of(user)  # no user id is kept to look it up by later
    search_event_id = fields.pop("search_event_id", None)
    event = {
        "event_id": str(fields.pop("event_id", None) or new_event_id()),
        "kind": str(kind),
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
        "visitor": visitor,
        "user_id": None if anonymise or user is None else user.pk,
        "project_id": _pk(project),
        "asset_id": _pk(asset),
        "business_unit_id": business_unit_id or None,
        # The person's unit is looked up when the event is stored (in bulk), not during the request.
        "unit_of_user": business_unit is None and not anonymise and user is not None,
        "search_event_id": str(search_event_id) if search_event_id else None,
        "filters": fields.pop("filters", None) or {},
        "result_count": fields.pop("result_count", None),
        "position": fields.pop("position", None),
        "quantity": fields.pop("quantity", None) or 1,
    }
    for name, limit in TEXT_FIELDS.items():
        event[name] = str(fields.pop(name, "") or "")[:limit]
    for name in SLUG_FIELDS:
        if fields.get(name):
            event[name] = str(fields[name])[:100]
    return event


def usage_record(*, kind, request=None, user=None, project=None, asset=None, occurred_at=None, **fields):
    """Record one usage event; returns its event id, or None when it is not recorded (DNT, crawler).

    Never raises because of Redis: on any Redis error the event is written to the database instead."""
    event = usage_event(
        kind=kind, request=request, user=user, project=project, asset=asset, occurred_at=occurred_at, **fields
    )
    if event is None:
        return None
    usage_record_events([event])
    return event["event_id"]


def usage_record_events(events: list[dict]) -> None:
    """Queue events built by `usage_event` (one RPUSH for all), or write them directly."""
    if not events:
        return
    client = redis_client()
    if client is not None:
        try:
            client.rpush(EVENTS_KEY, *(json.dumps(event) for event in events))
            return
        except (redis.RedisError, OSError) as error:
            logger.warning("usage: Redis unavailable (%s); writing %d event(s) directly", error, len(events))
    _write_direct(events)


def _write_direct(events: list[dict]) -> None:
    try:
        rows = [_row(event) for event in _resolve_references(events)]
        # A savepoint only inside a transaction, so that a failed insert cannot break the caller's work;
        # in autocommit (the middleware, after the view) the single INSERT is atomic by itself.
        if connection.in_atomic_block:
            with transaction.atomic():
                UsageEvent.objects.bulk_create(rows, ignore_conflicts=True)
        else:
            UsageEvent.objects.bulk_create(rows, ignore_conflicts=True)
    except DatabaseError:
        # The last resort: the event is in the log, whence it can be replayed, rather than lost silently.
        logger.exception("usage: could not write events: %s", json.dumps(events))


def _resolve_references(events: list[dict]) -> list[dict]:
    """Fill what recording left for later, in one query each for the whole batch: project_id / asset_id
    from the slugs a page named, business_unit_id from the person's practitioner profile (read through
    the ORM relation: metrics never imports community)."""
    from django.contrib.auth import get_user_model

    from catalog.models import Asset, Project

    projects = {e["project_slug"] for e in events if e.get("project_slug") and not e.get("project_id")}
    assets = {
        (e["project_slug"], e["asset_slug"]) for e in events if e.get("project_slug") and e.get("asset_slug")
    }
    users = {e["user_id"] for e in events if e.get("unit_of_user") and e.get("user_id")}
    project_ids = (
        dict(Project.objects.filter(slug__in=projects).values_list("slug", "pk")) if projects else {}
    )
    asset_ids = {}
    if assets:
        rows = Asset.objects.filter(
            project__slug__in={p for p, _ in assets}, slug__in={a for _, a in assets}
        ).values_list("project__slug", "slug", "pk")
        asset_ids = {(p, a): pk for p, a, pk in rows}
    units = {}
    if users:
        units = dict(
            get_user_model().objects.filter(pk__in=users).values_list("pk", "practitioner__business_unit")
        )
    for event in events:
        if event.get("project_slug") and not event.get("project_id"):
            event["project_id"] = project_ids.get(event["project_slug"])
        if event.get("asset_slug") and not event.get("asset_id"):
            event["asset_id"] = asset_ids.get((event.get("project_slug"), event["asset_slug"]))
        if event.get("unit_of_user") and not event.get("business_unit_id"):
            event["business_unit_id"] = units.get(event.get("user_id"))
    return events


def _row(event: dict) -> UsageEvent:
    return UsageEvent(
        event_id=uuid.UUID(event["event_id"]),
        kind=event["kind"],
        occurred_at=datetime.fromisoformat(event["occurred_at"]),
        visitor=event.get("visitor") or "",
        user_id=event.get("user_id"),
        project_id=event.get("project_id"),
        asset_id=event.get("asset_id"),
        business_unit_id=event.get("business_unit_id"),
        path=(event.get("path") or "")[:500],
        query=(event.get("query") or "")[:200],
        filters=event.get("filters") or {},
        result_count=event.get("result_count"),
        position=event.get("position"),
        search_event_id=uuid.UUID(event["search_event_id"]) if event.get("search_event_id") else None,
        consumer=(event.get("consumer") or "")[:150],
        quantity=event.get("quantity") or 1,
    )


# --- the drain ------------------------------------------------------------------------------------

# Atomic "take up to N from the head of the queue into processing" (Redis runs a script alone).
_CLAIM_SCRIPT = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items > 0 then
  redis.call('RPUSH', KEYS[2], unpack(items))
  redis.call('LTRIM', KEYS[1], #items, -1)
end
return items
"""


def _claim(batch_size: int) -> list[bytes]:
    """The next batch to store: first what a crashed drain left in processing, else up to batch_size
    events moved atomically from the queue to processing."""
    client = redis_client()
    leftovers = client.lrange(PROCESSING_KEY, 0, -1)
    if leftovers:
        return leftovers
    return client.eval(_CLAIM_SCRIPT, 2, EVENTS_KEY, PROCESSING_KEY, batch_size)


def _parse(items: Iterable[bytes | str | dict]) -> tuple[list[tuple], list[tuple]]:
    """(item, event) pairs of the items that are events of a known kind, and (item, error) of the rest."""
    parsed: list[tuple[bytes | str | dict, dict]] = []
    dead = []
    for item in items:
        try:
            # orjson parses three times as fast as json (parsing was an eighth of the drain), and refuses what
            # PostgreSQL could not store (lone surrogates, integers past 64 bits): those are set aside here.
            event = item if isinstance(item, dict) else orjson.loads(item)
            if not isinstance(event, dict) or event.get("kind") not in KINDS:
                raise ValueError("not an event of a known kind")
            parsed.append((item, event))
        except ValueError as error:
            dead.append((item, error))
    return parsed, dead


def _store(items: Iterable[bytes | str | dict]) -> int:
    """Insert the events not stored yet (by event id) in one bulk; returns how many were inserted.

    Items that cannot be parsed are logged and set aside in `usage:dead` instead of blocking the queue.
    On PostgreSQL the batch is COPYed into a temporary table and inserted with one INSERT ... SELECT that
    resolves the references in SQL; elsewhere (the embedded SQLite) through the ORM."""
    parsed, dead = _parse(items)
    if connection.vendor == "postgresql":
        rows, bad = usage_copy.copy_rows(parsed)
        _set_aside(dead + bad)
        return usage_copy.insert_copied(rows) if rows else 0
    _resolve_references([event for _, event in parsed])
    rows_by_id: dict[uuid.UUID, UsageEvent] = {}
    for item, event in parsed:
        try:
            row = _row(event)
        except (ValueError, KeyError, TypeError) as error:
            dead.append((item, error))
            continue
        rows_by_id[row.event_id] = row
    _set_aside(dead)
    if not rows_by_id:
        return 0
    _drop_dangling_references(list(rows_by_id.values()))
    stored = set(UsageEvent.objects.filter(event_id__in=list(rows_by_id)).values_list("event_id", flat=True))
    fresh = [row for event_id, row in rows_by_id.items() if event_id not in stored]
    # ignore_conflicts as well: a direct write racing the drain cannot fail the batch.
    UsageEvent.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _set_aside(dead: list[tuple[bytes | str | dict, Exception]]) -> None:
    for item, error in dead:
        logger.error("usage: malformed event set aside in %s (%s): %r", DEAD_KEY, error, item)
    items = [item if not isinstance(item, dict) else json.dumps(item) for item, _ in dead]
    if items and (client := redis_client()) is not None:
        client.rpush(DEAD_KEY, *items)


def _drop_dangling_references(rows: list[UsageEvent]) -> None:
    """A project, asset, unit or user deleted between recording and draining would fail the whole batch
    at commit (foreign keys); the event is kept without the reference, as SET_NULL would have done."""
    from django.contrib.auth import get_user_model

    from catalog.models import Asset, BusinessUnit, Project

    for field, model in (
        ("project_id", Project),
        ("asset_id", Asset),
        ("business_unit_id", BusinessUnit),
        ("user_id", get_user_model()),
    ):
        wanted = {getattr(row, field) for row in rows} - {None}
        if not wanted:
            continue
        existing = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for row in rows:
            if getattr(row, field) is not None and getattr(row, field) not in existing:
                setattr(row, field, None)


def usage_drain(*, batch_size: int = DRAIN_BATCH_SIZE) -> int:
    """Move queued events into the database in bulk; returns how many were inserted.

    One drain at a time (a lock in Redis): two drains sharing `usage:processing` could remove each
    other's batches. A no-op in the embedded mode, where events are written directly."""
    client = redis_client()
    if client is None:
        return 0
    token = uuid.uuid4().hex
    if not client.set(LOCK_KEY, token, nx=True, ex=DRAIN_LOCK_SECONDS):
        return 0
    inserted = 0
    try:
        for _ in range(DRAIN_MAX_BATCHES):
            items = _claim(batch_size)
            if not items:
                break
            with transaction.atomic():
                inserted += _store(items)
            # Only once the batch is committed: a crash before this line makes the next drain redo it.
            client.ltrim(PROCESSING_KEY, len(items), -1)
    finally:
        if client.get(LOCK_KEY) == token.encode():
            client.delete(LOCK_KEY)
    return inserted


def usage_queue_length() -> int:
    client = redis_client()
    return 0 if client is None else client.llen(EVENTS_KEY) + client.llen(PROCESSING_KEY)
