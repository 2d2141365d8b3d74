"""The first response kept on each issue and request (`first_response_at`): the earliest comment or
review by a person other than the item's author, bots' left out, whenever it came (METRICS.md's time to
first response); and whether a request was approved by such a person (`approved_by_another`: review
coverage and self-merges). A report then reads one row per item instead of every comment and review of
the period's items.

One rule in one place: `metrics.selectors.rows.responses_by_others` says which responses count;
`first_responses_refresh` writes the columns from it with one UPDATE per kind of item (the database computes each item's minimum),
and every write that can change it calls that: the activity upserts (the items of the batch and those
its comments and reviews answer), single-row saves, a change of who an account is (its user or bot
flag, by save or in bulk), the deletion of an account or a user, and the rebuild of a range of days.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import DateTimeField, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Least

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


def first_responses_refresh(*, requests: Q | None = None, issues: Q | None = None) -> int:
    """Recompute the first response of the requests and issues these conditions select (None: none);
    returns the rows written. Items nobody has commented on or reviewed (a batch of new requests) are
    only looked at: they have no response, and their columns are reset only where they say otherwise."""
    written = 0
    if requests is not None:
        answered = Exists(Comment.objects.filter(pull_request=OuterRef("pk"))) | Exists(
            Review.objects.filter(pull_request=OuterRef("pk"))
        )
        selected = PullRequest.objects.filter(requests)
        written += selected.filter(answered).update(
            first_response_at=_request_first(), approved_by_another=_approved_by_another()
        )
        unanswered = selected.filter(~answered).filter(
            Q(first_response_at__isnull=False) | Q(approved_by_another=True)
        )
        written += unanswered.update(first_response_at=None, approved_by_another=False)
    if issues is not None:
        answered = Exists(Comment.objects.filter(issue=OuterRef("pk")))
        selected = Issue.objects.filter(issues)
        written += selected.filter(answered).update(first_response_at=_issue_first())
        written += selected.filter(~answered, first_response_at__isnull=False).update(first_response_at=None)
    return written


def first_responses_refresh_ids(*, request_ids: Iterable[int] = (), issue_ids: Iterable[int] = ()) -> int:
    """first_responses_refresh of these items, a chunk of ids per UPDATE."""
    written = 0
    for ids, kind in ((sorted(set(request_ids)), "requests"), (sorted(set(issue_ids)), "issues")):
        for i in range(0, len(ids), CHUNK):
            written += first_responses_refresh(**{kind: Q(pk__in=ids[i : i + CHUNK])})
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
    """first_responses_refresh of a repository's items by number (through their unique index), a chunk
    of numbers per UPDATE: what an activity batch wrote or answered."""
    written = 0
    for numbers, kind in ((sorted(set(request_numbers)), "requests"), (sorted(set(issue_numbers)), "issues")):
        for i in range(0, len(numbers), CHUNK):
            where = Q(repository_id=repository_id, number__in=numbers[i : i + CHUNK])
            written += first_responses_refresh(**{kind: where})
    return written
