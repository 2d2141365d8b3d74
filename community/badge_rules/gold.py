"""Gold badges: mentoring newcomers, starting a project, and an asset reused across business units."""

from collections import defaultdict

from django.db.models import Case, Count, F, Min, When, Window

from catalog.models import Adoption, ProjectRole, Repository
from community.badge_rules.common import listed, param, people, reviews_of_others
from community.badge_rules.qualifiers import Qualifier, distinct_at_least, per_person
from community.models import Practitioner, Stage
from metrics.models import PullRequest, Review


def mentor(badge, user_ids, now) -> set[Qualifier]:
    """Reviewed the first merged request (in a catalog project) of `count` first-time contributors.

    A request is its author's first when no merged request of the same person (the same account, or
    another account of the same user) was merged before it. One query.

    That is: merged when its person's first merged request was, the person being the user an account
    is linked to, or the account itself when unlinked. Each person's first merge time is a window
    minimum over the merged requests, read once, rather than a per-request search for an earlier one
    ("same account or same user" is an OR across a join, which no index answers)."""
    needed = param(badge, "mentor", "count")
    user = F("author__user_id")
    account_when_unlinked = Case(When(author__user_id__isnull=True, then=F("author_id")))
    # Listed by repository id: one hashed lookup per request, not a join through repository to project.
    listed_repositories = Repository.objects.filter(listed("project")).values("pk")
    # Requests without an author belong to nobody: never a first, never earlier than someone's first.
    # Bots' requests stay in: a bot account linked to a user is one of that user's accounts.
    firsts = (
        PullRequest.objects.filter(
            repository__in=listed_repositories, merged_at__lte=now, author__isnull=False
        )
        .annotate(person_first=Window(Min("merged_at"), partition_by=[user, account_when_unlinked]))
        .filter(merged_at=F("person_first"))
    )
    reviews = Review.objects.filter(
        reviews_of_others(user_ids), pull_request__in=firsts.values("pk"), pull_request__author__is_bot=False
    )
    return distinct_at_least(
        reviews, needed, person="author__user_id", first_time_contributors="pull_request__author_id"
    )


def starter(badge, user_ids, now) -> set[Qualifier]:
    """Has reached the Starter stage (stages do not decay, so neither does the badge)."""
    rows = Practitioner.objects.filter(people("user_id", user_ids), stage=Stage.STARTER).values(
        "user_id", "stage_since"
    )
    return per_person(rows, stage_since="stage_since")


def solve_once(badge, user_ids, now) -> set[Qualifier]:
    """Owns or maintains a project with an asset actively adopted (on `now`'s day) by `count` business
    units other than the project's own. Two queries: the assets that qualify, then who maintains them.
    The key is the asset, so a badge switched to `multiple` grants once per asset."""
    needed = param(badge, "solve_once", "count")
    assets = (
        Adoption.objects.active(on=now.date())
        .filter(listed("asset__project"))
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
            people("user_id", user_ids), role__in=ProjectRole.EDITOR_ROLES, project_id__in=list(by_project)
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
