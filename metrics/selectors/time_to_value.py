"""The Time to Value figures of METRICS.md."""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter
from typing import cast

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from metrics import computations
from metrics.models import Issue, PullRequest, Release
from metrics.selectors.rows import (
    NOT_BOT,
    between,
    bounds,
    in_projects,
    person_key,
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
    """Each issue and request created in P with its first response (FirstResponses): one row per item,
    with the first response kept on it (metrics.daily.responses)."""
    # A request still in draft that was never marked ready is not asking for a response yet.
    requests = PullRequest.objects.filter(in_scope, NOT_BOT, between("created_at", lo, hi)).exclude(
        draft=True, ready_for_review_at__isnull=True
    )
    issues = Issue.objects.filter(in_scope, NOT_BOT, between("created_at", lo, hi))

    # (created at, asked at, first response at) of each item.
    rows: list[tuple[datetime, datetime, datetime | None]] = [
        (created, ready or created, first)
        for created, ready, first in requests.values_list(
            "created_at", "ready_for_review_at", "first_response_at"
        ).order_by()
    ]
    rows.extend(issues.values_list("created_at", "created_at", "first_response_at").order_by())

    # Responses count whenever they came, after `end` too: the item was created in P, and cutting at
    # `end` would call every item of the period's last days unanswered.
    told: list[tuple[datetime, float | None, bool]] = [
        (created, None, False)
        if at is None
        else (created, computations.elapsed_hours(asked, at), computations.within_business_days(asked, at))
        for created, asked, at in rows
    ]
    told.sort(key=itemgetter(0))
    return FirstResponses(told)


def _merged_requests(*, in_scope: Q, lo: datetime, hi: datetime) -> tuple[list[float], int, int, int]:
    """(hours to merge, how many merged, how many with another person's approval, how many merged
    by their author without such an approval) for the requests merged in P: one row per request, with
    the approval by another person kept on it (metrics.daily.responses)."""
    merged = PullRequest.objects.filter(in_scope, NOT_BOT, between("merged_at", lo, hi))
    rows = merged.annotate(
        asker=Coalesce(person_key("author"), Value(""), output_field=CharField()),
        merger=person_key("merged_by"),
    ).values_list("created_at", "ready_for_review_at", "merged_at", "approved_by_another", "asker", "merger")
    hours, approved, self_merged, n = [], 0, 0, 0
    for created, ready, merged_at, reviewed, author, merger in rows.order_by():
        n += 1
        # merged_at is set on every row: the period filter is on it.
        hours.append(computations.elapsed_hours(ready or created, cast(datetime, merged_at)))
        approved += reviewed
        # A merger nobody can tell (no account) is not taken for the author.
        self_merged += not reviewed and author != "" and merger == author
    return hours, n, approved, self_merged


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
