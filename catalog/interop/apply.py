"""Write imported entries: match each to a project, keep curators' edits, report per entry.

Everything happens in one transaction: an entry that cannot be written raises ImportFormatError naming
it and nothing is kept; a dry run does all the work and rolls it back, so its report is exact.
"""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.interop.records import (
    REPOSITORY_STATS,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    PersonRef,
    RepositoryData,
    Source,
)
from catalog.interop.report import EntryResult, ImportReport
from catalog.models import (
    Asset,
    BusinessUnit,
    ImportedEntry,
    Language,
    Project,
    ProjectChange,
    ProjectLink,
    ProjectRelation,
    ProjectRole,
    Repository,
    ReviewStatus,
    Topic,
)
from catalog.repositories import normalise_repository_url, repositories_by_url
from catalog.search_index import entries_rebuild

# _asset_slug is the one rule for an asset's slug within its project (the asset form uses it too).
from catalog.services import _asset_slug, adoption_create, project_score_refresh, unique_slug

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
        # Entity reference → the project (and asset) this import wrote for it.
        self.written: dict[str, tuple[Project, Asset | None]] = {}
        # Entries written, remembered once adoptions and relations are settled: (entry, project, record,
        # last imported values, result, hosted).
        self.pending: list[tuple[ImportEntry, Project, ImportedEntry | None, dict, EntryResult, bool]] = []

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
        # The stored repositories the file names, by the one rule of what is the same repository (a
        # GitHub URL in another case is the same one; catalog.repositories.repositories_by_url).
        by_forge: dict[str, list[str]] = {}
        for entry in self.entries:
            for record in entry.repositories:
                by_forge.setdefault(record.forge or "", []).append(record.url)
        self.repositories: dict[str, Repository] = {}
        for forge, urls in by_forge.items():
            found = repositories_by_url(urls=urls, forge=forge)
            for url in urls:
                if matches := found.get(normalise_repository_url(url)):
                    self.repositories[url] = matches[0]
        for unit in BusinessUnit.objects.all():
            self.units[unit.slug] = unit
            self.units.setdefault(f"name:{unit.name.casefold()}", unit)
        for model in (Topic, Language):
            self.vocabulary[model] = {o.name.casefold(): o for o in model.objects.all()}
        # What earlier imports wrote for the entities this import names (relation targets, API hosts),
        # and the projects that declared providing one of this import's APIs.
        named = {(e.source, ref) for e in self.entries for ref, _ in e.hosts}
        named |= {(e.source, r.target_ref) for e in self.entries for r in e.relations}
        self.known: dict[tuple[str, str], ImportedEntry] = dict(self.imported)
        for source in {s for s, _ in named}:
            for chunk in _chunks(sorted(k for s, k in named if s == source)):
                for row in ImportedEntry.objects.filter(source=source, external_key__in=chunk).select_related(
                    "project"
                ):
                    self.known[(row.source, row.external_key)] = row
        self.providers: dict[str, Project] = {}
        apis = [e.key for e in self.entries if e.hostable]
        for chunk in _chunks(apis):
            for relation in (
                ProjectRelation.objects.filter(kind=ProjectRelation.Kind.PROVIDES_API, target_ref__in=chunk)
                .select_related("project")
                .order_by("-pk")
            ):
                self.providers[relation.target_ref] = relation.project  # the earliest declared wins

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
            # Only a verified address names its owner (allauth's EmailAddress), as everywhere roles follow.
            user = (
                users.filter(emailaddress__verified=True, emailaddress__email__iexact=ref.email)
                .order_by("pk")
                .first()
            )
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
        # Business units first, so that a project owned by a group of the same file finds it made; then
        # projects; last the entries that may become an asset of one of those projects (APIs).
        ordered = sorted(
            enumerate(self.entries), key=lambda pair: (pair[1].kind != "business_unit", pair[1].hostable)
        )
        for number, (position, entry) in enumerate(ordered, start=1):
            result = self.entry_result(entry, default_unit=default_unit)
            result.notes = [*result.notes, *entry.notes]
            results[position] = result
            if self.progress:
                self.progress(number, len(self.entries))
        self.finish()
        report = ImportReport(results=[results[i] for i in range(len(self.entries))])
        for project in Project.objects.filter(pk__in=self.touched).prefetch_related("repositories"):
            project_score_refresh(project=project, now=self.now)
        entries_rebuild(project_ids=sorted(self.touched))
        return report

    def entry_result(self, entry: ImportEntry, *, default_unit) -> EntryResult:
        if entry.kind == "project" and entry.hostable:
            hosted = self.hosted_entry(entry)
            if hosted is not None:
                return hosted
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
            if "lifecycle" not in incoming and entry.no_lifecycle_note:
                result.notes.append(entry.no_lifecycle_note)
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
        repo_changes = self.write_repositories(entry.repositories, project=project, result=result)
        owner_changes = self.add_owners(entry, project=project, result=result)
        if repo_changes:
            changed["repositories"] = repo_changes
        if owner_changes:
            changed["owners"] = ["", ", ".join(owner_changes)]
        asset = self.write_what_users_wrote(entry, project=project, last=last, result=result, changed=changed)
        self.written[entry.key] = (project, asset)
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
        self.pending.append((entry, project, record, last, result, False))
        return result

    # ----- an entity that another project offers as an asset (a Backstage API) -----
    def candidate(self, entry: ImportEntry, ref: str) -> Project | None:
        """The project an entity named as a host became, in this import or an earlier one."""
        if ref in self.written:
            return self.written[ref][0]
        row = self.known.get((entry.source, ref))
        if row is not None and not row.imported_values.get("hosted") and not row.project.merged_into_id:
            return row.project
        return None

    def host_of(self, entry: ImportEntry) -> tuple[Project | None, str]:
        """The project that offers this entry as an asset, and why: a candidate the file names (its
        system, a component providing it), else a project whose entity declared providing it in an
        earlier import."""
        for ref, why in entry.hosts:
            project = self.candidate(entry, ref)
            if project is not None:
                return project, why
        provider = self.providers.get(entry.key)
        if provider is not None and not provider.merged_into_id:
            return provider, "which provides it"
        return None, ""

    def hosted_entry(self, entry: ImportEntry) -> EntryResult | None:
        """Write the entry as an asset of another project; None when no project offers it, and it becomes
        a project of its own. Once recorded either way, it stays so on later imports."""
        record = self.imported.get((entry.source, entry.key))
        if record is not None:
            if not record.imported_values.get("hosted"):
                return None
            host, why = record.project, ""
            if host.merged_into_id:
                return EntryResult(
                    entry.label,
                    "skipped",
                    [f"{host.name} was merged into another project"],
                    project=host.slug,
                )
        else:
            host, why = self.host_of(entry)
            if host is None:
                return None
        result = EntryResult(entry.label, "created" if record is None else "unchanged", project=host.slug)
        result.notes.append(f"an asset of {host.name}" + (f" ({why})" if why else ""))
        last = dict(record.imported_values) if record else {"hosted": True}
        changed: dict[str, list] = {}
        repositories = []
        for data in entry.repositories:
            existing = self.repositories.get(data.url)
            if existing is not None and existing.project_id != host.pk:
                result.notes.append(f"the repository {data.url} belongs to another project: not moved")
            else:
                repositories.append(data)
        repo_changes = self.write_repositories(repositories, project=host, result=result)
        if repo_changes:
            changed["repositories"] = repo_changes
        for ref in entry.owners:
            result.notes.append(f"owner user:{ref.username} is not made an owner of {host.name}")
        # "Part of" the system that offers it goes without saying on that system's page.
        host_refs = {ref for ref, _ in entry.hosts if (p := self.candidate(entry, ref)) and p.pk == host.pk}
        asset = self.write_what_users_wrote(
            entry, project=host, last=last, result=result, changed=changed, hosted=True, skip=host_refs
        )
        self.written[entry.key] = (host, asset)
        if record is not None and changed:
            result.outcome = "updated"
            result.changed = list(changed)
        if record is None or changed:
            ProjectChange.objects.create(
                project=host,
                actor=self.actor,
                action=ProjectChange.Action.IMPORTED,
                note=f"{'added' if record is None else 'updated'} by an import ({entry.source}: {entry.key})",
                changed_fields=changed,
            )
            self.touched.add(host.pk)
        self.pending.append((entry, host, record, last, result, True))
        return result

    # ----- links, relations and the asset an entity offers -----
    def write_what_users_wrote(
        self,
        entry: ImportEntry,
        *,
        project: Project,
        last: dict,
        result: EntryResult,
        changed: dict,
        hosted: bool = False,
        skip: set[str] | frozenset[str] = frozenset(),
    ) -> Asset | None:
        asset, asset_changes = self.write_asset(entry, project=project, last=last, result=result)
        if asset_changes:
            changed["asset"] = ["", "; ".join(asset_changes)]
        links = [link.row() for link in entry.links]
        # (An entry that never had links or relations, as every SAP or innersource.json one, asks nothing.)
        current = (
            [
                [link.url, link.title, link.icon, link.type]
                for link in project.links.filter(source_ref=entry.key).order_by("position", "pk")
            ]
            if links or "links" in last
            else []
        )
        if self.replaces("links", incoming=links, current=current, last=last, result=result):
            project.links.filter(source_ref=entry.key).delete()
            ProjectLink.objects.bulk_create(
                ProjectLink(
                    project=project,
                    # The links of an entity that became an asset are about that asset.
                    asset=asset if hosted else None,
                    source_ref=entry.key,
                    url=url,
                    title=title,
                    icon=icon,
                    type=kind,
                    position=position,
                )
                for position, (url, title, icon, kind) in enumerate(links)
            )
            changed["links"] = [f"{len(current)} links", f"{len(links)} links"]
        relations = [r.row() for r in entry.relations if r.target_ref not in skip]
        current = (
            [
                [r.kind, r.target_ref]
                for r in project.relations.filter(source_ref=entry.key).order_by("position", "pk")
            ]
            if relations or "relations" in last
            else []
        )
        if self.replaces("relations", incoming=relations, current=current, last=last, result=result):
            project.relations.filter(source_ref=entry.key).delete()
            # Where each target is in the catalog is settled once every entry is written (finish).
            ProjectRelation.objects.bulk_create(
                ProjectRelation(
                    project=project, source_ref=entry.key, kind=kind, target_ref=ref, position=position
                )
                for position, (kind, ref) in enumerate(relations)
            )
            changed["relations"] = [f"{len(current)} relations", f"{len(relations)} relations"]
        return asset

    def replaces(self, name: str, *, incoming: list, current: list, last: dict, result: EntryResult) -> bool:
        """Whether the file's rows replace the ones the project has: as for a field, rows a curator
        changed since the last import (in the admin) are kept unless told to overwrite."""
        if incoming == current:
            if incoming or name in last:
                last[name] = incoming
            return False
        before = last.get(name, MISSING)
        edited = current != (before if before is not MISSING else [])
        if self.overwrite or not edited:
            last[name] = incoming
            return True
        result.notes.append(f"kept curator's edit of {name}")
        return False

    def asset_name(self, entry: ImportEntry, *, project: Project, exclude: int | None = None) -> str:
        """The asset's name, told apart from another asset of the project with the same name."""
        data = entry.asset
        name = data.name[:120]
        if project.assets.exclude(pk=exclude).filter(name__iexact=name).exists():
            suffix = f" ({data.qualifier})"
            name = name[: 120 - len(suffix)].rstrip() + suffix
        return name

    def write_asset(
        self, entry: ImportEntry, *, project: Project, last: dict, result: EntryResult
    ) -> tuple[Asset | None, list[str]]:
        data = entry.asset
        if data is None:
            return None, []
        recorded = dict(last.get("asset") or {})  # a copy: the record's values are compared when saved
        asset = None
        if recorded:
            asset = project.assets.filter(pk=recorded["id"]).first()
            if asset is None and not self.overwrite:
                result.notes.append(f"the asset {recorded['name']} was removed in the portal: not made again")
                return None, []
        incoming = {
            "name": self.asset_name(entry, project=project, exclude=asset.pk if asset else None),
            "kind": data.kind,
            "description": data.description[:300],
            "url": data.url,
        }
        if asset is None:
            asset = Asset.objects.create(
                project=project, slug=_asset_slug(project=project, name=incoming["name"]), **incoming
            )
            asset.topics.set(self.named(Topic, data.topics))
            last["asset"] = {"id": asset.pk, **incoming}
            return asset, [f"+{asset.name}"]
        changes = []
        for name, value in incoming.items():
            current = getattr(asset, name)
            if current == value:
                recorded[name] = value
            elif self.overwrite or current == recorded.get(name):
                setattr(asset, name, value)
                recorded[name] = value
                changes.append(name)
            else:
                result.notes.append(f"kept curator's edit of the asset's {name}")
        if changes:
            asset.save(update_fields=[*changes, "updated_at"])
        last["asset"] = recorded
        return asset, [f"{asset.name}: {', '.join(changes)}"] if changes else []

    # ----- once every entry is written -----
    def finish(self) -> None:
        """Point relations at the catalog entries they name (those of this import, and those whose
        target this import brought), record consumed APIs as adoptions, and remember every entry."""
        # Only Backstage entities are named by relations.
        targets = {e.key for e, *_ in self.pending if e.source == Source.BACKSTAGE}
        targets |= {r.target_ref for e, *_ in self.pending for r in e.relations}
        resolved = self.resolve(targets)
        self.adopt(resolved)
        stale = []
        for chunk in _chunks(sorted(targets)):
            for relation in ProjectRelation.objects.filter(target_ref__in=chunk):
                target = resolved.get(relation.target_ref, (None, None))
                if (relation.target_project_id, relation.target_asset_id) != target:
                    relation.target_project_id, relation.target_asset_id = target
                    stale.append(relation)
        ProjectRelation.objects.bulk_update(stale, ["target_project", "target_asset"], batch_size=CHUNK)
        for entry, project, record, last, _, _ in self.pending:
            self.remember(entry, project=project, record=record, values=last)

    def resolve(self, refs: set[str]) -> dict[str, tuple[int, int | None]]:
        """Entity reference → (project id, asset id) of the catalog entry it names: the project an entity
        became, or for an API the asset it became."""
        found: dict[str, tuple[int, int | None]] = {}
        sources = {e.source for e, *_ in self.pending} or {Source.BACKSTAGE}
        for ref in refs:
            is_api = ref.startswith("api:")
            if ref in self.written:
                project, asset = self.written[ref]
                found[ref] = (project.pk, asset.pk if asset and is_api else None)
                continue
            row = next((self.known[(s, ref)] for s in sources if (s, ref) in self.known), None)
            if row is not None:
                asset_id = (row.imported_values.get("asset") or {}).get("id") if is_api else None
                found[ref] = (row.project_id, asset_id)
        asset_ids = [a for _, a in found.values() if a]
        owners: dict[int, int] = {}
        for chunk in _chunks(asset_ids):
            owners.update(Asset.objects.filter(pk__in=chunk).values_list("pk", "project_id"))
        # An asset removed since (or moved by a merge): the relation names its project, or nothing.
        return {ref: (owners[a], a) if a in owners else (p, None) for ref, (p, a) in found.items()}

    def adopt(self, resolved: dict[str, tuple[int, int | None]]) -> None:
        """A component that consumes an API the catalog holds uses its asset: an adoption by the
        component's team (its name) in its project's business unit, recorded once. An adoption the team
        ended since is not made again."""
        wanted = {
            r.target_ref
            for e, *_, hosted in self.pending
            if not hosted
            for r in e.relations
            if r.kind == ProjectRelation.Kind.CONSUMES_API
        }
        ids = [resolved[ref][1] for ref in wanted if ref in resolved and resolved[ref][1]]
        assets = {}
        for chunk in _chunks(ids):
            assets.update((a.pk, a) for a in Asset.objects.filter(pk__in=chunk).select_related("project"))
        for entry, project, _, last, result, hosted in self.pending:
            adopted = set(last.get("adoptions", []))
            new = []
            for relation in entry.relations:
                target = resolved.get(relation.target_ref, (None, None))[1]
                asset = assets.get(target)
                if hosted or relation.kind != ProjectRelation.Kind.CONSUMES_API or asset is None:
                    continue
                if asset.pk in adopted or asset.project_id == project.pk:
                    continue  # recorded already (and maybe ended since), or the project's own API
                try:
                    adoption_create(
                        asset=asset,
                        user=self.actor,
                        business_unit=project.business_unit,
                        team=entry.team,
                        since=self.now.date(),
                    )
                except ValidationError as error:
                    result.notes.append(
                        f"the use of {asset.name} is not recorded: {' '.join(error.messages)}"
                    )
                    continue
                adopted.add(asset.pk)
                new.append(asset.name)
            if new:
                last["adoptions"] = sorted(adopted)
                result.notes.append(f"{entry.team} uses {', '.join(new)}: recorded as an adoption")
                if result.outcome == "unchanged":
                    result.outcome = "updated"
                    result.changed = [*result.changed, "adoptions"]

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

    def write_repositories(
        self, repositories: list[RepositoryData], *, project: Project, result: EntryResult
    ) -> list[str]:
        changes = []
        for data in repositories:
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
