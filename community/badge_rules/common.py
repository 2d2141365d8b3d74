"""What every badge rule shares: the qualifier it returns, the thresholds a badge may override, and the
conditions on people, catalog projects and human authors."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import F, Q

from catalog.models import Project
from metrics.models import Review

# Defaults for the thresholds a badge's `parameters` may override in the admin.
DEFAULTS = {
    "helping_hand": {"count": 10, "business_days": 2},
    "cross_team": {"count": 3},
    "sprint_streak": {"count": 6},
    "mentor": {"count": 5},
    "solve_once": {"count": 5},
}


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


def param(badge, rule: str, name: str) -> int:
    value = (badge.parameters or {}).get(name, DEFAULTS[rule][name])
    return int(value)


def people(path: str, user_ids: list[int] | None) -> Q:
    """Rows whose person (`path` leads to a user id) is among `user_ids`; None: everyone known."""
    if user_ids is None:
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__in": user_ids})


def listed(path: str) -> Q:
    return Q(**{f"{path}__in": Project.objects.listed().values("pk")})


# An author account that is not a bot (joining through `author` also leaves out rows with no author).
HUMAN = Q(author__is_bot=False)


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


def _recorded(value):
    return iso(value) if isinstance(value, date) else value  # a datetime is a date too


def reviews_of_others(user_ids) -> Q:
    """Submitted, non-pending reviews by a human of a request that is not their own nor a bot's. The
    request's author is someone else when it is another account and, if both are linked, another user
    (a person may review from a second account of theirs: still their own request); a request whose
    author account is gone (GitHub's "ghost") is someone else's."""
    someone_else = Q(pull_request__author__isnull=True) | (
        Q(pull_request__author__is_bot=False)
        & ~Q(author_id=F("pull_request__author_id"))
        & (
            Q(pull_request__author__user_id__isnull=True)
            | ~Q(author__user_id=F("pull_request__author__user_id"))
        )
    )
    return (
        people("author__user_id", user_ids)
        & HUMAN
        & Q(submitted_at__isnull=False)
        & ~Q(state=Review.ReviewState.PENDING)
        & someone_else
    )
