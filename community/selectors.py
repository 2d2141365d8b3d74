"""Reads of the people side of the community: profiles (with their privacy), project members, trusted
committer candidates, the rules of engagement.

Every function runs a fixed number of queries, whatever the number of members, badges or contributions.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import nh3
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser, User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q

from catalog.models import Project, ProjectRole
from catalog.permissions import can_edit_project, is_program_office
from community.library import render_markdown
from community.models import (
    BadgeAward,
    JourneySettings,
    Kudos,
    Membership,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
)
from metrics.models import ForgeAccount, PullRequest, Review

HISTORY_LIMIT = 20
KUDOS_LIMIT = 20
MEMBERS_PER_PAGE = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain_text(value: str) -> str:
    """Text as a person meant it, with any markup taken out: tags are stripped (script and style with
    their content), entities decoded, control characters dropped and spaces collapsed. Templates escape
    it on output; stripping too means e-mails and the admin never carry markup either."""
    text = value or ""
    # Decoding can reveal markup that was typed as entities ("&lt;b&gt;"): clean until nothing changes.
    for _ in range(3):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    return " ".join(_CONTROL.sub(" ", text).split())


def display_name(user: User) -> str:
    """How colleagues know a person: the profile's name, else the account's; never the e-mail address."""
    try:
        name = user.practitioner.display_name
    except Practitioner.DoesNotExist:
        name = ""
    return name or user.get_full_name() or user.get_username()


def practitioner_of(user: User) -> Practitioner:
    """The person's profile, or (without writing anything) the defaults a new profile would have."""
    try:
        return user.practitioner
    except Practitioner.DoesNotExist:
        return Practitioner(user=user, display_name=(user.get_full_name() or user.get_username())[:150])


# Profiles -----------------------------------------------------------------------------------------


def _projects_of(*, user: User, listed_only: bool, viewer: User | AnonymousUser) -> list[dict]:
    """The projects a person belongs to: active memberships and roles, one row per project (for someone
    else: listed ones the viewer may see)."""
    memberships = Membership.objects.filter(user=user, left_at__isnull=True).select_related("project")
    roles = ProjectRole.objects.filter(user=user).select_related("project")
    if listed_only:
        listed = Project.objects.listed().visible_to(viewer).values("pk")
        memberships, roles = memberships.filter(project__in=listed), roles.filter(project__in=listed)
    rows: dict[int, dict] = {}
    for membership in memberships:
        rows[membership.project_id] = {
            "project": membership.project,
            "member_since": membership.joined_at,
            "roles": [],
        }
    for role in roles:
        row = rows.setdefault(role.project_id, {"project": role.project, "member_since": None, "roles": []})
        row["roles"].append(role.get_role_display())
    return sorted(rows.values(), key=lambda row: row["project"].name.lower())


def _history_of(*, user: User, listed_only: bool, viewer: User | AnonymousUser) -> list[dict]:
    """The person's latest merged requests and reviews through their linked forge accounts, newest first."""
    requests = PullRequest.objects.filter(author__user=user, merged_at__isnull=False)
    reviews = Review.objects.filter(author__user=user, submitted_at__isnull=False).exclude(
        state=Review.ReviewState.PENDING
    )
    if listed_only:
        listed = Project.objects.listed().visible_to(viewer).values("pk")
        requests = requests.filter(repository__project__in=listed)
        reviews = reviews.filter(pull_request__repository__project__in=listed)
    events = [
        {"kind": "merged", "when": pr.merged_at, "request": pr, "project": pr.repository.project}
        for pr in requests.select_related("repository__project").order_by("-merged_at")[:HISTORY_LIMIT]
    ]
    events += [
        {
            "kind": "reviewed",
            "when": review.submitted_at,
            "request": review.pull_request,
            "project": review.pull_request.repository.project,
        }
        for review in reviews.select_related("pull_request__repository__project").order_by("-submitted_at")[
            :HISTORY_LIMIT
        ]
    ]
    # Both querysets keep only dated events (merged_at, submitted_at not null).
    return sorted(events, key=lambda event: cast(datetime, event["when"]), reverse=True)[:HISTORY_LIMIT]


def _hide_unseen_projects(kudos: list[Kudos], *, viewer: User | AnonymousUser) -> None:
    """Kudos keep their thanks but drop the project name when the viewer may not see the project
    (ProjectQuerySet.visible_to): one query for the page, whatever the number of kudos."""
    named = {item.project_id for item in kudos if item.project_id is not None}
    if not named:
        return
    seen = set(Project.objects.filter(pk__in=named).visible_to(viewer).values_list("pk", flat=True))
    for item in kudos:
        if item.project_id is not None and item.project_id not in seen:
            item.project = None


def profile_context(*, practitioner: Practitioner, viewer: User | AnonymousUser) -> dict:
    """What a viewer may see of a profile. The person and the program office see everything (linked
    identities only the person); others see what the person allows, and of a private profile only the
    name."""
    user = practitioner.user
    is_owner = viewer.is_authenticated and viewer.pk == user.pk
    privileged = is_owner or is_program_office(viewer)
    public = practitioner.visibility == Practitioner.Visibility.COMPANY
    details = privileged or public
    context: dict[str, Any] = {
        "practitioner": practitioner,
        "person": user,
        "is_owner": is_owner,
        "privileged": privileged,
        "show_details": details,
        "show_identities": is_owner,
        "show_projects": privileged or (public and practitioner.show_projects),
        "show_badges": privileged or (public and practitioner.show_badges),
        "show_activity": privileged or (public and practitioner.show_activity),
        "skills": [],
        "projects": [],
        "badges": [],
        "history": [],
        "kudos": [],
        "kudos_count": 0,
        "forge_accounts": [],
    }
    if details and practitioner.pk:
        context["skills"] = list(practitioner.skills.all())
    if details:
        received = Kudos.objects.filter(receiver=user)
        context["kudos"] = list(received.select_related("giver__practitioner", "project")[:KUDOS_LIMIT])
        _hide_unseen_projects(context["kudos"], viewer=viewer)
        context["kudos_count"] = len(context["kudos"])
        if context["kudos_count"] == KUDOS_LIMIT:
            context["kudos_count"] = received.count()
    if context["show_projects"]:
        context["projects"] = _projects_of(user=user, listed_only=not privileged, viewer=viewer)
    if context["show_badges"]:
        context["badges"] = list(
            BadgeAward.objects.filter(user=user, revoked_at__isnull=True, badge__active=True)
            .select_related("badge")
            .order_by("-awarded_at")
        )
    if context["show_activity"]:
        context["history"] = _history_of(user=user, listed_only=not privileged, viewer=viewer)
    if is_owner:
        context["forge_accounts"] = list(ForgeAccount.objects.filter(user=user).order_by("forge", "login"))
        context["email_addresses"] = list(
            EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        )
    return context


def identity_claimed(*, field: str, value: str, exclude_user: User) -> bool:
    """Whether another person has proven this forge login theirs (case-insensitive). A login someone
    merely typed blocks nobody: a claim must not keep the login's owner from naming it."""
    if field not in {"github_login", "gitlab_username"} or not value:
        return False
    verified = {f"{field}__iexact": value, f"{field}_verified": True}
    return Practitioner.objects.filter(**verified).exclude(user_id=exclude_user.pk).exists()


# Project communities ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Candidate:
    """A person the evidence proposes as trusted committer of a project, and why."""

    user: User
    name: str
    merged: int
    reviews: int
    window_days: int

    @property
    def reason(self) -> str:
        return (
            f"{self.merged} merged request{'s' if self.merged != 1 else ''} and {self.reviews} review"
            f"{'s' if self.reviews != 1 else ''} of others' requests in the last {self.window_days} days"
        )


def trusted_committer_candidates(*, project: Project, now: datetime) -> list[Candidate]:
    """The candidates of one project (trusted_committer_candidates_by_project)."""
    return trusted_committer_candidates_by_project(project_ids=[project.pk], now=now)[project.pk]


def trusted_committer_candidates_by_project(
    *, project_ids: list[int], now: datetime
) -> dict[int, list[Candidate]]:
    """For each project, the people who merged at least `trusted_committer_merged` requests and reviewed at
    least `trusted_committer_reviews` requests of others on it within the window, and hold no role on it
    yet. Three queries whatever the number of projects: merged counts per project and person, review
    counts of those people, and the people themselves."""
    thresholds = JourneySettings.current()
    since = now - timedelta(days=thresholds.trusted_committer_window_days)
    result: dict[int, list[Candidate]] = {pk: [] for pk in project_ids}
    # Trusted committers are not proposed again, nor owners and maintainers, who run the project already.
    holders = ProjectRole.objects.filter(
        project_id=OuterRef("repository__project_id"), user_id=OuterRef("author__user_id")
    )
    people = Q(author__user__isnull=False, author__is_bot=False, author__user__is_active=True)
    merged = {
        (row["repository__project_id"], row["author__user_id"]): row["n"]
        for row in PullRequest.objects.filter(
            people, repository__project_id__in=project_ids, merged_at__gte=since, merged_at__lte=now
        )
        .exclude(Exists(holders))
        .values("repository__project_id", "author__user_id")
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gte=thresholds.trusted_committer_merged)
        .order_by()
    }
    if not merged:
        return result
    # A review counts once per request, and only on someone else's request (or an unattributed one).
    others = Q(pull_request__author__user__isnull=True) | ~Q(
        pull_request__author__user_id=F("author__user_id")
    )
    reviewed = {
        (row["pull_request__repository__project_id"], row["author__user_id"]): row["n"]
        for row in Review.objects.filter(
            people,
            others,
            pull_request__repository__project_id__in=project_ids,
            author__user_id__in={user_id for _project, user_id in merged},
            submitted_at__gte=since,
            submitted_at__lte=now,
        )
        .exclude(state=Review.ReviewState.PENDING)
        .values("pull_request__repository__project_id", "author__user_id")
        .annotate(n=Count("pull_request_id", distinct=True))
        .filter(n__gte=thresholds.trusted_committer_reviews)
        .order_by()
        if (row["pull_request__repository__project_id"], row["author__user_id"]) in merged
    }
    users = User.objects.filter(pk__in={user_id for _project, user_id in reviewed}).select_related(
        "practitioner"
    )
    by_pk = {user.pk: user for user in users}
    for (project_id, user_id), reviews in reviewed.items():
        user = by_pk[user_id]
        result[project_id].append(
            Candidate(
                user=user,
                name=display_name(user),
                merged=merged[project_id, user_id],
                reviews=reviews,
                window_days=thresholds.trusted_committer_window_days,
            )
        )
    for candidates in result.values():
        candidates.sort(key=lambda c: (-(c.merged + c.reviews), c.name.lower()))
    return result


def members_context(*, project: Project, viewer: User | AnonymousUser, page: str | int | None = 1) -> dict:
    """A project's community: its members (one page), who runs it, and the viewer's own standing.

    Maintainers, owners and the program office see every member; others see the members who show
    their projects on a company-visible profile (and themselves), plus how many chose not to."""
    manager = can_edit_project(viewer, project)
    active = Membership.objects.filter(project=project, left_at__isnull=True)
    visible = active
    if not manager:
        shown = Q(user__practitioner__isnull=True) | Q(
            user__practitioner__visibility=Practitioner.Visibility.COMPANY,
            user__practitioner__show_projects=True,
        )
        if viewer.is_authenticated:
            shown |= Q(user_id=viewer.pk)
        visible = active.filter(shown)
    members_page: Page = Paginator(
        visible.select_related("user__practitioner__business_unit").order_by("joined_at", "pk"),
        MEMBERS_PER_PAGE,
    ).get_page(page)
    # Managers see every member: the page's count is the total then, and one query is saved.
    total = members_page.paginator.count if manager else active.count()
    roles = list(project.roles.select_related("user__practitioner").order_by("role", "created_at"))
    roles_by_user: dict[int, list[str]] = {}
    for role in roles:
        roles_by_user.setdefault(role.user_id, []).append(role.get_role_display())
    committers = [r.user for r in roles if r.role == ProjectRole.Role.TRUSTED_COMMITTER]
    return {
        "project": project,
        "can_manage": manager,
        "members": [
            {"membership": m, "name": display_name(m.user), "roles": roles_by_user.get(m.user_id, [])}
            for m in members_page
        ],
        "page": members_page,
        "total": total,
        "hidden": total - members_page.paginator.count,
        "leads": [
            {"user": r.user, "name": display_name(r.user), "role": r.get_role_display()}
            for r in roles
            if r.role in ProjectRole.EDITOR_ROLES
        ],
        "trusted_committers": [{"user": u, "name": display_name(u)} for u in committers],
        "is_member": viewer.is_authenticated and active.filter(user_id=viewer.pk).exists(),
        # Owners lead the community: they are not offered to leave it.
        "is_owner": any(r.role == ProjectRole.Role.OWNER and r.user_id == viewer.pk for r in roles),
    }


# Rules of engagement ------------------------------------------------------------------------------


def rules_context(*, viewer: User | AnonymousUser) -> dict:
    """The current rules as safe HTML, and where the viewer stands with them."""
    current = RulesVersion.current()
    accepted = None
    previous = None
    if viewer.is_authenticated:
        acceptances = RulesAcceptance.objects.filter(user=viewer).select_related("rules")
        latest = acceptances.order_by("-rules__version").first()
        if latest and current and latest.rules_id == current.pk:
            accepted = latest
        else:
            previous = latest
    return {
        "rules": current,
        "body": render_markdown(current.body) if current else "",
        "accepted": accepted,
        "previous": previous,
    }
