"""Keeping the daily aggregates in step with the writes of activity rows.

A write is wrapped in `kept(...)`, given which rows it may touch: their facts are read before and after,
and the difference is added to the aggregates as signed increments (one statement per table and
chunk). Re-writing rows unchanged adds nothing (idempotent); a row whose dates, author or state change
moves its counts; a deleted row takes its counts away. The repository's row is locked for the write, so
that two writers of one repository (a sync and a webhook) cannot both count the same change.
"""

from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Q

from catalog.models import Repository
from metrics.daily.facts import CONTRIBUTOR_FIELDS, REQUEST_FIELDS, Facts, facts_of
from metrics.models import ContributorDay, RequestDay

# Keys per query: well within SQLite's and PostgreSQL's limits on parameters.
CHUNK = 500


def facts_where(wheres: Mapping[type, list[Q]]) -> Facts:
    facts = Facts()
    for model, conditions in wheres.items():
        for where in conditions:
            facts_of(facts, model, where)
    return facts


def chunked_in(field: str, values, **fixed) -> list[Q]:
    """Conditions selecting the rows whose `field` is among `values`, a chunk per condition."""
    values = sorted(set(values), key=str)
    return [Q(**fixed, **{f"{field}__in": values[i : i + CHUNK]}) for i in range(0, len(values), CHUNK)]


@contextmanager
def kept(*, repository: Repository | None = None, wheres: Mapping[type, list[Q]]) -> Iterator[None]:
    """Within the block, write rows of the models in `wheres` (each a list of conditions that selects,
    before and after, every row the block may change); the aggregates follow, in the same transaction."""
    wheres = {model: conditions for model, conditions in wheres.items() if conditions}
    if not wheres:
        yield
        return
    with transaction.atomic():
        if repository is not None:
            # Serialises the writers of one repository; a no-op on SQLite, whose writes are serial anyway.
            list(Repository.objects.select_for_update().filter(pk=repository.pk).values_list("pk"))
        before = facts_where(wheres)
        yield
        apply(facts_where(wheres).minus(before))


def _increment_sql(
    table: str, unique: tuple[str, ...], columns: tuple[str, ...], fields: tuple[str, ...], rows: int
):
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in (*columns, *fields))
    values = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + len(fields))) + ")"] * rows)
    updates = ", ".join(f"{quote(f)} = {quote(table)}.{quote(f)} + excluded.{quote(f)}" for f in fields)
    conflict = ", ".join(quote(c) for c in unique)
    return f"INSERT INTO {quote(table)} ({names}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"


def apply(delta: Facts) -> None:
    """Add signed counts to the aggregates' cells (creating missing rows), then drop the rows left at
    zero everywhere (looked for only where a count was taken away)."""
    requests: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(REQUEST_FIELDS, 0))
    contributors: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CONTRIBUTOR_FIELDS, 0))
    for (model, repository_id, day, who, name), n in delta.counts.items():
        if model is RequestDay:
            requests[repository_id, day][name] += n
        else:
            contributors[repository_id, day, who][name] += n

    request_rows = [(*key, *(counts[f] for f in REQUEST_FIELDS)) for key, counts in requests.items()]
    contributor_rows = [
        (*key, *delta.identities[key[2]], *(counts[f] for f in CONTRIBUTOR_FIELDS))
        for key, counts in contributors.items()
    ]
    _upsert_increments(
        RequestDay, ("repository_id", "day"), ("repository_id", "day"), REQUEST_FIELDS, request_rows
    )
    _upsert_increments(
        ContributorDay,
        ("repository_id", "day", "who"),
        ("repository_id", "day", "who", "account_id", "email"),
        CONTRIBUTOR_FIELDS,
        contributor_rows,
    )
    for repository_id, days in _days_by_repository(requests).items():
        RequestDay.objects.filter(
            repository_id=repository_id, day__in=days, opened=0, merged=0, declined=0, ended=0
        ).delete()
    for repository_id, days in _days_by_repository(contributors).items():
        ContributorDay.objects.filter(
            repository_id=repository_id, day__in=days, commits=0, actions=0
        ).delete()


def _days_by_repository(cells: dict[tuple, dict[str, int]]) -> dict[int, list]:
    """The days of each repository with a cell that may have reached zero: only a count taken away can
    bring a cell to zero (no stored cell is all zeros), so a batch of new rows deletes nothing."""
    days: dict[int, set] = defaultdict(set)
    for key, counts in cells.items():
        if any(n < 0 for n in counts.values()):
            days[key[0]].add(key[1])
    return {repository_id: sorted(found) for repository_id, found in days.items()}


def _upsert_increments(
    model: type, unique: tuple[str, ...], columns: tuple[str, ...], fields: tuple[str, ...], rows: list[tuple]
) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(rows), CHUNK // 4):
            chunk = rows[i : i + CHUNK // 4]
            sql = _increment_sql(table, unique, columns, fields, len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])
