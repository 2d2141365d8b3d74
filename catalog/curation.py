"""Curation by the program office: the review of registrations, the Featured and Verified flags,
archiving, and merging a duplicate into the project that stays (with the plan the merge page shows)."""

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from catalog.models import (
    Adoption,
    Asset,
    Lifecycle,
    Project,
    ProjectChange,
    ProjectRole,
    Repository,
    ReviewStatus,
)
from catalog.notifications import notification_send, notifications_send
from catalog.search_index import entries_rebuild
from catalog.services import consumer_notices_for_lifecycle
from catalog.signals import project_merged

REVIEW_DECISIONS = {
    "approve": (
        ReviewStatus.APPROVED,
        ProjectChange.Action.APPROVED,
        "was approved and is now in the catalog",
    ),
    "request_changes": (
        ReviewStatus.CHANGES_REQUESTED,
        ProjectChange.Action.CHANGES_REQUESTED,
        "was sent back: changes requested",
    ),
    "reject": (ReviewStatus.REJECTED, ProjectChange.Action.REJECTED, "was rejected"),
}


@transaction.atomic
def project_review(*, project: Project, reviewer: User, decision: str, note: str = "") -> Project:
    """The program office approves, sends back (with a reason) or rejects a registration."""
    if decision not in REVIEW_DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    if decision != "approve" and not note.strip():
        raise ValueError("Say why, so that the starter knows what to change.")
    status, action, wording = REVIEW_DECISIONS[decision]
    project.review_status = status
    project.review_note = note.strip()
    if decision == "approve" and project.lifecycle == Lifecycle.PROPOSED:
        project.lifecycle = Lifecycle.INCUBATING
    project.save()
    ProjectChange.objects.create(project=project, actor=reviewer, action=action, note=note.strip())
    if project.created_by is not None:
        message = f"Your project {project.name} {wording}."
        body = f"{message}\n\n{note.strip()}" if note.strip() else message
        notification_send(
            user=project.created_by, message=message, url=project.get_absolute_url(), email_body=body
        )
    entries_rebuild(project_ids=[project.pk])
    return project


@transaction.atomic
def project_flag_set(*, project: Project, user: User, flag: str, value: bool) -> Project:
    """Feature or verify a project (program office)."""
    actions = {
        "featured": (ProjectChange.Action.FEATURED, ProjectChange.Action.UNFEATURED),
        "verified": (ProjectChange.Action.VERIFIED, ProjectChange.Action.UNVERIFIED),
    }
    if flag not in actions:
        raise ValueError(f"unknown flag {flag!r}")
    if getattr(project, flag) != value:
        setattr(project, flag, value)
        project.save(update_fields=[flag, "updated_at"])
        ProjectChange.objects.create(project=project, actor=user, action=actions[flag][0 if value else 1])
        entries_rebuild(project_ids=[project.pk])
    return project


@transaction.atomic
def project_archive(*, project: Project, user: User, note: str = "") -> Project:
    project.lifecycle = Lifecycle.ARCHIVED
    project.save(update_fields=["lifecycle", "updated_at"])
    ProjectChange.objects.create(project=project, actor=user, action=ProjectChange.Action.ARCHIVED, note=note)
    consumer_notices_for_lifecycle(project=project)
    entries_rebuild(project_ids=[project.pk])
    return project


MEMBER = "Member"  # a place in a project's community (community.Membership), beside the project roles


@dataclass(kw_only=True)
class MergePerson:
    """Someone a merge concerns, and what it does to their place on the project that stays."""

    user: User
    in_duplicate: list[str]  # their roles in the duplicate ("Owner", "Member"…); empty: a kept project's own
    in_kept: list[str]  # the roles they hold on the kept project, which the merge leaves as they are
    joins: bool  # becomes a member of the kept project's community
    may_maintain: bool  # an owner or maintainer of the duplicate whom the program office may make maintainer
    # Whether they may see the kept project (ProjectQuerySet.visible_to). One who may not (it is restricted
    # to other business units) leaves the duplicate's community without joining, and is never told its name.
    sees_kept: bool = True

    @property
    def after(self) -> str:
        if not self.sees_kept and not self.in_kept:
            return "Leaves the community (the kept project is restricted to other business units)"
        if self.in_kept:
            return f"{', '.join(self.in_kept)} (unchanged)" + ("; joins as member" if self.joins else "")
        return MEMBER if self.joins else f"{MEMBER} (already)"


@dataclass(kw_only=True)
class MergePlan:
    """What folding `source` into `target` does, as the confirmation page shows it and the merge does it."""

    source: Project
    target: Project
    assets: list[tuple[Asset, str]]  # each asset of the duplicate and its slug on the kept project
    adoptions: int  # active adoptions of those assets, which move with them
    repositories: list[Repository]
    moving: list[MergePerson]  # the duplicate's owners, maintainers, trusted committers and members
    staying: list[MergePerson]  # the kept project's owners and maintainers, whom the merge leaves alone

    @property
    def may_maintain(self) -> list[MergePerson]:
        return [person for person in self.moving if person.may_maintain]


def project_merge_plan(*, source: Project, target: Project) -> MergePlan:
    """The consequences of a merge, read before it is confirmed; project_merge carries out this plan."""
    taken = set(target.assets.values_list("slug", flat=True))
    assets = []
    for asset in source.assets.order_by("name", "pk"):
        slug, n = asset.slug, 2
        while slug in taken:
            slug = f"{asset.slug}-{n}"
            n += 1
        taken.add(slug)
        assets.append((asset, slug))
    order = {role: i for i, role in enumerate(ProjectRole.Role.values)}
    people: dict[int, User] = {}
    in_duplicate: dict[int, list[str]] = {}
    in_kept: dict[int, list[str]] = {}
    for project, held in ((source, in_duplicate), (target, in_kept)):
        for role in sorted(project.roles.select_related("user"), key=lambda r: order[r.role]):
            people[role.user_id] = role.user
            held.setdefault(role.user_id, []).append(role.get_role_display())
    # Memberships belong to the community app: read through the ORM relation (catalog never imports it).
    for membership in source.memberships.filter(left_at__isnull=True).select_related("user"):
        people[membership.user_id] = membership.user
        in_duplicate.setdefault(membership.user_id, []).append(MEMBER)
    kept_members = set(target.memberships.filter(left_at__isnull=True).values_list("user_id", flat=True))
    editors = {label for value, label in ProjectRole.Role.choices if value in ProjectRole.EDITOR_ROLES}
    # People are listed by their highest role (owners first, members last), then by name.
    rank = {label: i for i, label in enumerate([*ProjectRole.Role.labels, MEMBER])}

    def sees_kept(user_id: int) -> bool:
        return not target.is_restricted or user_id in in_kept or target.is_visible_to(people[user_id])

    def person(user_id: int) -> MergePerson:
        sees = sees_kept(user_id)
        return MergePerson(
            user=people[user_id],
            in_duplicate=in_duplicate.get(user_id, []),
            in_kept=in_kept.get(user_id, []),
            sees_kept=sees,
            joins=user_id in in_duplicate and user_id not in kept_members and sees,
            may_maintain=bool(editors & set(in_duplicate.get(user_id, [])))
            and not editors & set(in_kept.get(user_id, [])),
        )

    def sort_key(held: str):
        return lambda p: (min(rank[r] for r in getattr(p, held)), _name(p.user).lower())

    moving = sorted((person(user_id) for user_id in in_duplicate), key=sort_key("in_duplicate"))
    staying = sorted(
        (person(u) for u in in_kept if u not in in_duplicate and editors & set(in_kept[u])),
        key=sort_key("in_kept"),
    )
    return MergePlan(
        source=source,
        target=target,
        assets=assets,
        adoptions=Adoption.objects.active().filter(asset__project=source).count(),
        repositories=list(source.repositories.all()),
        moving=moving,
        staying=staying,
    )


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _names(people: list[MergePerson]) -> str:
    return ", ".join(_name(p.user) for p in people)


@transaction.atomic
def project_merge(
    *, source: Project, target: Project, user: User, maintainer_ids: Collection[int] = ()
) -> Project:
    """Fold a duplicate into the project that stays: its assets (with their adoptions), repositories and
    topics move over; the duplicate is archived and points to the survivor.

    The kept project's owners and maintainers stay as they are: the duplicate's people (owners,
    maintainers, trusted committers, community members) join its community as members, and only those
    of the duplicate's owners and maintainers that the program office names (`maintainer_ids`) become
    maintainers. A merge never makes anyone an owner."""
    if source.pk == target.pk:
        raise ValueError("A project cannot be merged into itself.")
    if target.merged_into_id:
        raise ValueError(f"{target.name} was itself merged away; merge into {target.merged_into} instead.")
    plan = project_merge_plan(source=source, target=target)
    promoted = [p for p in plan.may_maintain if p.user.pk in set(maintainer_ids)]
    if len(promoted) != len(set(maintainer_ids)):
        raise ValueError(
            "Only the duplicate's owners and maintainers can be made maintainers of the kept project."
        )
    for asset, slug in plan.assets:
        Asset.objects.filter(pk=asset.pk).update(project=target, slug=slug)
    for person in promoted:
        ProjectRole.objects.get_or_create(project=target, user=person.user, role=ProjectRole.Role.MAINTAINER)
    source.repositories.update(project=target)
    target.topics.add(*source.topics.all())
    target.languages.add(*source.languages.all())
    source.merged_into = target
    source.lifecycle = Lifecycle.ARCHIVED
    source.save(update_fields=["merged_into", "lifecycle", "updated_at"])
    ProjectRole.objects.filter(project=source).delete()
    # Sent inside the transaction: the community app moves the memberships, and they commit (or roll
    # back) with the merge.
    project_merged.send(
        sender=Project,
        source=source,
        target=target,
        user_ids=[p.user.pk for p in plan.moving],
        joining_ids=[p.user.pk for p in plan.moving if p.joins or p in promoted],
    )
    ProjectChange.objects.create(
        project=source, actor=user, action=ProjectChange.Action.MERGED, note=f"merged into {target.name}"
    )
    joined = [p for p in plan.moving if p.joins]
    note = f"{source.name} merged into this project"
    if joined:
        note += f"; joined as members: {_names(joined)}"
    if promoted:
        note += f"; made maintainers: {_names(promoted)}"
    ProjectChange.objects.create(project=target, actor=user, action=ProjectChange.Action.MERGED, note=note)
    told = f"The program office merged {source.name} into {target.name}"
    members = []
    for person in plan.moving:
        if not person.sees_kept and person not in promoted:
            notification_send(
                user=person.user,
                message=f"The program office merged {source.name} into a project restricted to other "
                "business units; you left its community.",
            )
        elif set(person.in_duplicate) == {MEMBER}:
            members.append(person.user)
        else:
            place = "a maintainer" if person in promoted else "a member"
            notification_send(
                user=person.user,
                message=f"{told}; you are now {place} of {target.name}.",
                url=target.get_absolute_url(),
            )
    if members:
        # A community can be large: its members are told in one insert.
        notifications_send(
            users=members,
            message=f"{told}; you are now a member of its community.",
            url=target.get_absolute_url(),
        )
    entries_rebuild(project_ids=[source.pk, target.pk])
    return target
