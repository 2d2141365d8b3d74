"""What a badge rule returns: the qualifiers (who, for what, on which evidence), and how rows of
per-person aggregates become them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet


@dataclass(frozen=True)
class Qualifier:
    """One person for whom a rule holds. Equal (and hashed) by (user_id, key) only: the evidence is
    what the award records, not what makes it a distinct award."""

    user_id: int
    key: str = ""
    evidence: dict = field(default_factory=dict, compare=False, hash=False)

    def __iter__(self):
        # So that `for user_id, key, evidence in qualifiers` reads like the tuples the rules describe.
        return iter((self.user_id, self.key, self.evidence))


Rule = Callable[..., set[Qualifier]]


def iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


def per_person(rows: Iterable[dict], *, person: str = "user_id", **evidence: str) -> set[Qualifier]:
    """One qualifier (no key) per row of aggregates grouped by person: `person` is the column of the
    user id, and each keyword names a piece of evidence after the column it records (moments as ISO
    text, as the award stores them)."""
    return {
        Qualifier(row[person], "", {name: _recorded(row[column]) for name, column in evidence.items()})
        for row in rows
    }


def distinct_at_least(rows: QuerySet, needed: int, *, person: str, **counted: str) -> set[Qualifier]:
    """The people (`person`: the column of the user id) with at least `needed` distinct values among
    `rows` of the one column given as a keyword, grouped and counted in the database; the keyword names
    the count in the evidence."""
    ((evidence, column),) = counted.items()
    tallies = (
        rows.values(person).annotate(tally=Count(column, distinct=True)).filter(tally__gte=needed).order_by()
    )
    return per_person(tallies, person=person, **{evidence: "tally"})


def _recorded(value):
    return iso(value) if isinstance(value, date) else value  # a datetime is a date too
