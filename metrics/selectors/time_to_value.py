"""The Time to Value figures of METRICS.md."""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import cast

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from metrics import computations
from metrics.models import Comment, Issue, PullRequest, Release, Review
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


@dataclass(frozen=True)
class FirstResponses:
    """The issues and requests created in a period, each as (created_at, hours to its first response or
    None when unanswered, whether that response came within 2 business days), in creation order: the
    figures of any part of the period are a slice of it (the trend's buckets read one computation)."""

    items: list[tuple[datetime, float | None, bool]]

    def of(self, start: date | None = None, end: date | None = None) -> tuple[list[float], int, int]:
        """(hours to first response of the answered items, how many answered within 2 business days,
        how many unanswered) of the items created in [start, end) (None: the whole period)."""
        lo = 0 if start is None else bisect_left(self.items, bounds(start, start)[0], key=itemgetter(0))
        hi = (
            len(self.items)
            if end is None
            else bisect_left(self.items, bounds(end, end)[0], key=itemgetter(0))
        )
        hours, within, unanswered = [], 0, 0
        for _created, answered_in, in_time in self.items[lo:hi]:
            if answered_in is None:
                unanswered += 1
            else:
                hours.append(answered_in)
                within += in_time
        return hours, within, unanswered


def _first_responses(*, in_scope: Q, lo: datetime, hi: datetime) -> FirstResponses:
    """Each issue and request created in P with its first response (FirstResponses)."""
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


def time_to_value(
    *, projects: QuerySet | None, start: date, end: date, responses: FirstResponses | None = None
) -> dict:
    """The Time to Value figures of METRICS.md for [start, end). `responses` is first_responses' answer
    for this period (or one holding it) when the caller already has it."""
    lo, hi = bounds(start, end)
    in_scope = in_projects("repository__project", projects_or_program(projects))

    if responses is None:
        responses = _first_responses(in_scope=in_scope, lo=lo, hi=hi)
    response_hours, within, unanswered = responses.of(start, end)
    merge_hours, merged, approved, self_merged = _merged_requests(in_scope=in_scope, lo=lo, hi=hi)
    closed = Issue.objects.filter(in_scope, NOT_BOT, between("closed_at", lo, hi))
    # closed_at is set on every row: the period filter is on it.
    close_hours = [
        computations.elapsed_hours(created, cast(datetime, closed_at))
        for created, closed_at in closed.values_list("created_at", "closed_at").order_by()
    ]
    releases = Release.objects.filter(
        in_scope, NOT_BOT, between("published_at", lo, hi), draft=False
    ).aggregate(releases=Count("pk"), prereleases=Count("pk", filter=Q(prerelease=True)))

    return {
        "time_to_first_response": computations.duration_summary(response_hours, unanswered=unanswered),
        # Unanswered items are among "the items above" and did not get a response within 2 days.
        "responded_within_2_business_days": computations.ratio(within, len(response_hours) + unanswered),
        "time_to_merge": computations.duration_summary(merge_hours),
        "issue_time_to_close": computations.duration_summary(close_hours),
        # A period not over yet is a rate of the part that has passed, not diluted by days to come.
        "velocity_merged_per_week": computations.per_week(
            merged, days=max((min(hi, timezone.now()) - lo).total_seconds(), 0) / 86400
        ),
        "releases": releases["releases"],
        "prereleases": releases["prereleases"],
        "review_coverage": computations.ratio(approved, merged),
        "self_merge_rate": computations.ratio(self_merged, merged),
    }


def first_responses(*, projects: QuerySet | None, start: date, end: date) -> FirstResponses:
    """The issues and requests created in [start, end) with their first responses: the figures of the
    whole period or of any part of it (FirstResponses.of)."""
    lo, hi = bounds(start, end)
    return _first_responses(
        in_scope=in_projects("repository__project", projects_or_program(projects)), lo=lo, hi=hi
    )
