"""The test oracle of Time to Value's first responses and merged requests: METRICS.md's time to first
response computed in Python from every comment and review row of the period's items, and the merged
requests' approvals and self-merges from every approval row, as the portal computed them before the
database told them per item (metrics.selectors.time_to_value). The tests hold the portal's answers
equal to these on hand-built histories."""

from collections import defaultdict
from datetime import date, datetime
from operator import itemgetter

from django.db.models import Q, QuerySet

from metrics import computations
from metrics.models import Comment, Issue, PullRequest, Review
from metrics.selectors.rows import (
    ACCOUNT,
    MERGER,
    NOT_BOT,
    PERSON,
    People,
    between,
    bounds,
    in_projects,
    projects_or_program,
)
from metrics.selectors.time_to_value import FirstResponses


def raw_first_responses(*, projects: QuerySet | None, start: date, end: date) -> FirstResponses:
    lo, hi = bounds(start, end)
    return _first_responses(
        in_scope=in_projects("repository__project", projects_or_program(projects)), lo=lo, hi=hi
    )


def _first_responses(*, in_scope: Q, lo: datetime, hi: datetime) -> FirstResponses:
    """Each issue and request created in [lo, hi) with its first response, from every row."""
    people = People()
    # A request still in draft that was never marked ready is not asking for a response yet.
    requests = PullRequest.objects.filter(in_scope, NOT_BOT, between("created_at", lo, hi)).exclude(
        draft=True, ready_for_review_at__isnull=True
    )
    issues = Issue.objects.filter(in_scope, NOT_BOT, between("created_at", lo, hi))
    # (author, asked at, created at) of each item.
    items: dict[tuple[str, int], tuple[str | None, datetime, datetime]] = {}
    for row in requests.values("pk", *ACCOUNT, "created_at", "ready_for_review_at"):
        asked = row["ready_for_review_at"] or row["created_at"]
        items["pr", row["pk"]] = (people.of(row)[0], asked, row["created_at"])
    for row in issues.values("pk", *ACCOUNT, "created_at"):
        items["issue", row["pk"]] = (people.of(row)[0], row["created_at"], row["created_at"])

    responses = []
    comments = Comment.objects.filter(PERSON).filter(
        Q(pull_request__in=requests.values("pk")) | Q(issue__in=issues.values("pk"))
    )
    for row in comments.values("pull_request_id", "issue_id", *ACCOUNT, "created_at").order_by():
        item = ("pr", row["pull_request_id"]) if row["pull_request_id"] else ("issue", row["issue_id"])
        responses.append((item, people.of(row)[0], row["created_at"]))
    reviews = Review.objects.filter(
        PERSON, pull_request__in=requests.values("pk"), submitted_at__isnull=False
    ).exclude(state=Review.ReviewState.PENDING)
    for row in reviews.values("pull_request_id", *ACCOUNT, "submitted_at").order_by():
        responses.append((("pr", row["pull_request_id"]), people.of(row)[0], row["submitted_at"]))

    # Responses count whenever they came, after `end` too: the item was created in P, and cutting at
    # `end` would call every item of the period's last days unanswered.
    first: dict[tuple[str, int], datetime] = {}
    for item, responder, at in responses:
        author = items[item][0]
        if responder != author and (item not in first or at < first[item]):
            first[item] = at
    told: list[tuple[datetime, float | None, bool]] = []
    for item, (_author, asked, created) in items.items():
        at = first.get(item)
        if at is None:
            told.append((created, None, False))
        else:
            told.append(
                (created, computations.elapsed_hours(asked, at), computations.within_business_days(asked, at))
            )
    told.sort(key=itemgetter(0))
    return FirstResponses(told)


def _merged_requests(*, in_scope: Q, lo: datetime, hi: datetime) -> tuple[list[float], int, int, int]:
    """(hours to merge, how many merged, how many with another person's approval, how many merged
    by their author without such an approval) for the requests merged in P."""
    people = People()
    merged = PullRequest.objects.filter(in_scope, NOT_BOT, between("merged_at", lo, hi))
    rows = list(
        merged.values("pk", *ACCOUNT, *MERGER, "created_at", "ready_for_review_at", "merged_at").order_by()
    )
    approvers: dict[int, set[str | None]] = defaultdict(set)
    approvals = Review.objects.filter(
        PERSON, pull_request__in=merged.values("pk"), state=Review.ReviewState.APPROVED
    )
    for row in approvals.values("pull_request_id", *ACCOUNT).distinct().order_by():
        approvers[row["pull_request_id"]].add(people.of(row)[0])

    hours, approved, self_merged = [], 0, 0
    for row in rows:
        hours.append(
            computations.elapsed_hours(row["ready_for_review_at"] or row["created_at"], row["merged_at"])
        )
        author = people.of(row)[0]
        reviewed = bool(approvers[row["pk"]] - {author})
        approved += reviewed
        # A merger nobody can tell (no account) is not taken for the author.
        self_merged += not reviewed and author is not None and people.of(row, "merged_by")[0] == author
    return hours, len(rows), approved, self_merged


def raw_merged_requests(
    *, projects: QuerySet | None, start: date, end: date
) -> tuple[list[float], int, int, int]:
    lo, hi = bounds(start, end)
    return _merged_requests(
        in_scope=in_projects("repository__project", projects_or_program(projects)), lo=lo, hi=hi
    )
