"""The PostgreSQL path of the usage drain (metrics.usage): a batch of events is COPYed into a temporary
table, then stored with one INSERT ... SELECT that resolves the references in SQL and skips events
already stored. Several times faster than the ORM's bulk_create, whose per-batch lookups and
parameter binding dominate at tens of thousands of events a second."""

import json
import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import UsageEvent, UsageKind

logger = logging.getLogger(__name__)

_COPY_TABLE = "usage_drain_batch"
# (column, type in the temporary table); the order of the tuples `_copy_row` returns.
_COPY_COLUMNS = (
    ("event_id", "uuid"),
    ("kind", "text"),
    ("occurred_at", "timestamptz"),
    ("visitor", "text"),
    ("user_id", "bigint"),
    ("project_id", "bigint"),
    ("asset_id", "bigint"),
    ("business_unit_id", "bigint"),
    ("unit_of_user", "boolean"),
    ("project_slug", "text"),
    ("asset_slug", "text"),
    ("path", "text"),
    ("query", "text"),
    ("filters", "jsonb"),
    ("result_count", "integer"),
    ("position", "integer"),
    ("search_event_id", "uuid"),
    ("consumer", "text"),
    ("quantity", "integer"),
)
_INT_MIN, _INT_MAX, _BIGINT_MAX = -(2**31), 2**31 - 1, 2**63 - 1


def _int(value, *, low: int = _INT_MIN, high: int = _INT_MAX) -> int:
    """An integer column's value, checked here: a value PostgreSQL refuses would fail the whole COPY."""
    if type(value) is not int:
        value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{value} is out of range")
    return value


def _text(value, limit: int) -> str:
    if not value:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return value[:limit] if len(value) > limit else value


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def copy_row(item, event: dict) -> tuple:
    """The tuple COPYed for one event, with the checks and conversions metrics.usage._row and the ORM make; raises
    ValueError (and the like) for an event to set aside rather than let it fail the whole batch."""
    # PostgreSQL stores no NUL character in text or jsonb (it would fail the whole COPY); in JSON one can
    # only come escaped, so the decoded event is searched only when the escape is there (rarely).
    escaped = isinstance(item, bytes | str) and ("\\u0000" if isinstance(item, str) else b"\\u0000") in item
    if escaped and _has_nul(event):
        raise ValueError("a NUL character")
    occurred_at = datetime.fromisoformat(event["occurred_at"])
    if occurred_at.tzinfo is None and settings.USE_TZ:
        # As DateTimeField does (with its warning): a naive time is in the default time zone.
        logger.warning("usage: naive occurred_at %s read in the default time zone", occurred_at)
        occurred_at = timezone.make_aware(occurred_at, timezone.get_default_timezone())
    visitor = event.get("visitor") or ""
    if not isinstance(visitor, str):
        visitor = str(visitor)
    if len(visitor) > 64:
        raise ValueError("visitor longer than 64 characters")
    filters = event.get("filters")
    search_event_id = event.get("search_event_id")
    result_count = event.get("result_count")
    position = event.get("position")
    user_id = event.get("user_id")
    project_id = event.get("project_id")
    asset_id = event.get("asset_id")
    business_unit_id = event.get("business_unit_id")
    project_slug = event.get("project_slug")
    asset_slug = event.get("asset_slug")
    return (
        uuid.UUID(event["event_id"]),
        event["kind"],
        occurred_at,
        visitor,
        None if user_id is None else _int(user_id),
        _int(project_id, high=_BIGINT_MAX) if project_id else None,
        _int(asset_id, high=_BIGINT_MAX) if asset_id else None,
        _int(business_unit_id, high=_BIGINT_MAX) if business_unit_id else None,
        bool(event.get("unit_of_user")),
        str(project_slug) if project_slug else None,
        str(asset_slug) if asset_slug else None,
        _text(event.get("path"), 500),
        _text(event.get("query"), 200),
        json.dumps(filters) if filters else "{}",
        None if result_count is None else _int(result_count),
        None if position is None else _int(position),
        uuid.UUID(search_event_id) if search_event_id else None,
        _text(event.get("consumer"), 150),
        _int(event.get("quantity") or 1, low=0),
    )


def _insert_sql() -> str:
    """One INSERT ... SELECT from the COPYed batch: project / asset ids from the slugs a page named, the
    person's unit from the practitioner profile (found through the user model: metrics never imports
    community), every reference that no longer exists dropped to NULL, and events already stored (by
    event id) skipped. Slugs are looked up by subqueries that run only for the rows naming one: as joins,
    PostgreSQL hashed the whole project and asset tables for every batch (most of a batch's time at
    100,000 entries)."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import FieldDoesNotExist

    from catalog.models import Asset, BusinessUnit, Project

    qn = connection.ops.quote_name
    user_model = get_user_model()
    unit_join, resolved_unit = "", "NULL"
    try:
        practitioner = user_model._meta.get_field("practitioner").related_model
    except FieldDoesNotExist:
        practitioner = None
    if practitioner is not None:
        unit_join = (
            f"LEFT JOIN {qn(practitioner._meta.db_table)} pr ON t.business_unit_id IS NULL AND t.unit_of_user"
            f" AND pr.{qn(practitioner._meta.get_field('user').column)} = t.user_id"
        )
        resolved_unit = f"pr.{qn(practitioner._meta.get_field('business_unit').column)}"
    asset_project = qn(Asset._meta.get_field("project").column)
    project, asset = qn(Project._meta.db_table), qn(Asset._meta.db_table)
    return f"""
        INSERT INTO {qn(UsageEvent._meta.db_table)}
            (event_id, kind, occurred_at, visitor, user_id, project_id, asset_id, business_unit_id,
             path, query, filters, result_count, position, search_event_id, consumer, quantity)
        SELECT t.event_id, t.kind, t.occurred_at, t.visitor, u.{qn(user_model._meta.pk.column)},
               COALESCE(p.id, (SELECT ps.id FROM {project} ps
                               WHERE t.project_id IS NULL AND ps.slug = t.project_slug)),
               COALESCE(a.id, (SELECT asl.id FROM {asset} asl JOIN {project} ap ON ap.id = asl.{asset_project}
                               WHERE t.asset_id IS NULL AND asl.slug = t.asset_slug
                                 AND ap.slug = t.project_slug)),
               COALESCE(b.id, {resolved_unit}),
               t.path, t.query, t.filters, t.result_count, t.position, t.search_event_id, t.consumer,
               t.quantity
        FROM {_COPY_TABLE} t
        LEFT JOIN {qn(user_model._meta.db_table)} u ON u.{qn(user_model._meta.pk.column)} = t.user_id
        LEFT JOIN {project} p ON p.id = t.project_id
        LEFT JOIN {asset} a ON a.id = t.asset_id
        LEFT JOIN {qn(BusinessUnit._meta.db_table)} b ON b.id = t.business_unit_id
        {unit_join}
        ON CONFLICT (event_id) DO NOTHING
    """


def copy_rows(parsed: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """The COPY rows of parsed (item, event) pairs, and (item, error) for the events to set aside."""
    rows, dead = [], []
    for item, event in parsed:
        try:
            rows.append(copy_row(item, event))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
            dead.append((item, error))
    return rows, dead


def clicked_searches(rows: list[tuple]) -> set[uuid.UUID]:
    """The searches the result clicks among the COPY rows name (as metrics.usage.clicked_searches reads
    them from model rows)."""
    names = [name for name, _ in _COPY_COLUMNS]
    kind, search = names.index("kind"), names.index("search_event_id")
    return {row[search] for row in rows if row[kind] == UsageKind.RESULT_CLICK and row[search] is not None}


def insert_copied(rows: list[tuple]) -> int:
    columns = ", ".join(f"{name} {kind}" for name, kind in _COPY_COLUMNS)
    # A savepoint of its own when the caller has a transaction, else one: the temporary table lives
    # in it and is dropped at its end (ON COMMIT DROP, and explicitly for a caller's longer transaction).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {_COPY_TABLE} ({columns}) ON COMMIT DROP")
        names = ", ".join(name for name, _ in _COPY_COLUMNS)
        with cursor.cursor.copy(f"COPY {_COPY_TABLE} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_insert_sql())
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {_COPY_TABLE}")
    return inserted
