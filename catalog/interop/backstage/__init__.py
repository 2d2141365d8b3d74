"""Backstage ``catalog-info.yaml`` files: multi-document YAML with Component, API, Resource, System,
Group, User (and Location) entities, validated with Backstage's own naming rules.

The import across entities is here (groups and users first, for owners in any file; which project hosts
an API; names told apart); entities.py reads and checks the entities, projects.py what one says of its
project."""

from collections import defaultdict

from catalog.descriptors import PROJECT_KINDS
from catalog.interop.backstage.entities import Entity, Owners, documents, entity_of
from catalog.interop.backstage.projects import project_read
from catalog.interop.records import ImportEntry, ImportFormatError, Source
from catalog.models import ProjectRelation

# When names collide, the entity of the first kind here keeps the plain name.
NAME_PRIORITY = {"Component": 0, "System": 1, "Resource": 2, "API": 3}


def parse_backstage(files: list[tuple[str, bytes | str]]) -> list[ImportEntry]:
    """Every entity of every file becomes one entry, in file order; owners refer across files."""
    entities = []
    owners = Owners()
    seen: dict[str, str] = {}
    for label, document in documents(files):
        entity = entity_of(label, document)
        if entity.ref in seen:
            raise ImportFormatError(
                f"{entity.label}: the entity {entity.ref} is already defined by {seen[entity.ref]}."
            )
        seen[entity.ref] = entity.label
        owners.add(entity)
        entities.append(entity)

    entries = []
    projects: list[tuple[ImportEntry, Entity]] = []
    for index, entity in enumerate(entities, start=1):
        entry = ImportEntry(index=index, label=entity.label, source=Source.BACKSTAGE, key=entity.ref)
        kind = entity.kind
        if kind == "Group":
            entry.kind, entry.business_unit = "business_unit", owners.groups[entity.key]
        elif kind == "User":
            entry.kind, entry.owners = "person", [owners.users[entity.key][0]]
        elif kind == "Location":
            entry.kind, entry.skip_reason = "skipped", "a Location only points to other files: import those"
        elif kind not in PROJECT_KINDS:
            entry.kind, entry.skip_reason = "skipped", f"{kind} entities are not imported"
        else:
            project_read(entry, entity, owners=owners)
            projects.append((entry, entity))
        entries.append(entry)
    _hosts(projects)
    _distinct_names(projects)
    return entries


def _hosts(projects: list[tuple[ImportEntry, Entity]]) -> None:
    """An API is offered by its system's project, else by the project of a component that provides it:
    the candidates this import holds, in that order (the importer also asks the catalog)."""
    providers: dict[str, list[str]] = defaultdict(list)
    for entry, _ in projects:
        for relation in entry.relations:
            if relation.kind == ProjectRelation.Kind.PROVIDES_API:
                providers[relation.target_ref].append(entry.key)
    for entry, entity in projects:
        if entity.kind != "API":
            continue
        entry.hostable = True
        entry.hosts = [
            (r.target_ref, "its system") for r in entry.relations if r.target_ref.startswith("system:")
        ]
        entry.hosts += [(provider, "which provides it") for provider in providers[entry.key]]


def _distinct_names(projects: list[tuple[ImportEntry, Entity]]) -> None:
    """Entities whose names collide become projects with names told apart by kind (“petstore (API)”),
    else by namespace, else by the entity's own name; a Component keeps the plain name."""
    same: dict[str, list[tuple[ImportEntry, Entity]]] = defaultdict(list)
    for project in projects:
        same[project[0].fields["name"].casefold()].append(project)
    for group in same.values():
        if len(group) < 2:
            continue
        group.sort(
            key=lambda p: (NAME_PRIORITY.get(p[1].kind, 9), p[1].namespace.lower() != "default", p[0].index)
        )
        first = group[0][1]
        for entry, entity in group[1:]:
            parts = [entity.kind] if entity.kind != first.kind else []
            parts += [entity.namespace.lower()] if entity.namespace.lower() != first.namespace.lower() else []
            suffix = f" ({', '.join(parts or [entity.name])})"
            entry.fields["name"] = entry.fields["name"][: 120 - len(suffix)].rstrip() + suffix
