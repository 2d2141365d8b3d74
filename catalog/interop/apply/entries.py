"""One entry: matched to a project and written as it, or as an asset of another project."""

from catalog.interop.apply.contents import MISSING, ContentWriter, same_value
from catalog.interop.records import ImportEntry, ImportFormatError, Source
from catalog.interop.report import EntryResult
from catalog.models import BusinessUnit, Language, Project, ProjectChange, ReviewStatus, Topic
from catalog.services import consumer_notices_for_lifecycle, unique_slug


def _current(project: Project, name: str):
    if name in ("topics", "languages"):
        return [o.name for o in getattr(project, name).all()]
    if name == "business_unit":
        return project.business_unit.slug
    return getattr(project, name)


def _shown(value) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


class EntryWriter(ContentWriter):
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
            if same_value(name, value, current):
                last[name] = value
                continue
            before = last.get(name, MISSING)
            edited = before is not MISSING and not same_value(name, current, before)
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
            self.log_import(
                entry, project=project, done="created" if creating else "updated", changed=changed
            )
        if not creating and "lifecycle" in changed:
            consumer_notices_for_lifecycle(project=project)
        self.pending.append((entry, project, record, last, result, False))
        return result

    def log_import(self, entry: ImportEntry, *, project: Project, done: str, changed: dict) -> None:
        """Record on the project's history what the entry did to it, and mark it for re-scoring."""
        ProjectChange.objects.create(
            project=project,
            actor=self.actor,
            action=ProjectChange.Action.IMPORTED,
            note=f"{done} by an import ({entry.source}: {entry.key})",
            changed_fields=changed,
        )
        self.touched.add(project.pk)

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
            self.log_import(
                entry, project=host, done="added" if record is None else "updated", changed=changed
            )
        self.pending.append((entry, host, record, last, result, True))
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
