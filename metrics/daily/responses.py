"""The first response kept on each issue and request (`first_response_at`): the earliest comment or
review by a person other than the item's author, bots' left out, whenever it came (METRICS.md's time to
first response); and whether a request was approved by such a person (`approved_by_another`: review
coverage and self-merges). A report then reads one row per item instead of every comment and review of
the period's items.

One rule in one place: `metrics.selectors.rows.responses_by_others` says which responses count;
`first_responses_refresh` writes the columns from it with one UPDATE per kind of item (the database
computes each item's minimum), and every write that can change them calls it: the activity upserts (the items of the batch and those
its comments and reviews answer), single-row saves, a change of who an account is (its user or bot
flag, by save or in bulk), the deletion of an account or a user, and the rebuild of a range of days.
"""

from collections.abc import Iterable
from functools import cache

from django.db import connection
from django.db.models import DateTimeField, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least
from django.db.models.sql import UpdateQuery

from metrics.models import Comment, Issue, PullRequest, Review
from metrics.selectors.rows import responses_by_others

# Items per UPDATE: well within SQLite's and PostgreSQL's limits on parameters.
CHUNK = 500


def _earliest(responses: QuerySet, *, item: str, moment: str) -> Subquery:
    """The earliest `moment` of the responses by others to the outer query's item."""
    firsts = (
        responses_by_others(responses.filter(**{item: OuterRef("pk")}), item=item)
        .order_by()
        .values(item)
        .annotate(first=Min(moment))
        .values("first")
    )
    return Subquery(firsts, output_field=DateTimeField())


def _request_first() -> Least:
    commented = _earliest(Comment.objects.all(), item="pull_request", moment="created_at")
    reviewed = _earliest(
        Review.objects.filter(submitted_at__isnull=False).exclude(state=Review.ReviewState.PENDING),
        item="pull_request",
        moment="submitted_at",
    )
    if connection.vendor == "postgresql":  # its LEAST leaves NULLs out: each subquery runs once
        return Least(commented, reviewed, output_field=DateTimeField())
    # SQLite's is NULL when either side is: each side falls back on the other.
    return Least(Coalesce(commented, reviewed), Coalesce(reviewed, commented), output_field=DateTimeField())


def _approved_by_another() -> Exists:
    approvals = Review.objects.filter(pull_request=OuterRef("pk"), state=Review.ReviewState.APPROVED)
    return Exists(responses_by_others(approvals, item="pull_request"))


def _issue_first() -> Subquery:
    return _earliest(Comment.objects.all(), item="issue", moment="created_at")


def _updates(kind: str, where: Q) -> list[tuple[QuerySet, dict]]:
    """The UPDATEs (rows, new values) that recompute the items of `kind` ("requests" or "issues") that
    `where` selects. Items nobody has commented on or reviewed (a batch of new requests) are only looked
    at: they have no response, and their columns are reset only where they say otherwise."""
    if kind == "requests":
        answered = Exists(Comment.objects.filter(pull_request=OuterRef("pk"))) | Exists(
            Review.objects.filter(pull_request=OuterRef("pk"))
        )
        selected = PullRequest.objects.filter(where)
        stale = Q(first_response_at__isnull=False) | Q(approved_by_another=True)
        return [
            (
                selected.filter(answered),
                {"first_response_at": _request_first(), "approved_by_another": _approved_by_another()},
            ),
            (
                selected.filter(~answered).filter(stale),
                {"first_response_at": None, "approved_by_another": False},
            ),
        ]
    answered = Exists(Comment.objects.filter(issue=OuterRef("pk")))
    selected = Issue.objects.filter(where)
    return [
        (selected.filter(answered), {"first_response_at": _issue_first()}),
        (selected.filter(~answered, first_response_at__isnull=False), {"first_response_at": None}),
    ]


def first_responses_refresh(*, requests: Q | None = None, issues: Q | None = None) -> int:
    """Recompute the first response of the requests and issues these conditions select (None: none);
    returns the rows written."""
    written = 0
    for kind, where in (("requests", requests), ("issues", issues)):
        if where is not None:
            written += sum(rows.update(**values) for rows, values in _updates(kind, where))
    return written


# Stand-ins for the ids of one chunk, in the statements compiled once (negative: no row has them).
_SENTINELS = tuple(range(-1, -CHUNK - 1, -1))


@cache
def _compiled(kind: str, vendor: str) -> list[tuple[str, tuple, dict[int, int]]]:
    """`_updates` of a chunk of ids as SQL, compiled once per process and database: an activity batch
    refreshes a few hundred items, and compiling the statements (the person keys' expressions) cost
    several times more than running them. Each statement comes with the positions of the ids among its
    parameters."""
    statements = []
    for rows, values in _updates(kind, Q(pk__in=_SENTINELS)):
        query = rows.query.chain(UpdateQuery)
        query.add_update_values(values)
        compiler = query.get_compiler(rows.db)
        compiler.pre_sql_setup()  # a single table: nothing to pre-select
        sql, params = compiler.as_sql()
        slots = {i: -param - 1 for i, param in enumerate(params) if type(param) is int and param < 0}
        if sorted(slots.values()) != list(range(CHUNK)):
            raise RuntimeError(f"the ids of a {kind} refresh are not all among its parameters: {sql}")
        statements.append((sql, tuple(params), slots))
    return statements


def first_responses_refresh_ids(*, request_ids: Iterable[int] = (), issue_ids: Iterable[int] = ()) -> int:
    """first_responses_refresh of these items, a chunk of ids per statement (a short chunk repeats its
    first id: the statements are compiled for CHUNK ids)."""
    written = 0
    for ids, kind in ((sorted(set(request_ids)), "requests"), (sorted(set(issue_ids)), "issues")):
        for i in range(0, len(ids), CHUNK):
            chunk = ids[i : i + CHUNK]
            chunk += [chunk[0]] * (CHUNK - len(chunk))
            with connection.cursor() as cursor:
                for sql, params, slots in _compiled(kind, connection.vendor):
                    cursor.execute(sql, [chunk[slots[j]] if j in slots else p for j, p in enumerate(params)])
                    written += cursor.rowcount
    return written


def items_of_accounts(*, account_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """(request ids, issue ids) whose first response depends on who these accounts are: the items they
    wrote, and those they responded to."""
    accounts = sorted(set(account_ids))
    request_ids: set[int] = set()
    issue_ids: set[int] = set()
    for i in range(0, len(accounts), CHUNK):
        chunk = accounts[i : i + CHUNK]
        request_ids.update(PullRequest.objects.filter(author_id__in=chunk).values_list("pk", flat=True))
        issue_ids.update(Issue.objects.filter(author_id__in=chunk).values_list("pk", flat=True))
        commented = Comment.objects.filter(author_id__in=chunk).values_list("pull_request_id", "issue_id")
        for request_id, issue_id in commented.order_by():
            if request_id is not None:
                request_ids.add(request_id)
            if issue_id is not None:
                issue_ids.add(issue_id)
        request_ids.update(
            Review.objects.filter(author_id__in=chunk).values_list("pull_request_id", flat=True).order_by()
        )
    return request_ids, issue_ids


def first_responses_refresh_for_accounts(*, account_ids: Iterable[int]) -> int:
    """After a change of who these accounts are (user link, bot flag)."""
    request_ids, issue_ids = items_of_accounts(account_ids=account_ids)
    return first_responses_refresh_ids(request_ids=request_ids, issue_ids=issue_ids)


def first_responses_refresh_numbers(
    *, repository_id: int, request_numbers: Iterable[int], issue_numbers: Iterable[int]
) -> int:
    """first_responses_refresh of a repository's items by number (through their unique index): what an
    activity batch wrote or answered."""
    found: dict[str, list[int]] = {"requests": [], "issues": []}
    for numbers, kind, model in (
        (sorted(set(request_numbers)), "requests", PullRequest),
        (sorted(set(issue_numbers)), "issues", Issue),
    ):
        for i in range(0, len(numbers), CHUNK):
            rows = model.objects.filter(repository_id=repository_id, number__in=numbers[i : i + CHUNK])
            found[kind].extend(rows.values_list("pk", flat=True))
    return first_responses_refresh_ids(request_ids=found["requests"], issue_ids=found["issues"])
