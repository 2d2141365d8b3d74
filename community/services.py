"""Writes of the people side of the community: profiles, memberships, trusted committers, the rules of
engagement, kudos. Permissions that depend on the project are checked here too, so that no caller can
forget them; the views check them first to answer with the right page."""

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import BusinessUnit, Project, ProjectChange, ProjectRole
from catalog.notifications import notification_send
from catalog.permissions import can_edit_project
from catalog.search_index import entries_rebuild
from community.identity import typed_identities_apply, unit_request
from community.journey import people_evaluate
from community.models import Kudos, Membership, Practitioner, RulesAcceptance, RulesVersion, Skill
from community.selectors import display_name, plain_text

KUDOS_MAX = 500


# Profiles -----------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class ProfileFields:
    """The editable part of a profile, as the profile form produces it (already validated)."""

    display_name: str
    # Not the unit itself: a request the program office confirms (community.identity).
    requested_business_unit: BusinessUnit | None = None
    team: str = ""
    bio: str = ""
    skills: list[Skill] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    github_login: str = ""
    gitlab_username: str = ""
    visibility: str = Practitioner.Visibility.COMPANY
    show_activity: bool = True
    show_badges: bool = True
    show_projects: bool = True


SIMPLE_FIELDS = (
    "display_name",
    "team",
    "bio",
    "interests",
    "visibility",
    "show_activity",
    "show_badges",
    "show_projects",
)


@transaction.atomic
def practitioner_ensure(*, user: User) -> Practitioner:
    """The person's profile, created with their account's name on first use."""
    practitioner, _ = Practitioner.objects.get_or_create(
        user=user, defaults={"display_name": (user.get_full_name() or user.get_username())[:150]}
    )
    return practitioner


@transaction.atomic
def profile_update(*, user: User, fields: ProfileFields) -> Practitioner:
    """A person edits their own profile. The unit and the logins they type are requests and claims that
    change no access and attribute nothing (community.identity); a verified login they remove or replace
    lets its forge activity go."""
    practitioner = practitioner_ensure(user=user)
    for name in SIMPLE_FIELDS:
        setattr(practitioner, name, getattr(fields, name))
    practitioner.display_name = practitioner.display_name.strip()[:150]
    unit_request(practitioner=practitioner, unit=fields.requested_business_unit)
    released = typed_identities_apply(
        practitioner=practitioner, github_login=fields.github_login, gitlab_username=fields.gitlab_username
    )
    practitioner.save()
    practitioner.skills.set(fields.skills)
    if released:
        people_evaluate(user_ids=[user.pk])
    return practitioner


# Memberships --------------------------------------------------------------------------------------


@transaction.atomic
def membership_join(*, project: Project, user: User) -> Membership:
    """Join a listed project's community; joining again keeps the one active membership."""
    if not project.is_listed:
        raise PermissionDenied("Only communities of projects listed in the catalog can be joined.")
    existing = Membership.objects.filter(project=project, user=user, left_at__isnull=True).first()
    if existing:
        return existing
    try:
        # A savepoint, so that a concurrent join that wins the race leaves this transaction usable.
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user)
    except IntegrityError:
        return Membership.objects.get(project=project, user=user, left_at__isnull=True)
    people_evaluate(user_ids=[user.pk])
    return membership


@transaction.atomic
def membership_leave(*, project: Project, user: User) -> bool:
    """Leave a community; the membership stays as history. Returns whether the person was a member."""
    left = Membership.objects.filter(project=project, user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    if left:
        people_evaluate(user_ids=[user.pk])
    return bool(left)


@transaction.atomic
def memberships_move(
    *, source: Project, target: Project, leaving_ids: list[int], joining_ids: list[int]
) -> list[int]:
    """When `source` is merged into `target`: the duplicate's role holders and members (`leaving_ids`)
    leave its community (the rows stay as history), and `joining_ids` (those of them who may see the kept
    project: catalog decides) join the kept project's, unless they are members already. Returns the ids
    of those whose memberships changed."""
    now = timezone.now()
    left = set(
        Membership.objects.filter(project=source, user_id__in=leaving_ids, left_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    Membership.objects.filter(project=source, user_id__in=left, left_at__isnull=True).update(left_at=now)
    already = set(
        Membership.objects.filter(project=target, user_id__in=joining_ids, left_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    joining = sorted(set(joining_ids) - already)
    Membership.objects.bulk_create([Membership(project=target, user_id=pk, joined_at=now) for pk in joining])
    return sorted(left | set(joining))


# Trusted committers -------------------------------------------------------------------------------


def _require_community_manager(*, project: Project, by: User) -> None:
    if not can_edit_project(by, project):
        raise PermissionDenied(
            "Only the project's maintainers and owners (or the program office) appoint trusted committers."
        )
    if project.merged_into_id:
        raise PermissionDenied(f"{project.name} was merged into {project.merged_into}; manage that one.")


def _committers_changed(*, project: Project, by: User, user: User, appointed: bool, reason: str) -> None:
    """Record that `by` appointed (or removed) `user` as a trusted committer: the project's history, the
    person told, the project's search entry and the person's journey."""
    if appointed:
        note = f"appointed {display_name(user)} trusted committer"
        message = f"{display_name(by)} appointed you trusted committer of {project.name}. Thank you!"
    else:
        note = f"removed {display_name(user)} as trusted committer"
        message = f"You are no longer a trusted committer of {project.name}."
    if reason:
        note = f"{note} ({reason})"
    ProjectChange.objects.create(project=project, actor=by, action=ProjectChange.Action.EDITED, note=note)
    notification_send(
        user=user, message=message, url=reverse("community:members", kwargs={"slug": project.slug})
    )
    # People's names are search keywords of the project.
    entries_rebuild(project_ids=[project.pk])
    people_evaluate(user_ids=[user.pk])


@transaction.atomic
def trusted_committer_appoint(*, project: Project, user: User, by: User, reason: str = "") -> ProjectRole:
    """A maintainer, owner or the program office makes someone a trusted committer of the project."""
    _require_community_manager(project=project, by=by)
    if not user.is_active:
        raise ValueError(f"{display_name(user)} has no active account.")
    role, created = ProjectRole.objects.get_or_create(
        project=project, user=user, role=ProjectRole.Role.TRUSTED_COMMITTER
    )
    if created:
        _committers_changed(project=project, by=by, user=user, appointed=True, reason=reason)
    return role


@transaction.atomic
def trusted_committer_remove(*, project: Project, user: User, by: User, reason: str = "") -> bool:
    """Withdraw the trusted-committer role; returns whether the person held it."""
    _require_community_manager(project=project, by=by)
    removed, _ = ProjectRole.objects.filter(
        project=project, user=user, role=ProjectRole.Role.TRUSTED_COMMITTER
    ).delete()
    if removed:
        _committers_changed(project=project, by=by, user=user, appointed=False, reason=reason)
    return bool(removed)


# Rules of engagement ------------------------------------------------------------------------------


@transaction.atomic
def rules_accept(*, user: User, rules: RulesVersion) -> RulesAcceptance:
    """Accept a published version of the rules; accepting it again changes nothing."""
    if rules.published_at > timezone.now():
        raise ValueError("These rules are not published yet.")
    acceptance, created = RulesAcceptance.objects.get_or_create(user=user, rules=rules)
    if created:
        people_evaluate(user_ids=[user.pk])
    return acceptance


# Kudos --------------------------------------------------------------------------------------------


@transaction.atomic
def kudos_give(*, giver: User, receiver: User, message: str, project: Project | None = None) -> Kudos:
    """Thank someone publicly (not oneself) for their help, optionally on a project; they are told."""
    if giver.pk == receiver.pk:
        raise PermissionDenied("Kudos are for thanking others.")
    if not receiver.is_active:
        raise ValueError("This person has left.")
    text = plain_text(message)
    if not 1 <= len(text) <= KUDOS_MAX:
        raise ValueError(f"Say thank you in 1 to {KUDOS_MAX} characters.")
    if project is not None and not (project.is_listed and project.is_visible_to(giver)):
        raise ValueError("Kudos can name only projects listed in the catalog.")
    kudos = Kudos.objects.create(giver=giver, receiver=receiver, project=project, message=text)
    # The receiver is told the project's name only if they may see the project themselves.
    where = f" for {project.name}" if project and project.is_visible_to(receiver) else ""
    notification_send(
        user=receiver,
        message=f"{display_name(giver)} sent you kudos{where}: “{text}”",
        url=reverse("community:profile", kwargs={"username": receiver.get_username()}) + "#kudos",
    )
    return kudos
