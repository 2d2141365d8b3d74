"""What activity rows contribute to the daily aggregates, as signed counts per aggregate cell.

A cell is (model, repository id, day, who, field): `who` is "" for RequestDay cells and the
ContributorDay key otherwise ("a:<account id>", or "e:<lower-cased e-mail>" for a commit no account
claims). Days are UTC days, as METRICS.md's periods. The rows are read in one query per model (only the
columns that matter), so facts of a batch cost a handful of indexed reads.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db.models import F, Q

from metrics.models import Comment, Commit, ContributorDay, Issue, PullRequest, RequestDay, Review

REQUEST_FIELDS = ("opened", "merged", "declined", "ended")
CONTRIBUTOR_FIELDS = ("commits", "actions")

Cell = tuple[type, int, date, str, str]


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def account_key(account_id: int) -> str:
    return f"a:{account_id}"


def email_key(email: str) -> str:
    return f"e:{email}"


@dataclass
class Facts:
    """Counts per cell, and for each `who` the account or e-mail it stands for."""

    counts: Counter = field(default_factory=Counter)
    identities: dict[str, tuple[int | None, str]] = field(default_factory=dict)

    def add(self, cell: Cell, identity: tuple[int | None, str] | None = None) -> None:
        self.counts[cell] += 1
        if identity is not None:
            self.identities[cell[3]] = identity

    def minus(self, other: "Facts") -> "Facts":
        """self - other, cell by cell; only the cells that differ (negative counts kept)."""
        delta = Facts(identities={**other.identities, **self.identities})
        for cell in self.counts.keys() | other.counts.keys():
            n = self.counts[cell] - other.counts[cell]
            if n:
                delta.counts[cell] = n
        return delta

    def within(self, start: date | None, end: date | None) -> "Facts":
        kept = Facts(identities=self.identities)
        for cell, n in self.counts.items():
            if (start is None or cell[2] >= start) and (end is None or cell[2] < end):
                kept.counts[cell] = n
        return kept


def _actor(facts: Facts, repository_id: int, at: datetime | None, author_id: int | None) -> None:
    """A request opened, a review submitted, an issue opened or a comment written by a known account."""
    if at is not None and author_id is not None:
        who = account_key(author_id)
        facts.add((ContributorDay, repository_id, day_of(at), who, "actions"), (author_id, ""))


def request_facts(facts: Facts, rows: Iterable[dict]) -> None:
    """Rows of PullRequest with the columns SOURCES names. Bot-authored requests count nowhere in RequestDay
    (METRICS.md leaves bots out; a request whose account is gone still counts). A request ends when it
    is closed or merged, whichever came first (GitLab leaves closed_at empty on merged requests), and
    never before it was opened."""
    for row in rows:
        repository, created = row["repository_id"], row["created_at"]
        _actor(facts, repository, created, row["author_id"])
        if row["author__is_bot"]:
            continue
        facts.add((RequestDay, repository, day_of(created), "", "opened"))
        merged, closed = row["merged_at"], row["closed_at"]
        if merged is not None:
            facts.add((RequestDay, repository, day_of(merged), "", "merged"))
        elif closed is not None:
            facts.add((RequestDay, repository, day_of(closed), "", "declined"))
        ends = [moment for moment in (closed, merged) if moment is not None]
        if ends:
            facts.add((RequestDay, repository, day_of(max(created, min(ends))), "", "ended"))


def commit_facts(facts: Facts, rows: Iterable[dict]) -> None:
    """Non-merge commits by author day; one no account claims counts for its lower-cased e-mail."""
    for row in rows:
        if row["is_merge"]:
            continue
        if row["author_id"] is not None:
            who, identity = account_key(row["author_id"]), (row["author_id"], "")
        elif row["author_email"]:
            email = row["author_email"].lower()
            who, identity = email_key(email), (None, email)
        else:
            continue
        facts.add((ContributorDay, row["repository_id"], day_of(row["at"]), who, "commits"), identity)


def action_facts(facts: Facts, rows: Iterable[dict]) -> None:
    """Issues opened, comments written, reviews submitted (pending ones are not)."""
    for row in rows:
        if row.get("state") != Review.ReviewState.PENDING:
            _actor(facts, row["repository_id"], row["at"], row["author_id"])


# Per model: the columns its facts read (name -> path) and what its rows contribute. `at` is the moment
# that places the row in time (the request's is its creation; its other moments are columns of its own).
SOURCES: dict[type, tuple[dict[str, str], Callable[[Facts, Iterable[dict]], None]]] = {
    PullRequest: (
        {
            "repository_id": "repository_id",
            "author_id": "author_id",
            "author__is_bot": "author__is_bot",
            "created_at": "created_at",
            "merged_at": "merged_at",
            "closed_at": "closed_at",
        },
        request_facts,
    ),
    Commit: (
        {
            "repository_id": "repository_id",
            "author_id": "author_id",
            "author_email": "author_email",
            "at": "authored_at",
            "is_merge": "is_merge",
        },
        commit_facts,
    ),
    Review: (
        {
            "repository_id": "pull_request__repository_id",
            "author_id": "author_id",
            "at": "submitted_at",
            "state": "state",
        },
        action_facts,
    ),
    Issue: ({"repository_id": "repository_id", "author_id": "author_id", "at": "created_at"}, action_facts),
    Comment: ({"repository_id": "repository_id", "author_id": "author_id", "at": "created_at"}, action_facts),
}
# The moments whose day places a row's facts (a rebuild of a range reads the rows with one of them in it).
MOMENTS: dict[type, tuple[str, ...]] = {
    PullRequest: ("created_at", "merged_at", "closed_at"),
    Commit: ("authored_at",),
    Review: ("submitted_at",),
    Issue: ("created_at",),
    Comment: ("created_at",),
}


def facts_of(facts: Facts, model: type, where: Q, *, stream: bool = False) -> None:
    """Add the facts of the rows of `model` matching `where`, in one query. `stream` reads them in
    chunks (a rebuild's windows); a batch's few rows are read at once (a server-side cursor would cost
    the writer more round trips than the rows themselves)."""
    columns, contribute = SOURCES[model]
    # Columns under their own name stay plain; the others are aliased (an alias may not shadow a field).
    plain = [name for name, path in columns.items() if name == path]
    aliased = {name: F(path) for name, path in columns.items() if name != path}
    rows = model._default_manager.filter(where).values(*plain, **aliased).order_by()
    contribute(facts, rows.iterator(chunk_size=2000) if stream else rows)
