"""What an import looks up once for all its entries, and the state its writers share."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from catalog.interop.records import BusinessUnitRef, ImportEntry, PersonRef
from catalog.interop.report import EntryResult
from catalog.models import (
    Asset,
    BusinessUnit,
    ImportedEntry,
    Language,
    Project,
    ProjectRelation,
    Repository,
    Topic,
)
from catalog.repositories import normalise_repository_url, repositories_by_url

CHUNK = 500


def chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


class ImportLookups:
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

    def load(self) -> None:
        keys = [(e.source, e.key) for e in self.entries if e.kind == "project"]
        self.imported: dict[tuple[str, str], ImportedEntry] = {}
        for source in {s for s, _ in keys}:
            for chunk in chunks([k for s, k in keys if s == source]):
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
            for chunk in chunks(sorted(k for s, k in named if s == source)):
                for row in ImportedEntry.objects.filter(source=source, external_key__in=chunk).select_related(
                    "project"
                ):
                    self.known[(row.source, row.external_key)] = row
        self.providers: dict[str, Project] = {}
        apis = [e.key for e in self.entries if e.hostable]
        for chunk in chunks(apis):
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
