"""Write imported entries: match each to a project, keep curators' edits, report per entry.

Everything happens in one transaction: an entry that cannot be written raises ImportFormatError naming
it and nothing is kept; a dry run does all the work and rolls it back, so its report is exact.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from catalog.interop.records import (
    REPOSITORY_STATS,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    PersonRef,
    Source,
)
from catalog.interop.report import EntryResult, ImportReport
from catalog.models import (
    BusinessUnit,
    ImportedEntry,
    Language,
    Project,
    ProjectChange,
    ProjectRole,
    Repository,
    ReviewStatus,
    Topic,
)
from catalog.search_index import entries_rebuild
from catalog.services import project_score_refresh, unique_slug

MISSING = object()
CHUNK = 500


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _same(name: str, a, b) -> bool:
    if name in ("topics", "languages"):
        return sorted(x.casefold() for x in a or []) == sorted(x.casefold() for x in b or [])
    return a == b


def _current(project: Project, name: str):
    if name in ("topics", "languages"):
        return [o.name for o in getattr(project, name).all()]
    if name == "business_unit":
        return project.business_unit.slug
    return getattr(project, name)


class _Importer:
    def __init__(self, *, entries, overwrite, business_unit, actor, now, progress):
        self.entries: list[ImportEntry] = entries
        self.overwrite = overwrite
        self.default_unit_slug = business_unit
        self.actor = actor
        self.now = now
        self.progress = progress
        self.touched: set[int] = set()
        self.claimed: dict[int, str] = {}  # project id → label of the entry that wrote its fields
        self.units: dict[str, BusinessUnit] = {}
        self.vocabulary: dict[type, dict[str, object]] = {}

    # ----- lookups, done once for the whole import -----
    def load(self) -> None:
        keys = [(e.source, e.key) for e in self.entries if e.kind == "project"]
        self.imported: dict[tuple[str, str], ImportedEntry] = {}
        for source in {s for s, _ in keys}:
            for chunk in _chunks([k for s, k in keys if s == source]):
                for row in ImportedEntry.objects.filter(source=source, external_key__in=chunk).select_related(
                    "project"
                ):
                    self.imported[(row.source, row.external_key)] = row
        urls = [r.url for e in self.entries for r in e.repositories]
        self.repositories: dict[str, Repository] = {}
        for chunk in _chunks(urls):
            self.repositories.update((r.url, r) for r in Repository.objects.filter(url__in=chunk))
        for unit in BusinessUnit.objects.all():
            self.units[unit.slug] = unit
            self.units.setdefault(f"name:{unit.name.casefold()}", unit)
        for model in (Topic, Language):
            self.vocabulary[model] = {o.name.casefold(): o for o in model.objects.all()}

    def unit(self, ref: BusinessUnitRef, *, create: bool) -> BusinessUnit | None:
        found = self.units.get(ref.slug) or self.units.get(f"name:{ref.name.casefold()}")
        if found or not create:
            return found
        unit = BusinessUnit.objects.create(slug=ref.slug, name=ref.name)
        self.units[unit.slug] = self.units[f"name:{unit.name.casefold()}"] = unit
        return unit

    def named(self, model, names: list[str]) -> list:
        cache = self.vocabulary[model]
        objects = []
        for name in names:
            if name.casefold() not in cache:
                cache[name.casefold()] = model.objects.create(name=name)
            objects.append(cache[name.casefold()])
        return objects

    def person(self, ref: PersonRef):
        users = get_user_model().objects.filter(is_active=True)
        if ref.email:
            user = users.filter(email__iexact=ref.email).order_by("pk").first()
            if user:
                return user
        return users.filter(username__iexact=ref.username).order_by("pk").first()

    # ----- one entry -----
    def run(self) -> ImportReport:
        self.load()
        default_unit = None
        if self.default_unit_slug:
            default_unit = self.unit(
                BusinessUnitRef(slug=self.default_unit_slug, name=self.default_unit_slug), create=True
            )
        results: dict[int, EntryResult] = {}
        # Business units first, so that a project owned by a group of the same file finds it made.
        ordered = sorted(enumerate(self.entries), key=lambda pair: pair[1].kind != "business_unit")
        for number, (position, entry) in enumerate(ordered, start=1):
            result = self.entry_result(entry, default_unit=default_unit)
            result.notes = [*result.notes, *entry.notes]
            results[position] = result
            if self.progress:
                self.progress(number, len(self.entries))
        report = ImportReport(results=[results[i] for i in range(len(self.entries))])
        for project in Project.objects.filter(pk__in=self.touched).prefetch_related("repositories"):
            project_score_refresh(project=project, now=self.now)
        entries_rebuild(project_ids=sorted(self.touched))
        return report

    def entry_result(self, entry: ImportEntry, *, default_unit) -> EntryResult:
        if entry.kind == "project":
            return self.project_entry(entry, default_unit=default_unit)
        if entry.kind == "business_unit":
            existed = self.unit(entry.business_unit, create=False)
            unit = existed or self.unit(entry.business_unit, create=True)
            return EntryResult(entry.label, "unchanged" if existed else "created", project=unit.name)
        if entry.kind == "person":
            ref = entry.owners[0]
            user = self.person(ref)
            if user:
                return EntryResult(entry.label, "unchanged", [f"matches the portal user {user.username}"])
            reason = (
                f"no portal account with the e-mail {ref.email or '–'} or the username {ref.username}; "
                "the organisation import (import_directory FILE --format backstage) records people "
                "without an account, with their business unit"
            )
            return EntryResult(entry.label, "skipped", [reason])
        return EntryResult(entry.label, "skipped", [entry.skip_reason])

    def match(self, entry: ImportEntry) -> Project | None:
        record = self.imported.get((entry.source, entry.key))
        project = record.project if record else None
        owners = {
            self.repositories[r.url].project_id for r in entry.repositories if r.url in self.repositories
        }
        if project is None and len(owners) > 1:
            names = ", ".join(sorted(Project.objects.filter(pk__in=owners).values_list("name", flat=True)))
            raise ImportFormatError(
                f"{entry.label}: its repositories belong to different projects ({names})."
            )
        if project is None and owners:
            project = Project.objects.get(pk=owners.pop())
        if project is None and entry.slug:
            project = Project.objects.filter(slug=entry.slug).first()
        if project is not None:
            stray = owners - {project.pk}
            if stray:
                other = Project.objects.get(pk=stray.pop())
                raise ImportFormatError(
                    f"{entry.label}: a repository of it belongs to another project, {other.name} ({other.slug})."
                )
        return project

    def project_entry(self, entry: ImportEntry, *, default_unit) -> EntryResult:
        project = self.match(entry)
        if project is not None and project.merged_into_id:
            return EntryResult(
                entry.label,
                "skipped",
                [f"{project.name} was merged into another project"],
                project=project.slug,
            )
        result = EntryResult(entry.label, "unchanged")
        record = self.imported.get((entry.source, entry.key))
        last = dict(record.imported_values) if record else {}
        creating = project is None
        if not creating and project.pk in self.claimed:
            # Two entries for one project (one per repository): the first one describes it.
            incoming: dict = {}
            result.notes.append(f"the project's description comes from {self.claimed[project.pk]}")
        else:
            incoming = dict(entry.fields)
            unit = self.entry_unit(entry, project=project, default_unit=default_unit, result=result)
            if unit is not None:
                incoming["business_unit"] = unit.slug
        if creating:
            project = Project(
                slug=self.free_slug(entry),
                business_unit=unit,
                lifecycle=entry.default_lifecycle,
                review_status=ReviewStatus.APPROVED,
                created_by=self.actor,
                name=incoming["name"],
                # A file without a description (an innersource.json) describes it by its motivation.
                description=incoming.get("description")
                or incoming.get("motivation", "")[:299]
                or incoming["name"],
            )
            result.outcome = "created"
        changed: dict[str, list] = {}
        writes: dict[str, object] = {}
        for name, value in incoming.items():
            if creating:
                writes[name] = last[name] = value
                continue
            current = _current(project, name)
            if _same(name, value, current):
                last[name] = value
                continue
            before = last.get(name, MISSING)
            edited = before is not MISSING and not _same(name, current, before)
            portal_value = before is MISSING and current not in ("", [], None)
            if self.overwrite or not (edited or portal_value):
                writes[name] = last[name] = value
                changed[name] = [_shown(current), _shown(value)]
            elif edited or value not in ("", []):
                result.notes.append(f"kept curator's edit of {name}")
        if creating or writes:
            for name, value in writes.items():
                if name == "business_unit":
                    project.business_unit = self.units[value]
                elif name not in ("topics", "languages"):
                    setattr(project, name, value)
            project.save()
            for name, model in (("topics", Topic), ("languages", Language)):
                if name in writes:
                    getattr(project, name).set(self.named(model, writes[name]))
        self.claimed.setdefault(project.pk, entry.label)
        repo_changes = self.write_repositories(entry, project=project, result=result)
        owner_changes = self.add_owners(entry, project=project, result=result)
        if repo_changes:
            changed["repositories"] = repo_changes
        if owner_changes:
            changed["owners"] = ["", ", ".join(owner_changes)]
        if not creating and changed:
            result.outcome = "updated"
        result.changed = list(changed) if not creating else []
        result.project = project.slug
        if creating or changed:
            ProjectChange.objects.create(
                project=project,
                actor=self.actor,
                action=ProjectChange.Action.IMPORTED,
                note=f"{'created' if creating else 'updated'} by an import ({entry.source}: {entry.key})",
                changed_fields=changed,
            )
            self.touched.add(project.pk)
        self.remember(entry, project=project, record=record, values=last)
        return result

    def entry_unit(
        self, entry: ImportEntry, *, project: Project | None, default_unit, result: EntryResult
    ) -> BusinessUnit | None:
        """The business unit the file gives the project; None keeps an existing project's own."""
        ref = entry.business_unit
        if default_unit and entry.source == Source.SAP:
            return default_unit
        if ref is not None:
            found = self.unit(ref, create=False)
            if found:
                return found
            if ref.declared or default_unit is None:
                result.notes.append(f"new business unit {ref.name}")
                return self.unit(ref, create=True)
            result.notes.append(
                f"owner group {ref.name} is no business unit here: put in {default_unit.name}"
            )
            return default_unit
        if project is not None:
            return None
        if default_unit is not None:
            return default_unit
        raise ImportFormatError(
            f"{entry.label}: no business unit: the file names none for it; "
            "choose a default business unit (--business-unit)."
        )

    def free_slug(self, entry: ImportEntry) -> str:
        if entry.slug and not Project.objects.filter(slug=entry.slug).exists():
            return entry.slug
        return unique_slug(name=entry.fields["name"])

    def write_repositories(self, entry: ImportEntry, *, project: Project, result: EntryResult) -> list[str]:
        changes = []
        for data in entry.repositories:
            repository = self.repositories.get(data.url)
            if repository is None:
                repository = Repository.objects.create(
                    project=project, forge=data.forge, url=data.url, **data.stats
                )
                self.repositories[data.url] = repository
                changes.append(f"+{data.url}")
                continue
            if not data.stats:
                continue
            if repository.last_synced_at and not self.overwrite:
                result.notes.append(f"kept the synced statistics of {data.url}")
                continue
            differing = [k for k in REPOSITORY_STATS if not _same(k, getattr(repository, k), data.stats[k])]
            if differing:
                for name in differing:
                    setattr(repository, name, data.stats[name])
                repository.save(update_fields=differing)
                changes.append(f"{data.url}: {', '.join(differing)}")
        return changes

    def add_owners(self, entry: ImportEntry, *, project: Project, result: EntryResult) -> list[str]:
        added = []
        for ref in entry.owners:
            user = self.person(ref)
            if user is None:
                result.notes.append(f"owner user:{ref.username} has no portal account: not added")
                continue
            _, created = ProjectRole.objects.get_or_create(
                project=project, user=user, role=ProjectRole.Role.OWNER
            )
            if created:
                added.append(user.username)
        return added

    def remember(self, entry: ImportEntry, *, project: Project, record, values: dict) -> None:
        if record is None:
            ImportedEntry.objects.create(
                source=entry.source,
                external_key=entry.key,
                project=project,
                imported_values=values,
                created_at=self.now,
                updated_at=self.now,
            )
        elif record.imported_values != values or record.project_id != project.pk:
            record.imported_values, record.project, record.updated_at = values, project, self.now
            record.save(update_fields=["imported_values", "project", "updated_at"])


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def catalog_import(
    *,
    entries: list[ImportEntry],
    overwrite: bool = False,
    dry_run: bool = False,
    business_unit: str = "",
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write the entries (or, with ``dry_run``, say what writing them would do, and write nothing)."""
    importer = _Importer(
        entries=entries,
        overwrite=overwrite,
        business_unit=business_unit,
        actor=actor,
        now=now or timezone.now(),
        progress=progress,
    )
    with transaction.atomic():
        report = importer.run()
        report.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return report
