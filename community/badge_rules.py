"""The set-based rules behind the badges (JOURNEY.md, "Badges"); community.badges runs them.

A rule is `rule(badge, user_ids, now) -> set[Qualifier]`: the people (among `user_ids`, or everyone when
None) for whom the badge's rule holds at `now`, with a key (what a grant is for, used by badges granted
many times) and the evidence stored on the award. Every rule runs a fixed number of queries, whatever
the number of people: aggregates grouped by person, or one row per person and sprint/item.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, Subquery, Value, When, Window
from django.db.models.functions import Coalesce, TruncWeek

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


def _first_responder(model, item_field: str, now) -> dict[str, Subquery]:
    """Annotations of an issue/request queryset: when its first response came and from which user.

    A response, as in METRICS.md's time to first response, is a comment (or, for requests, a non-pending
    review) by a human who is not the item's author. Coalesce(…, 0) stands for "no author" (a deleted
    account) so that the comparison is false, not NULL, and every human then counts as someone else.
    """
    not_author = ~Q(author_id=Coalesce(OuterRef("author_id"), Value(0))) & (
        Q(author__user_id__isnull=True) | ~Q(author__user_id=Coalesce(OuterRef("author__user_id"), Value(0)))
    )
    at = "created_at" if model is Comment else "submitted_at"
    responses = model.objects.filter(not_author, _HUMAN, **{item_field: OuterRef("pk"), f"{at}__lte": now})
    if model is Review:
        responses = responses.filter(submitted_at__isnull=False).exclude(state=Review.ReviewState.PENDING)
    first = responses.order_by(at, "pk")
    return {
        "first_at": Subquery(first.values(at)[:1]),
        "first_user": Subquery(first.values("author__user_id")[:1]),
    }


def helping_hand(badge, user_ids, now) -> set[Qualifier]:
    """Gave the first response, within N business days, to `count` issues or requests opened by others.

    Two queries (requests, issues), each annotating every item with its first comment and, for requests,
    its first review; the earlier of the two is the first response. When `user_ids` is given, only items
    one of them responded to at all are read."""
    needed = _param(badge, "helping_hand", "count")
    days = _param(badge, "helping_hand", "business_days")
    answered: Counter[int] = Counter()

    def candidates(item_field: str) -> Q:
        if user_ids is None:
            return Q()
        mine = Comment.objects.filter(author__user_id__in=user_ids, **{item_field: OuterRef("pk")})
        if item_field == "pull_request":
            mine_reviews = Review.objects.filter(author__user_id__in=user_ids, pull_request=OuterRef("pk"))
            return Q(Exists(mine) | Exists(mine_reviews))
        return Q(Exists(mine))

    # A draft never marked ready is not asking for a response yet (METRICS.md).
    requests = (
        PullRequest.objects.filter(_listed("repository__project"), candidates("pull_request"))
        .exclude(draft=True, ready_for_review_at__isnull=True)
        .exclude(author__is_bot=True)
        .annotate(**_first_responder(Comment, "pull_request", now))
        .annotate(**{f"review_{k}": v for k, v in _first_responder(Review, "pull_request", now).items()})
        .values(
            "created_at",
            "ready_for_review_at",
            "first_at",
            "first_user",
            "review_first_at",
            "review_first_user",
        )
        .order_by()
    )
    issues = (
        Issue.objects.filter(_listed("repository__project"), candidates("issue"))
        .exclude(author__is_bot=True)
        .annotate(**_first_responder(Comment, "issue", now))
        .values("created_at", "first_at", "first_user")
        .order_by()
    )
    wanted = None if user_ids is None else set(user_ids)
    for row in [*requests, *issues]:
        at, who = row["first_at"], row["first_user"]
        review_at = row.get("review_first_at")
        if review_at is not None and (at is None or review_at < at):
            at, who = review_at, row["review_first_user"]
        if at is None or who is None or (wanted is not None and who not in wanted):
            continue
        opened = row.get("ready_for_review_at") or row["created_at"]
        if computations.within_business_days(opened, at, days=days):
            answered[who] += 1
    return {
        Qualifier(user_id, "", {"first_responses_in_time": n, "business_days": days})
        for user_id, n in answered.items()
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


def _sprint_of(week: datetime | date) -> int:
    day = week.date() if isinstance(week, datetime) else week
    return (day - SPRINT_EPOCH).days // SPRINT_DAYS


def _runs(sprints: Iterable[int], length: int) -> list[tuple[int, int]]:
    """The maximal runs of consecutive sprints at least `length` long, as (first, last)."""
    runs, first, last = [], None, None
    for sprint in sorted(set(sprints)):
        if last is not None and sprint == last + 1:
            last = sprint
            continue
        if first is not None and last - first + 1 >= length:
            runs.append((first, last))
        first = last = sprint
    if first is not None and last - first + 1 >= length:
        runs.append((first, last))
    return runs


def sprint_streak(badge, user_ids, now) -> set[Qualifier]:
    """Contributed (commit, request, review, issue or comment) in `count` consecutive sprints.

    Each maximal run of consecutive active sprints is one streak, keyed by the date its first sprint
    starts: a streak that goes on keeps its key (one grant), a new one after a gap gets a new grant.
    One query per kind of contribution, each one row per person and active week (weeks start on
    Monday, as sprints do, so a week lies inside one sprint)."""
    length = _param(badge, "sprint_streak", "count")
    sources = (
        (Commit.objects.filter(is_merge=False), "authored_at"),
        (PullRequest.objects.all(), "created_at"),
        (Review.objects.exclude(state=Review.ReviewState.PENDING), "submitted_at"),
        (Issue.objects.all(), "created_at"),
        (Comment.objects.all(), "created_at"),
    )
    active: defaultdict[int, set[int]] = defaultdict(set)
    for queryset, at in sources:
        path = "pull_request__repository__project" if at == "submitted_at" else "repository__project"
        rows = (
            queryset.filter(
                _people("author__user_id", user_ids), _HUMAN, _listed(path), **{f"{at}__lte": now}
            )
            .annotate(week=TruncWeek(at, tzinfo=UTC))
            .values_list("author__user_id", "week")
            .distinct()
            .order_by()
        )
        for user_id, week in rows:
            if week is not None:
                active[user_id].add(_sprint_of(week))
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
        for user_id, sprints in active.items()
        for first, last in _runs(sprints, length)
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
