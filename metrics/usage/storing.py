"""Storing a batch of usage events: the references recording left for later are resolved in bulk, and
the events not stored yet become rows (on PostgreSQL through COPY: metrics.usage_copy)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from datetime import datetime

import orjson
from django.db import connection

from metrics import rollups, usage_copy
from metrics.models import UsageEvent, UsageKind
from metrics.usage.queue import DEAD_KEY, redis_client

logger = logging.getLogger(__name__)

KINDS = frozenset(UsageKind.values)


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
        inserted = usage_copy.insert_copied(rows) if rows else 0
        rollups.searches_clicked(search_event_ids=usage_copy.clicked_searches(rows))
        return inserted
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
    rollups.searches_clicked(search_event_ids=clicked_searches(fresh))
    return len(fresh)


def clicked_searches(rows: Iterable[UsageEvent]) -> set[uuid.UUID]:
    """The searches the result clicks among `rows` name: their rolled-up days count them as clicked
    (metrics.rollups.searches_clicked), however late the clicks came."""
    return {row.search_event_id for row in rows if row.kind == UsageKind.RESULT_CLICK and row.search_event_id}


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
