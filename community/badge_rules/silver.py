"""Silver badges: helping others in time, contributing across teams, being a trusted committer."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from catalog.models import Project, ProjectRole
from community.badge_rules.common import HUMAN, listed, param, people
from community.badge_rules.qualifiers import Qualifier, distinct_at_least, per_person
from metrics import computations
from metrics.models import Comment, PullRequest, Review


def _responses(model, item: str, items: Q, *, now: datetime, days: int) -> QuerySet:
    """One row per response to an issue/request of `items`: (on, item, at, kind, pk, user, opened, class).

    A response, as in METRICS.md's time to first response, is a comment (or, for requests, a non-pending
    review) by a human who is not the item's author, by account nor by linked user. Coalesce(…, 0)
    stands for "no author" (a deleted account) so that the comparison is false, not NULL, and every
    human then counts as someone else. `kind` orders a comment before a review made at the same moment.
    "Opened" is when a request was marked ready for review, else when the item was created.

    `class` settles most responses in the database, from calendar time alone: 0 when it came at most
    `days` calendar days after opening (business hours never exceed elapsed hours, so it is within
    `days` business days), 2 when it came more than 7·m days after, with 5·m > `days` (every 7 days hold
    5 business days, so it is not), else 1: only those need within_business_days."""
    at = "created_at" if model is Comment else "submitted_at"
    author = f"{item}__author"
    not_author = ~Q(author_id=Coalesce(F(f"{author}_id"), Value(0))) & (
        Q(author__user_id__isnull=True) | ~Q(author__user_id=Coalesce(F(f"{author}__user_id"), Value(0)))
    )
    responses = model.objects.filter(not_author, HUMAN, items, **{f"{at}__lte": now})
    if model is Review:
        responses = responses.filter(submitted_at__isnull=False).exclude(state=Review.ReviewState.PENDING)
    opened = F(f"{item}__created_at")
    if item == "pull_request":
        opened = Coalesce(f"{item}__ready_for_review_at", opened)
    weeks = days // 5 + 1
    return (
        responses.annotate(
            r_on=Value(1 if item == "issue" else 0),
            r_item=F(f"{item}_id"),
            r_at=F(at),
            r_kind=Value(0 if model is Comment else 1),
            r_pk=F("pk"),
            r_user=F("author__user_id"),
            r_opened=opened,
            r_class=Case(
                When(**{f"{at}__lte": opened + timedelta(days=days)}, then=Value(0)),
                When(**{f"{at}__gt": opened + timedelta(days=7 * weeks)}, then=Value(2)),
                default=Value(1),
            ),
        )
        .values("r_on", "r_item", "r_at", "r_kind", "r_pk", "r_user", "r_opened", "r_class")
        .order_by()
    )


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite hands back the columns of a derived table as text or naive datetimes, in UTC; PostgreSQL
    # aware datetimes.
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def first_responses_in_time(*, user_ids: list[int] | None, now: datetime, days: int) -> Counter[int]:
    """Per person, the issues and requests of listed projects whose first response (up to `now`) they
    gave within `days` business days of the item's opening; with `user_ids`, only these people.

    One query: the responses of both kinds are ranked per item in the database (a window over a union),
    so the first responder of a million items is found in one pass rather than one subquery per item;
    the responses settled by calendar time (see _responses) come back counted per person, and only the
    others one by one, streamed, for within_business_days."""
    # A draft never marked ready is not asking for a response yet (METRICS.md); a bot's item is not one
    # a person helps with.
    requests = Q(pull_request__repository__project__in=Project.objects.listed()) & ~Q(
        pull_request__draft=True, pull_request__ready_for_review_at__isnull=True
    )
    requests &= Q(pull_request__author__isnull=True) | Q(pull_request__author__is_bot=False)
    issues = Q(issue__repository__project__in=Project.objects.listed()) & (
        Q(issue__author__isnull=True) | Q(issue__author__is_bot=False)
    )
    if user_ids is not None:
        # Only the items they responded to at all can have them as first responder.
        mine = Comment.objects.filter(author__user_id__in=user_ids)
        requests &= Q(pull_request__in=mine.values("pull_request_id")) | Q(
            pull_request__in=Review.objects.filter(author__user_id__in=user_ids).values("pull_request_id")
        )
        issues &= Q(issue__in=mine.values("issue_id"))
    responses = _responses(Comment, "pull_request", requests, now=now, days=days).union(
        _responses(Review, "pull_request", requests, now=now, days=days),
        _responses(Comment, "issue", issues, now=now, days=days),
        all=True,
    )
    inner, params = responses.query.sql_with_params()
    # Requests and issues are numbered apart: an item is (what it is, its id). A response of class 0
    # keeps no moments, so those of one person group into one row.
    sql = (
        "SELECT r_user, r_opened, r_at, COUNT(*) FROM ("
        " SELECT r_user, CASE WHEN r_class = 1 THEN r_opened END AS r_opened,"
        " CASE WHEN r_class = 1 THEN r_at END AS r_at FROM ("
        "  SELECT r_user, r_class, r_opened, r_at, ROW_NUMBER() OVER"
        "  (PARTITION BY r_on, r_item ORDER BY r_at, r_kind, r_pk) AS r_rank"
        f"  FROM ({inner}) AS responses"
        " ) AS ranked WHERE r_rank = 1 AND r_user IS NOT NULL AND r_class < 2"
        ") AS firsts GROUP BY r_user, r_opened, r_at"
    )
    wanted = None if user_ids is None else set(user_ids)
    answered: Counter[int] = Counter()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(10_000):
            for user_id, opened, at, n in rows:
                if wanted is not None and user_id not in wanted:
                    continue
                if opened is None or computations.within_business_days(
                    _as_datetime(opened), _as_datetime(at), days=days
                ):
                    answered[user_id] += n
    return answered


def helping_hand(badge, user_ids, now) -> set[Qualifier]:
    """Gave the first response, within N business days, to `count` issues or requests opened by others
    (one query, see first_responses_in_time)."""
    needed = param(badge, "helping_hand", "count")
    days = param(badge, "helping_hand", "business_days")
    return {
        Qualifier(user_id, "", {"first_responses_in_time": n, "business_days": days})
        for user_id, n in first_responses_in_time(user_ids=user_ids, now=now, days=days).items()
        if n >= needed
    }


def cross_team(badge, user_ids, now) -> set[Qualifier]:
    """Merged requests in projects of `count` business units other than one's own. A person whose unit
    is unknown is left out: as for METRICS.md's InnerSource ratio, "other" cannot be told."""
    needed = param(badge, "cross_team", "count")
    unit = "author__user__practitioner__business_unit_id"
    merged = PullRequest.objects.filter(
        people("author__user_id", user_ids),
        HUMAN,
        listed("repository__project"),
        merged_at__lte=now,
        **{f"{unit}__isnull": False},
    ).exclude(repository__project__business_unit_id=F(unit))
    units = "repository__project__business_unit_id"
    return distinct_at_least(merged, needed, person="author__user_id", other_business_units=units)


def trusted_committer(badge, user_ids, now) -> set[Qualifier]:
    """Holds the trusted-committer role on at least one project (the badge follows the role)."""
    rows = (
        ProjectRole.objects.filter(people("user_id", user_ids), role=ProjectRole.Role.TRUSTED_COMMITTER)
        .values("user_id")
        .annotate(projects=Count("project_id", distinct=True))
        .order_by()
    )
    return per_person(rows, projects="projects")
