"""Writes to the catalog's projects: registration, editing, repositories, scores (which repository and
forge a URL names is catalog.repositories)."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from catalog.models import (
    BusinessUnit,
    Language,
    Lifecycle,
    Project,
    ProjectChange,
    ProjectRole,
    Repository,
    ReviewStatus,
    Topic,
    Visibility,
)
from catalog.notifications import notification_send
from catalog.permissions import is_program_office
from catalog.repositories import (
    forge_among,
    forge_hosts,
    normalise_repository_url,
    repository_by_url,
    same_repository,
)
from catalog.scoring import activity_score_explained, repository_mapping
from catalog.search_index import entries_rebuild
from catalog.services.notices import consumer_notices_for_lifecycle


@dataclass(kw_only=True)
class EntryFields:
    """What describes a project and an asset alike: a name, one sentence, and the topics and languages
    it is tagged with (as words: named_rows finds or makes their rows)."""

    name: str
    description: str
    topics: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class ProjectFields(EntryFields):
    """The editable description of a project, as the registration and edit forms produce it."""

    business_unit: BusinessUnit
    motivation: str = ""
    lifecycle: str = Lifecycle.PROPOSED
    license: str = ""
    repository_urls: list[str] = field(default_factory=list)
    # The forge of the repositories on hosts the portal does not know (forge_of's `chosen`): "" reads
    # them as plain git. None (an API edit that does not name one) keeps the forges of the repositories
    # already listed, and new ones are read from their host.
    repository_forge: str | None = None
    docs_url: str = ""
    contributing_url: str = ""
    communication_url: str = ""
    skills_wanted: list[str] = field(default_factory=list)
    contributions_wanted: str = ""
    logo_url: str = ""
    declared_readiness: list[str] = field(default_factory=list)
    # None leaves the maintainers as they are; a list replaces them (owners stay owners).
    maintainers: list[User] | None = None
    visibility: str = Visibility.COMPANY
    # With visibility "units": the units besides the host unit that see the project.
    visible_units: list[BusinessUnit] = field(default_factory=list)


# What a project tells those who would use it or take part, besides its name, unit and lifecycle: the
# edit writes these as given (SIMPLE_FIELDS), and the API reads them back in this order.
PARTICIPATION_FIELDS = (
    "license",
    "docs_url",
    "contributing_url",
    "communication_url",
    "skills_wanted",
    "contributions_wanted",
    "logo_url",
    "declared_readiness",
)
SIMPLE_FIELDS = (
    "name",
    "description",
    "business_unit",
    "motivation",
    "lifecycle",
    *PARTICIPATION_FIELDS,
    "visibility",
)


# The catalog's own pages at /catalog/<word>/, which a project's slug must not take
# (tests/catalog/test_suggestions.py checks that this covers catalog/urls.py).
RESERVED_SLUGS = {"register", "review", "mine", "suggest", "duplicates"}


def unique_slug(*, name: str, exclude_pk: int | None = None) -> str:
    """The name's slug, or when a project already holds it, the slug with a random suffix. Not "-2",
    "-3": a registrant who cannot see the holder (a restricted project, another's pending registration)
    would learn from the number that it exists, and how many do."""
    base = slugify(name)[:100] or "project"
    slug = base
    others = Project.objects.exclude(pk=exclude_pk) if exclude_pk is not None else Project.objects.all()
    while slug in RESERVED_SLUGS or others.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def named_rows(model, names: list[str]):
    """The topics, languages… of these names (case-blind, each once), made when new."""
    objects = []
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        existing = model.objects.filter(name__iexact=name).first()
        objects.append(existing or model.objects.create(name=name))
    return objects


def _apply_fields(*, project: Project, fields: ProjectFields) -> dict[str, list]:
    """Write the fields onto the project; return what changed as {field: [old, new]}."""
    changed: dict[str, list] = {}
    for name in SIMPLE_FIELDS:
        old, new = getattr(project, name), getattr(fields, name)
        if old != new:
            changed[name] = [str(old), str(new)]
            setattr(project, name, new)
    project.save()
    for relation, model, names in (
        ("topics", Topic, fields.topics),
        ("languages", Language, fields.languages),
    ):
        old_names = sorted(o.name for o in getattr(project, relation).all())
        new_objects = named_rows(model, names)
        if sorted(o.name for o in new_objects) != old_names:
            changed[relation] = [", ".join(old_names), ", ".join(o.name for o in new_objects)]
            getattr(project, relation).set(new_objects)
    old_units = sorted(unit.slug for unit in project.visible_units.all())
    new_units = [] if fields.visibility == Visibility.COMPANY else list(fields.visible_units)
    if sorted(unit.slug for unit in new_units) != old_units:
        changed["visible_units"] = [", ".join(old_units), ", ".join(sorted(u.slug for u in new_units))]
        project.visible_units.set(new_units)
    if fields.maintainers is not None:
        current = {role.user_id: role for role in project.roles.filter(role=ProjectRole.Role.MAINTAINER)}
        owners = set(project.roles.filter(role=ProjectRole.Role.OWNER).values_list("user_id", flat=True))
        wanted = {user.pk: user for user in fields.maintainers if user.pk not in owners}
        if set(current) != set(wanted):
            changed["maintainers"] = [
                ", ".join(sorted(r.user.email for r in current.values())),
                ", ".join(sorted(u.email for u in wanted.values())),
            ]
            project.roles.filter(role=ProjectRole.Role.MAINTAINER).exclude(user_id__in=wanted).delete()
            for user_id in set(wanted) - set(current):
                ProjectRole.objects.create(project=project, user_id=user_id, role=ProjectRole.Role.MAINTAINER)
    changed.update(
        _apply_repositories(project=project, urls=fields.repository_urls, chosen=fields.repository_forge)
    )
    return changed


def _apply_repositories(*, project: Project, urls: list[str], chosen: str | None) -> dict[str, list]:
    """The project's repositories become these URLs, each stored as written (normalised); what changed.
    Spellings of one repository (_same_repository) are one: a GitHub URL rewritten in another case
    keeps its repository, synced activity included, under the new spelling."""
    hosts = forge_hosts()
    wanted: list[tuple[str, str]] = []  # (url, forge)
    for url in dict.fromkeys(normalise_repository_url(u) for u in urls if u.strip()):
        forge = forge_among(url, chosen=chosen or "", hosts=hosts)
        if not any(same_repository(url, forge, other, other_forge, hosts) for other, other_forge in wanted):
            wanted.append((url, forge))
    current = list(project.repositories.all())
    matched: dict[str, Repository] = {}
    for url, forge in wanted:
        for repository in current:
            if repository.pk not in {r.pk for r in matched.values()} and same_repository(
                url, forge, repository.url, repository.forge, hosts
            ):
                matched[url] = repository
                break
    changed: dict[str, list] = {}
    old_urls = sorted(r.url for r in current)
    new_urls = [url for url, _ in wanted]
    if sorted(new_urls) != old_urls:
        changed["repositories"] = [", ".join(old_urls), ", ".join(new_urls)]
    kept = {r.pk for r in matched.values()}
    gone = [r.pk for r in current if r.pk not in kept]
    if gone:
        Repository.objects.filter(pk__in=gone).delete()
    old_forges, new_forges = [], []
    for url, forge in wanted:
        kept_repository = matched.get(url)
        if kept_repository is None:
            # Another project's repository stays theirs: the views refuse it as a duplicate before.
            if repository_by_url(url, forge=forge) is None:
                Repository.objects.get_or_create(url=url, defaults={"project": project, "forge": forge})
            continue
        update = {}
        if kept_repository.url != url and not Repository.objects.filter(url=url).exists():
            update["url"] = url
        if chosen is not None and kept_repository.forge != forge:
            old_forges.append(f"{url} {kept_repository.forge}")
            new_forges.append(f"{url} {forge}")
            update["forge"] = forge
        if update:
            Repository.objects.filter(pk=kept_repository.pk).update(**update)
    if new_forges:
        changed["forges"] = [", ".join(old_forges), ", ".join(new_forges)]
    return changed


def program_office_members() -> list[User]:
    return list(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=settings.PROGRAM_OFFICE_GROUP), is_active=True
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def project_register(*, user: User, fields: ProjectFields) -> Project:
    """A starter proposes a project; it waits in the program office's review queue."""
    project = Project(slug=unique_slug(name=fields.name), created_by=user, review_status=ReviewStatus.PENDING)
    for name in SIMPLE_FIELDS:
        setattr(project, name, getattr(fields, name))
    project.save()
    ProjectRole.objects.create(project=project, user=user, role=ProjectRole.Role.OWNER)
    _apply_fields(project=project, fields=fields)
    ProjectChange.objects.create(project=project, actor=user, action=ProjectChange.Action.REGISTERED)
    queue_url = reverse("catalog:review_queue")
    for reviewer in program_office_members():
        notification_send(user=reviewer, message=f"New registration to review: {project.name}", url=queue_url)
    return project


@transaction.atomic
def project_update(*, project: Project, user: User, fields: ProjectFields) -> Project:
    """An owner, maintainer or the program office edits a project; a sent-back registration is resubmitted."""
    changed = _apply_fields(project=project, fields=fields)
    action = ProjectChange.Action.EDITED
    if project.review_status == ReviewStatus.CHANGES_REQUESTED and not is_program_office(user):
        project.review_status = ReviewStatus.PENDING
        project.save(update_fields=["review_status", "updated_at"])
        action = ProjectChange.Action.RESUBMITTED
    if changed or action == ProjectChange.Action.RESUBMITTED:
        ProjectChange.objects.create(project=project, actor=user, action=action, changed_fields=changed)
    if "lifecycle" in changed:
        consumer_notices_for_lifecycle(project=project)
    entries_rebuild(project_ids=[project.pk])
    return project


def project_score_refresh(*, project: Project, now: datetime) -> Project:
    """Recompute the stored activity score from the project's repositories (the most active one counts)."""
    best: tuple[int, list] | None = None
    has_guidelines = bool(project.contributing_url)
    for repository in project.repositories.all():
        mapping = repository_mapping(
            stars=repository.stars,
            forks=repository.forks,
            watchers=repository.watchers,
            open_issues=repository.open_issues,
            created_at=repository.forge_created_at or project.created_at,
            updated_at=repository.forge_updated_at or project.updated_at,
            description=repository.description or project.description,
            participation=repository.participation,
            has_guidelines=has_guidelines or "CONTRIBUTING" in repository.files_present,
            motivation=project.motivation,
        )
        scored = activity_score_explained(mapping, now=now)
        # The most active repository counts.
        if best is None or scored[0] >= best[0]:
            best = scored
    best = best or (0, [])
    if (project.activity_score, project.activity_score_explanation) != best:
        Project.objects.filter(pk=project.pk).update(
            activity_score=best[0], activity_score_explanation=best[1]
        )
        project.activity_score, project.activity_score_explanation = best
        entries_rebuild(project_ids=[project.pk])
    return project
