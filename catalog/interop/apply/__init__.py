"""Write imported entries: match each to a project, keep curators' edits, report per entry.

Everything happens in one transaction: an entry that cannot be written raises ImportFormatError naming
it and nothing is kept; a dry run does all the work and rolls it back, so its report is exact.
"""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.interop.apply.entries import EntryWriter
from catalog.interop.apply.lookups import CHUNK, chunks
from catalog.interop.records import BusinessUnitRef, ImportEntry, Source
from catalog.interop.report import EntryResult, ImportReport
from catalog.models import Asset, ImportedEntry, Project, ProjectRelation
from catalog.search_index import entries_rebuild
from catalog.services import adoption_create, project_score_refresh


class _Importer(EntryWriter):
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
        for chunk in chunks(sorted(targets)):
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
        for chunk in chunks(asset_ids):
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
        for chunk in chunks(ids):
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
