"""The set-based rules behind the badges (JOURNEY.md, "Badges"); community.badges runs them.

A rule is `rule(badge, user_ids, now) -> set[Qualifier]`: the people (among `user_ids`, or everyone when
None) for whom the badge's rule holds at `now`, with a key (what a grant is for, used by badges granted
many times) and the evidence stored on the award. Every rule runs a fixed number of queries, whatever
the number of people, and reads rows in proportion to the people, not to the activity: aggregates
grouped by person, one row per streak, or (helping_hand) the first responses counted per person in
the database. A rule's cost hardly depends on how many people it is asked about, so the nightly run
asks once for everyone (community.badges.badges_evaluate_in_chunks).

Choices made here, where JOURNEY.md and METRICS.md leave them open:
- Forge activity counts in catalog projects (approved, not merged away: `Project.objects.listed()`),
  as "a merged request in a catalog project" does for the Contributor stage.
- A person is the portal user a forge account is linked to; unlinked accounts earn nothing (there is
  nobody to award), but they still count as the *others* (the authors helped, the mentees).
- Bots are left out as in METRICS.md (`ForgeAccount.is_bot`, set at sync from `[bot]` logins, forge
  user types and PORTAL_BOT_LOGINS): they earn nothing, and a bot's request is not "someone else's".
- Profile, role, membership and acceptance rules read the current state; forge activity is read up to
  `now` (activity stamped later is ignored), and adoptions are those active on `now`'s day.
- Sprints are fixed 14-day windows from Monday 2024-01-01 UTC, so that a streak's key (the date its
  first sprint starts) never moves.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.db.models import Case, Count, F, Func, IntegerField, Min, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce

from catalog.models import Adoption, Project, ProjectRole, Repository
from metrics import computations
from metrics.models import Comment, Commit, Issue, PullRequest, Review

from .models import Membership, Practitioner, RulesAcceptance, Stage

__all__ = ["RULES", "SPRINT_EPOCH", "Qualifier", "sprint_start"]

SPRINT_EPOCH = date(2024, 1, 1)  # a Monday: every sprint starts on a Monday
SPRINT_DAYS = 14

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


def _param(badge, rule: str, name: str) -> int:
    value = (badge.parameters or {}).get(name, DEFAULTS[rule][name])
    return int(value)


def _people(path: str, user_ids: list[int] | None) -> Q:
    """Rows whose person (`path` leads to a user id) is among `user_ids`; None: everyone known."""
    if user_ids is None:
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__in": user_ids})


def _listed(path: str) -> Q:
    return Q(**{f"{path}__in": Project.objects.listed().values("pk")})


# An author account that is not a bot (joining through `author` also leaves out rows with no author).
_HUMAN = Q(author__is_bot=False)


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment else None


# ---------------------------------------------------------------------------------------- bronze


def rules_accepted(badge, user_ids, now) -> set[Qualifier]:
    """Accepted any version of the rules of engagement (the badge stays when a new version comes)."""
    rows = (
        RulesAcceptance.objects.filter(_people("user_id", user_ids))
        .values("user_id")
        .annotate(first=Min("accepted_at"), version=Min("rules__version"))
        .order_by()
    )
    return {
        Qualifier(r["user_id"], "", {"accepted_at": _iso(r["first"]), "rules_version": r["version"]})
        for r in rows
    }


def community_member(badge, user_ids, now) -> set[Qualifier]:
    """Is in at least one project community now (a membership not left)."""
    rows = (
        Membership.objects.filter(_people("user_id", user_ids), left_at__isnull=True)
        .values("user_id")
        .annotate(communities=Count("project_id", distinct=True), first=Min("joined_at"))
        .order_by()
    )
    return {
        Qualifier(r["user_id"], "", {"communities": r["communities"], "joined_at": _iso(r["first"])})
        for r in rows
    }


def first_contribution(badge, user_ids, now) -> set[Qualifier]:
    """Has a merged pull/merge request in a catalog project."""
    rows = (
        PullRequest.objects.filter(
            _people("author__user_id", user_ids), _HUMAN, _listed("repository__project"), merged_at__lte=now
        )
        .values("author__user_id")
        .annotate(first=Min("merged_at"), merged=Count("pk"))
        .order_by()
    )
    return {
        Qualifier(r["author__user_id"], "", {"first_merged_at": _iso(r["first"]), "merged": r["merged"]})
        for r in rows
    }


def _reviews_of_others(user_ids) -> Q:
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
        _people("author__user_id", user_ids)
        & _HUMAN
        & Q(submitted_at__isnull=False)
        & ~Q(state=Review.ReviewState.PENDING)
        & someone_else
    )


def first_review(badge, user_ids, now) -> set[Qualifier]:
    """Has reviewed (approved, requested changes or commented on) someone else's request."""
    rows = (
        Review.objects.filter(
            _reviews_of_others(user_ids), _listed("pull_request__repository__project"), submitted_at__lte=now
        )
        .values("author__user_id")
        .annotate(first=Min("submitted_at"), reviews=Count("pk"))
        .order_by()
    )
    return {
        Qualifier(r["author__user_id"], "", {"first_review_at": _iso(r["first"]), "reviews": r["reviews"]})
        for r in rows
    }


# ---------------------------------------------------------------------------------------- silver


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
    responses = model.objects.filter(not_author, _HUMAN, items, **{f"{at}__lte": now})
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
    needed = _param(badge, "helping_hand", "count")
    days = _param(badge, "helping_hand", "business_days")
    return {
        Qualifier(user_id, "", {"first_responses_in_time": n, "business_days": days})
        for user_id, n in first_responses_in_time(user_ids=user_ids, now=now, days=days).items()
        if n >= needed
    }


def cross_team(badge, user_ids, now) -> set[Qualifier]:
    """Merged requests in projects of `count` business units other than one's own. A person whose unit
    is unknown is left out: as for METRICS.md's InnerSource ratio, "other" cannot be told."""
    needed = _param(badge, "cross_team", "count")
    unit = "author__user__practitioner__business_unit_id"
    rows = (
        PullRequest.objects.filter(
            _people("author__user_id", user_ids),
            _HUMAN,
            _listed("repository__project"),
            merged_at__lte=now,
            **{f"{unit}__isnull": False},
        )
        .exclude(repository__project__business_unit_id=F(unit))
        .values("author__user_id")
        .annotate(units=Count("repository__project__business_unit_id", distinct=True))
        .filter(units__gte=needed)
        .order_by()
    )
    return {Qualifier(r["author__user_id"], "", {"other_business_units": r["units"]}) for r in rows}


def trusted_committer(badge, user_ids, now) -> set[Qualifier]:
    """Holds the trusted-committer role on at least one project (the badge follows the role)."""
    rows = (
        ProjectRole.objects.filter(_people("user_id", user_ids), role=ProjectRole.Role.TRUSTED_COMMITTER)
        .values("user_id")
        .annotate(projects=Count("project_id", distinct=True))
        .order_by()
    )
    return {Qualifier(r["user_id"], "", {"projects": r["projects"]}) for r in rows}


def sprint_start(index: int) -> date:
    return SPRINT_EPOCH + timedelta(days=SPRINT_DAYS * index)


class SprintIndex(Func):
    """The sprint a moment falls in: whole 14-day periods since SPRINT_EPOCH (negative before it).

    Computed from the moment's Unix time, exactly (whole seconds suffice: a sprint starts on a whole
    second), so that the database can tell consecutive sprints apart without a row per week."""

    output_field = IntegerField()
    _EPOCH = int(datetime.combine(SPRINT_EPOCH, datetime.min.time(), tzinfo=UTC).timestamp())
    _SECONDS = SPRINT_DAYS * 24 * 3600

    def as_postgresql(self, compiler, connection, **extra_context):
        # DATE_PART's double precision (microseconds are exact at today's epochs), not EXTRACT's numeric,
        # which made the streak query about a quarter slower over five million contributions.
        template = f"FLOOR((DATE_PART('epoch', %(expressions)s) - {self._EPOCH}) / {self._SECONDS})::integer"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps moments as 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC and rounds fractions to the
        # millisecond, which would carry 23:59:59.9999 into the next sprint: whole seconds only.
        seconds = "unixepoch(SUBSTR(%(expressions)s, 1, 19))"
        template = f"CAST(FLOOR(({seconds} - {self._EPOCH}) / {self._SECONDS}.0) AS integer)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def streaks(*, user_ids: list[int] | None, now: datetime, length: int) -> list[tuple[int, int, int]]:
    """(user, first sprint, last sprint) of each maximal run of at least `length` consecutive sprints in
    which the person contributed (a commit, request, review, issue or comment in a listed project).

    One query: the active (person, sprint) pairs of every kind of contribution, merged, and numbered per
    person; consecutive sprints share `sprint - row number` ("gaps and islands"), so each island is
    one run, and only the runs long enough come back, not a row per person and sprint."""
    sources = (
        (Commit.objects.filter(is_merge=False), "authored_at"),
        (PullRequest.objects.all(), "created_at"),
        (Review.objects.exclude(state=Review.ReviewState.PENDING), "submitted_at"),
        (Issue.objects.all(), "created_at"),
        (Comment.objects.all(), "created_at"),
    )
    active = []
    for queryset, at in sources:
        path = "pull_request__repository__project" if at == "submitted_at" else "repository__project"
        active.append(
            queryset.filter(
                _people("author__user_id", user_ids), _HUMAN, _listed(path), **{f"{at}__lte": now}
            )
            .annotate(r_user=F("author__user_id"), r_sprint=SprintIndex(at))
            .values("r_user", "r_sprint")
            .distinct()
            .order_by()
        )
    # UNION (not ALL): a sprint active through several kinds of contribution is one sprint.
    inner, params = active[0].union(*active[1:]).query.sql_with_params()
    sql = (
        "SELECT r_user, MIN(r_sprint), MAX(r_sprint) FROM ("
        " SELECT r_user, r_sprint, r_sprint - ROW_NUMBER() OVER (PARTITION BY r_user ORDER BY r_sprint)"
        f" AS r_island FROM ({inner}) AS active"
        ") AS islands GROUP BY r_user, r_island HAVING COUNT(*) >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, length])
        return cursor.fetchall()


def sprint_streak(badge, user_ids, now) -> set[Qualifier]:
    """Contributed (commit, request, review, issue or comment) in `count` consecutive sprints.

    Each maximal run of consecutive active sprints is one streak, keyed by the date its first sprint
    starts: a streak that goes on keeps its key (one grant), a new one after a gap gets a new grant.
    One query (see streaks)."""
    length = _param(badge, "sprint_streak", "count")
    return {
        Qualifier(
            user_id,
            sprint_start(first).isoformat(),
            {
                "first_sprint": sprint_start(first).isoformat(),
                "last_sprint": sprint_start(last).isoformat(),
                "sprints": last - first + 1,
            },
        )
        for user_id, first, last in streaks(user_ids=user_ids, now=now, length=length)
    }


# ------------------------------------------------------------------------------------------ gold


def mentor(badge, user_ids, now) -> set[Qualifier]:
    """Reviewed the first merged request (in a catalog project) of `count` first-time contributors.

    A request is its author's first when no merged request of the same person (the same account, or
    another account of the same user) was merged before it. One query.

    That is: merged when its person's first merged request was, the person being the user an account
    is linked to, or the account itself when unlinked. Each person's first merge time is a window
    minimum over the merged requests, read once, rather than a per-request search for an earlier one
    ("same account or same user" is an OR across a join, which no index answers)."""
    needed = _param(badge, "mentor", "count")
    user = F("author__user_id")
    account_when_unlinked = Case(When(author__user_id__isnull=True, then=F("author_id")))
    # Listed by repository id: one hashed lookup per request, not a join through repository to project.
    listed_repositories = Repository.objects.filter(_listed("project")).values("pk")
    # Requests without an author belong to nobody: never a first, never earlier than someone's first.
    # Bots' requests stay in: a bot account linked to a user is one of that user's accounts.
    firsts = (
        PullRequest.objects.filter(
            repository__in=listed_repositories, merged_at__lte=now, author__isnull=False
        )
        .annotate(person_first=Window(Min("merged_at"), partition_by=[user, account_when_unlinked]))
        .filter(merged_at=F("person_first"))
    )
    rows = (
        Review.objects.filter(
            _reviews_of_others(user_ids),
            pull_request__in=firsts.values("pk"),
            pull_request__author__is_bot=False,
        )
        .values("author__user_id")
        .annotate(mentees=Count("pull_request__author_id", distinct=True))
        .filter(mentees__gte=needed)
        .order_by()
    )
    return {Qualifier(r["author__user_id"], "", {"first_time_contributors": r["mentees"]}) for r in rows}


def starter(badge, user_ids, now) -> set[Qualifier]:
    """Has reached the Starter stage (stages do not decay, so neither does the badge)."""
    rows = Practitioner.objects.filter(_people("user_id", user_ids), stage=Stage.STARTER).values(
        "user_id", "stage_since"
    )
    return {Qualifier(r["user_id"], "", {"stage_since": _iso(r["stage_since"])}) for r in rows}


def solve_once(badge, user_ids, now) -> set[Qualifier]:
    """Owns or maintains a project with an asset actively adopted (on `now`'s day) by `count` business
    units other than the project's own. Two queries: the assets that qualify, then who maintains them.
    The key is the asset, so a badge switched to `multiple` grants once per asset."""
    needed = _param(badge, "solve_once", "count")
    assets = (
        Adoption.objects.active(on=now.date())
        .filter(_listed("asset__project"))
        .exclude(business_unit_id=F("asset__project__business_unit_id"))
        .values("asset_id", "asset__project_id", "asset__slug")
        .annotate(units=Count("business_unit_id", distinct=True))
        .filter(units__gte=needed)
        .order_by("asset_id")
    )
    by_project: defaultdict[int, list[dict]] = defaultdict(list)
    for row in assets:
        by_project[row["asset__project_id"]].append(row)
    if not by_project:
        return set()
    roles = (
        ProjectRole.objects.filter(
            _people("user_id", user_ids), role__in=ProjectRole.EDITOR_ROLES, project_id__in=list(by_project)
        )
        .values_list("user_id", "project_id")
        .distinct()
    )
    return {
        Qualifier(
            user_id,
            str(row["asset_id"]),
            {"asset": row["asset__slug"], "project": project_id, "adopting_business_units": row["units"]},
        )
        for user_id, project_id in roles
        for row in by_project[project_id]
    }


RULES: dict[str, Rule] = {
    "rules_accepted": rules_accepted,
    "community_member": community_member,
    "first_contribution": first_contribution,
    "first_review": first_review,
    "helping_hand": helping_hand,
    "cross_team": cross_team,
    "trusted_committer": trusted_committer,
    "sprint_streak": sprint_streak,
    "mentor": mentor,
    "starter": starter,
    "solve_once": solve_once,
}
