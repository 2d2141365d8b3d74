"""Recording usage events: who the visitor is, the event a request or a caller describes, and queueing
it in Redis (or writing it directly when there is no Redis or it fails)."""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import uuid
from contextlib import nullcontext
from time import time_ns

import redis
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from metrics import rollups
from metrics.models import CONSUMPTION_KINDS, UsageEvent, UsageKind
from metrics.usage.queue import EVENTS_KEY, redis_client
from metrics.usage.storing import KINDS, _resolve_references, _row, clicked_searches

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "portal_vid"
VISITOR_COOKIE_MAX_AGE = 365 * 24 * 60 * 60

# Tracking kinds follow a person around the portal: Do-Not-Track / Global Privacy Control skip them.
TRACKING_KINDS = frozenset(
    {UsageKind.PAGE_VIEW, UsageKind.SEARCH, UsageKind.RESULT_CLICK, UsageKind.CONTRIBUTE_CLICK}
)
# These count what happened rather than who did it: with DNT/GPC they are kept, without a visitor id.
ANONYMISED_KINDS = frozenset({*CONSUMPTION_KINDS, UsageKind.SIGN_UP})

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
        # in autocommit (the middleware, after the view) the single INSERT is atomic by itself, and the
        # recount of a late click's rollup (a transaction of its own) reads it committed.
        with transaction.atomic() if connection.in_atomic_block else nullcontext():
            UsageEvent.objects.bulk_create(rows, ignore_conflicts=True)
            rollups.searches_clicked(search_event_ids=clicked_searches(rows))
    except DatabaseError:
        # The last resort: the event is in the log, whence it can be replayed, rather than lost silently.
        logger.exception("usage: could not write events: %s", json.dumps(events))
