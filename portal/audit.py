"""The program office's audit log: what a set of filters selects of the project changes and of the admin's
log entries, for the page and for its CSV exports alike, so that both always show the same rows."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from catalog.interop.export import csv_cell, iso
from catalog.models import ProjectChange

# Rows read from the database at a time while a CSV streams: a large log never sits in memory whole.
CSV_CHUNK = 500

PROJECT_CHANGE_COLUMNS = (
    "when_utc",
    "who",
    "who_email",
    "project_slug",
    "project",
    "action",
    "note",
    "changed_fields",
)
ADMIN_ENTRY_COLUMNS = ("when_utc", "who", "who_email", "action", "object_type", "object", "message")


@dataclass(frozen=True, kw_only=True)
class AuditFilters:
    """What the log is narrowed to; an empty value narrows nothing. Days are UTC days, both included.
    `project` and `action` exist only on project changes, so admin entries ignore them."""

    person: str = ""
    project: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _person(field: str, text: str) -> Q:
    """Every word of `text` in the person's username, e-mail, first or last name, case-blind: "sam
    starter" finds Sam Starter, whose full name is in no single column."""
    query = Q()
    for word in text.split():
        query &= (
            Q(**{f"{field}__username__icontains": word})
            | Q(**{f"{field}__email__icontains": word})
            | Q(**{f"{field}__first_name__icontains": word})
            | Q(**{f"{field}__last_name__icontains": word})
        )
    return query


def _days(field: str, filters: AuditFilters) -> Q:
    query = Q()
    if filters.date_from is not None:
        query &= Q(**{f"{field}__gte": datetime.combine(filters.date_from, time.min, tzinfo=UTC)})
    if filters.date_to is not None:
        # The last instant of the day rather than the next midnight: the 31 Dec 9999 a form accepts has none.
        query &= Q(**{f"{field}__lte": datetime.combine(filters.date_to, time.max, tzinfo=UTC)})
    return query


def project_changes(*, filters: AuditFilters) -> QuerySet[ProjectChange]:
    """The project changes the filters select, newest first, with their project and actor."""
    query = _person("actor", filters.person) & _days("created_at", filters)
    if filters.project:
        query &= Q(project__name__icontains=filters.project) | Q(project__slug__icontains=filters.project)
    if filters.action:
        query &= Q(action=filters.action)
    return (
        ProjectChange.objects.filter(query).select_related("project", "actor").order_by("-created_at", "-pk")
    )


def admin_entries(*, filters: AuditFilters) -> QuerySet[LogEntry]:
    """The admin's log entries (admin changes, API tokens made and revoked) of the person and days the
    filters select, newest first, with their user and content type."""
    return (
        LogEntry.objects.filter(_person("user", filters.person) & _days("action_time", filters))
        .select_related("user", "content_type")
        .order_by("-action_time", "-pk")
    )


class _Echo:
    """A file that hands back what is written to it, so that csv.writer returns each line to stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: tuple[str, ...], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\n")
    yield writer.writerow(columns)
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def _who(user: User | None) -> tuple[str, str]:
    if user is None:
        # A change with no actor was made by the portal itself (a task), or by a since deleted account.
        return "the portal", ""
    return user.get_full_name() or user.username, user.email


def project_changes_csv(*, filters: AuditFilters) -> Iterator[str]:
    """Every project change the filters select (not one page) as CSV lines, header first."""
    rows = (
        (
            iso(change.created_at),
            *_who(change.actor),
            change.project.slug,
            change.project.name,
            change.get_action_display(),
            change.note,
            # The names of the fields, as the page shows them (the value holds each one's before and after).
            "; ".join(change.changed_fields),
        )
        for change in project_changes(filters=filters).iterator(chunk_size=CSV_CHUNK)
    )
    return _csv_lines(PROJECT_CHANGE_COLUMNS, rows)


ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def admin_entries_csv(*, filters: AuditFilters) -> Iterator[str]:
    """Every admin entry the filters select (not one page) as CSV lines, header first."""
    rows = (
        (
            iso(entry.action_time),
            *_who(entry.user),
            ADMIN_ACTIONS[entry.action_flag],
            entry.content_type.name if entry.content_type else "",
            entry.object_repr,
            entry.get_change_message(),
        )
        for entry in admin_entries(filters=filters).iterator(chunk_size=CSV_CHUNK)
    )
    return _csv_lines(ADMIN_ENTRY_COLUMNS, rows)


def csv_filename(*, table: str, filters: AuditFilters) -> str:
    """`audit-<table>-<first day>-to-<last day>.csv`, "start" and "now" standing for an open end."""
    first = filters.date_from.isoformat() if filters.date_from else "start"
    last = filters.date_to.isoformat() if filters.date_to else "now"
    return f"audit-{table}-{first}-to-{last}.csv"
