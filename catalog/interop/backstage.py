"""Backstage ``catalog-info.yaml`` files: multi-document YAML with Component, API, Resource, System,
Group, User (and Location) entities, validated with Backstage's own naming rules."""

import re
from collections import defaultdict

from django.utils.text import slugify

from catalog.descriptors import BACKSTAGE_LIFECYCLES, BACKSTAGE_NAME_RE, PROJECT_KINDS
from catalog.interop.records import (
    MAX_ENTRIES,
    AssetData,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    LinkData,
    PersonRef,
    RelationData,
    RepositoryData,
    Source,
    decode,
    is_url,
    load_yaml,
    mapping,
    text,
)
from catalog.models import AssetKind, Lifecycle, ProjectRelation
from catalog.repositories import forge_of, normalise_repository_url

# Backstage's isValidTag: lower-case words of [a-z0-9:+#] joined by single hyphens, at most 63 characters.
TAG_RE = re.compile(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$")
REPOSITORY_PATH_RE = re.compile(r"^https?://[^/]+/[^/]+/[^/]+")
NAME_RULE = "use letters, digits and single - _ . between them, at most 63 characters"
KIND_RE = re.compile(r"^[a-z][a-z0-9]*$")
MAIL_RE = re.compile(r"^mailto:[^\s@]+@[^\s@]+$")
MAX_LINK_URL = 2000

# spec.type → the kind of asset the entity offers. Backstage's well-known Component types are service,
# website and library; the others are types companies commonly add. A website is something people use
# rather than build on: a tool. A Resource offers data when it is a database; other infrastructure
# (buckets, clusters, queues) is no asset. Every API type (openapi, asyncapi, graphql, grpc, trpc…) is
# a service/API asset.
COMPONENT_ASSET_KINDS = {
    "service": AssetKind.SERVICE,
    "website": AssetKind.TOOL,
    "library": AssetKind.LIBRARY,
    "documentation": AssetKind.DOCUMENTATION,
    "template": AssetKind.TEMPLATE,
    "pipeline": AssetKind.PIPELINE,
    "dataset": AssetKind.DATASET,
    "model": AssetKind.MODEL,
    "tool": AssetKind.TOOL,
    "cli": AssetKind.TOOL,
}
RESOURCE_ASSET_KINDS = {"database": AssetKind.DATASET, "dataset": AssetKind.DATASET}

# Relation fields of an entity's spec: (relation, the kind a reference without one names).
Relation = ProjectRelation.Kind
RELATION_FIELDS = {
    "dependsOn": (Relation.DEPENDS_ON, "component"),
    "providesApis": (Relation.PROVIDES_API, "api"),
    "consumesApis": (Relation.CONSUMES_API, "api"),
    "system": (Relation.PART_OF, "system"),
    "domain": (Relation.PART_OF, "domain"),
    "subcomponentOf": (Relation.PART_OF, "component"),
}
# When names collide, the entity of the first kind here keeps the plain name.
NAME_PRIORITY = {"Component": 0, "System": 1, "Resource": 2, "API": 3}
NO_LIFECYCLE = f"no lifecycle in the file: left at {Lifecycle.PROPOSED.label} for the program office to set"


def _valid_name(value: str) -> bool:
    return 0 < len(value) <= 63 and bool(BACKSTAGE_NAME_RE.match(value))


def parse_ref(ref: str, *, default_kind: str, default_namespace: str = "default") -> tuple[str, str, str]:
    """``[kind:][namespace/]name`` as (kind, namespace, name), lower-cased as Backstage compares them."""
    kind, _, rest = ref.rpartition(":") if ":" in ref else ("", "", ref)
    namespace, _, name = rest.rpartition("/") if "/" in rest else ("", "", rest)
    return (kind or default_kind).lower(), (namespace or default_namespace).lower(), name.lower()


def _documents(files: list[tuple[str, bytes | str]]) -> list[tuple[str, dict]]:
    documents = []
    for name, data in files:
        position = 0
        for document in load_yaml(decode(data, name=name), name=name):
            if document is None:
                continue
            position += 1
            label = f"{name} document #{position}"
            if not isinstance(document, dict):
                raise ImportFormatError(f"{label}: a Backstage entity must be a mapping (apiVersion, kind…).")
            documents.append((label, document))
            if len(documents) > MAX_ENTRIES:
                raise ImportFormatError(f"{name}: more than {MAX_ENTRIES} entities.")
    return documents


def _validated(label: str, document: dict) -> tuple[str, dict, dict, str, str, str]:
    api_version = document.get("apiVersion")
    kind = document.get("kind")
    if not isinstance(api_version, str) or "/" not in api_version:
        raise ImportFormatError(f"{label}: “apiVersion” is missing (e.g. backstage.io/v1alpha1).")
    if not isinstance(kind, str) or not kind.strip():
        raise ImportFormatError(f"{label}: “kind” is missing.")
    metadata = mapping(document.get("metadata"), label=label, what="metadata")
    spec = mapping(document.get("spec"), label=label, what="spec")
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        raise ImportFormatError(f"{label} ({kind}): metadata.name is missing.")
    shown = name if metadata.get("namespace", "default") == "default" else f"{metadata['namespace']}/{name}"
    label = f"{label} ({kind} “{shown}”)"
    if not _valid_name(name):
        raise ImportFormatError(
            f"{label}: metadata.name “{name}” is not a valid Backstage name: {NAME_RULE}."
        )
    namespace = metadata.get("namespace", "default")
    if not isinstance(namespace, str) or not _valid_name(namespace):
        raise ImportFormatError(f"{label}: metadata.namespace “{namespace}” is not a valid Backstage name.")
    return label, metadata, spec, kind, name, namespace


def parse_backstage(files: list[tuple[str, bytes | str]]) -> list[ImportEntry]:
    """Every entity of every file becomes one entry, in file order; owners refer across files."""
    parsed = []
    groups: dict[tuple[str, str], BusinessUnitRef] = {}
    users: dict[tuple[str, str], tuple[PersonRef, list]] = {}
    seen: dict[str, str] = {}
    for label, document in _documents(files):
        label, metadata, spec, kind, name, namespace = _validated(label, document)
        ref = f"{kind.lower()}:{namespace.lower()}/{name.lower()}"
        if ref in seen:
            raise ImportFormatError(f"{label}: the entity {ref} is already defined by {seen[ref]}.")
        seen[ref] = label
        profile = mapping(spec.get("profile"), label=label, what="spec.profile")
        key = (namespace.lower(), name.lower())
        if kind == "Group":
            display = text(
                profile.get("displayName"), label=label, what="spec.profile.displayName", limit=120
            )
            groups[key] = BusinessUnitRef(slug=slugify(name)[:120], name=display or name)
        elif kind == "User":
            email = text(profile.get("email"), label=label, what="spec.profile.email")
            member_of = spec.get("memberOf") or []
            if not isinstance(member_of, list) or not all(isinstance(g, str) for g in member_of):
                raise ImportFormatError(f"{label}: spec.memberOf must be a list of group references.")
            users[key] = (PersonRef(username=name, email=email), member_of)
        parsed.append((label, metadata, spec, kind, name, namespace, ref))

    entries = []
    projects: list[tuple[ImportEntry, str, str, str]] = []
    for index, (label, metadata, spec, kind, name, namespace, ref) in enumerate(parsed, start=1):
        entry = ImportEntry(index=index, label=label, source=Source.BACKSTAGE, key=ref)
        key = (namespace.lower(), name.lower())
        if kind == "Group":
            entry.kind, entry.business_unit = "business_unit", groups[key]
        elif kind == "User":
            entry.kind, entry.owners = "person", [users[key][0]]
        elif kind == "Location":
            entry.kind, entry.skip_reason = "skipped", "a Location only points to other files: import those"
        elif kind not in PROJECT_KINDS:
            entry.kind, entry.skip_reason = "skipped", f"{kind} entities are not imported"
        else:
            _project(
                entry,
                kind=kind,
                metadata=metadata,
                spec=spec,
                namespace=namespace,
                groups=groups,
                users=users,
            )
            projects.append((entry, kind, namespace.lower(), name))
        entries.append(entry)
    _hosts(projects)
    _distinct_names(projects)
    return entries


def _hosts(projects: list[tuple[ImportEntry, str, str, str]]) -> None:
    """An API is offered by its system's project, else by the project of a component that provides it:
    the candidates this import holds, in that order (the importer also asks the catalog)."""
    providers: dict[str, list[str]] = defaultdict(list)
    for entry, _, _, _ in projects:
        for relation in entry.relations:
            if relation.kind == Relation.PROVIDES_API:
                providers[relation.target_ref].append(entry.key)
    for entry, kind, _, _ in projects:
        if kind != "API":
            continue
        entry.hostable = True
        entry.hosts = [
            (r.target_ref, "its system") for r in entry.relations if r.target_ref.startswith("system:")
        ]
        entry.hosts += [(provider, "which provides it") for provider in providers[entry.key]]


def _distinct_names(projects: list[tuple[ImportEntry, str, str, str]]) -> None:
    """Entities whose names collide become projects with names told apart by kind (“petstore (API)”),
    else by namespace, else by the entity's own name; a Component keeps the plain name."""
    same: dict[str, list[tuple[ImportEntry, str, str, str]]] = defaultdict(list)
    for project in projects:
        same[project[0].fields["name"].casefold()].append(project)
    for group in same.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda p: (NAME_PRIORITY.get(p[1], 9), p[2] != "default", p[0].index))
        _, first_kind, first_namespace, _ = group[0]
        for entry, kind, namespace, name in group[1:]:
            parts = [kind] if kind != first_kind else []
            parts += [namespace] if namespace != first_namespace else []
            suffix = f" ({', '.join(parts or [name])})"
            entry.fields["name"] = entry.fields["name"][: 120 - len(suffix)].rstrip() + suffix


def _owner(entry: ImportEntry, owner, *, namespace: str, groups: dict, users: dict) -> None:
    if owner is None:
        return
    if not isinstance(owner, str) or not owner.strip():
        raise ImportFormatError(
            f"{entry.label}: spec.owner must be an entity reference such as group:team-a."
        )
    kind, owner_namespace, owner_name = parse_ref(
        owner.strip(), default_kind="group", default_namespace=namespace
    )
    if not _valid_name(owner_name):
        raise ImportFormatError(f"{entry.label}: spec.owner “{owner}” is not a valid entity reference.")
    if kind == "group":
        entry.business_unit = groups.get((owner_namespace, owner_name)) or BusinessUnitRef(
            slug=slugify(owner_name)[:120], name=owner_name, declared=False
        )
    elif kind == "user":
        person, member_of = users.get((owner_namespace, owner_name), (PersonRef(username=owner_name), []))
        entry.owners.append(person)
        for group in member_of:
            _, group_namespace, group_name = parse_ref(
                group, default_kind="group", default_namespace=namespace
            )
            if (group_namespace, group_name) in groups:
                entry.business_unit = groups[(group_namespace, group_name)]
                break
    else:
        entry.notes.append(f"owner {owner} is neither a group nor a user: ignored")


def _references(entry: ImportEntry, spec: dict, *, namespace: str) -> None:
    """The relations the entity's spec declares, references completed and lower-cased as Backstage
    compares them, each once, in the file's order."""
    seen = set()
    for name, (relation, default_kind) in RELATION_FIELDS.items():
        values = spec.get(name)
        if values is None:
            continue
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list):
            raise ImportFormatError(
                f"{entry.label}: spec.{name} must be an entity reference or a list of them."
            )
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise ImportFormatError(
                    f"{entry.label}: spec.{name} must list entity references such as api:petstore."
                )
            kind, target_namespace, target = parse_ref(
                value.strip(), default_kind=default_kind, default_namespace=namespace
            )
            if not KIND_RE.match(kind) or not _valid_name(target) or not _valid_name(target_namespace):
                raise ImportFormatError(
                    f"{entry.label}: spec.{name} “{value}” is not a valid entity reference "
                    "([kind:][namespace/]name)."
                )
            ref = f"{kind}:{target_namespace}/{target}"
            if (relation, ref) not in seen and ref != entry.key:
                seen.add((relation, ref))
                entry.relations.append(RelationData(kind=relation, target_ref=ref))
    if spec.get("dependencyOf") is not None:
        entry.notes.append(
            "spec.dependencyOf is not kept: the portal keeps dependsOn on the entity that depends"
        )


def _links(entry: ImportEntry, links, *, urls: list[str]) -> None:
    """Every link is kept as written (web and mail addresses); a few also fill the project's docs,
    channel and contribution fields, or name its repositories."""
    label = entry.label
    if not isinstance(links, list):
        raise ImportFormatError(f"{label}: metadata.links must be a list.")
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            raise ImportFormatError(f"{label}: each of metadata.links needs a “url”.")
        url = link["url"].strip()
        title, icon, kind = (
            text(link.get(k), label=label, what=f"metadata.links {k}", limit=limit)
            for k, limit in (("title", 200), ("icon", 60), ("type", 60))
        )
        if not (is_url(url) or MAIL_RE.match(url)):
            entry.notes.append(
                f"the link “{title or url[:80]}” ({url[:80]}) is not a web or mail address: not kept"
            )
            continue
        if len(url) > MAX_LINK_URL:
            entry.notes.append(
                f"the link “{title or url[:80]}” is longer than {MAX_LINK_URL} characters: not kept"
            )
            continue
        entry.links.append(LinkData(url=url, title=title, icon=icon, type=kind))
        hint = " ".join((title, icon, kind)).lower()
        if not is_url(url):
            continue
        if "doc" in hint and not entry.fields["docs_url"] and len(url) <= 200:
            entry.fields["docs_url"] = url
        elif any(w in hint for w in ("chat", "slack", "channel", "teams", "discord")):
            entry.fields["communication_url"] = entry.fields["communication_url"] or url[:300]
        elif "contribut" in hint and not entry.fields["contributing_url"] and len(url) <= 200:
            entry.fields["contributing_url"] = url
        elif any(w in hint for w in ("github", "gitlab", "repo", "source")) and REPOSITORY_PATH_RE.match(url):
            urls.append(url.split("/tree/")[0].split("/blob/")[0])


def _asset(entry: ImportEntry, *, kind: str, spec: dict) -> None:
    """The asset the entity offers, of the kind its spec.type says (see COMPONENT_ASSET_KINDS)."""
    if kind == "System":
        return  # a System offers what its parts offer
    spec_type = text(spec.get("type"), label=entry.label, what="spec.type", limit=60)
    if kind == "API":
        asset_kind = AssetKind.SERVICE
    elif not spec_type:
        entry.notes.append("no spec.type: no asset made")
        return
    else:
        asset_kind = (COMPONENT_ASSET_KINDS if kind == "Component" else RESOURCE_ASSET_KINDS).get(
            spec_type.lower()
        )
        if asset_kind is None:
            entry.notes.append(f"spec.type “{spec_type}” has no asset kind in the portal: no asset made")
            return
    if kind == "API":
        # Where to get an API: the first web link (its repository or its specification).
        url = next((link.url for link in entry.links if is_url(link.url) and len(link.url) <= 200), "")
    else:
        url = entry.fields["docs_url"] or next((r.url for r in entry.repositories if len(r.url) <= 200), "")
    entry.asset = AssetData(
        name=entry.fields["name"],
        kind=asset_kind,
        description=entry.fields["description"],
        url=url,
        topics=entry.fields["topics"],
        qualifier=kind,
    )


def _project(
    entry: ImportEntry, *, kind: str, metadata: dict, spec: dict, namespace: str, groups, users
) -> None:
    label = entry.label
    title = text(metadata.get("title"), label=label, what="metadata.title", limit=120)
    name = title or metadata["name"]
    description = text(metadata.get("description"), label=label, what="metadata.description", limit=300)
    tags = metadata.get("tags") or []
    if not isinstance(tags, list):
        raise ImportFormatError(f"{label}: metadata.tags must be a list.")
    for tag in tags:
        if not isinstance(tag, str) or len(tag) > 63 or not TAG_RE.match(tag):
            raise ImportFormatError(
                f"{label}: the tag “{tag}” is not a valid Backstage tag: lower-case letters, digits, "
                "+ # : and single hyphens, at most 63 characters."
            )
    entry.fields.update(
        name=name,
        description=description or name,
        topics=list(dict.fromkeys(tags)),
        docs_url="",
        contributing_url="",
        communication_url="",
    )
    entry.team = metadata["name"]
    # A System or Resource has no lifecycle in Backstage: none is invented (see NO_LIFECYCLE).
    entry.default_lifecycle, entry.no_lifecycle_note = Lifecycle.PROPOSED, NO_LIFECYCLE
    lifecycle = spec.get("lifecycle")
    if lifecycle is not None:
        mapped = BACKSTAGE_LIFECYCLES.get(str(lifecycle).lower())
        if mapped:
            entry.fields["lifecycle"] = mapped
        else:
            entry.notes.append(f"lifecycle “{lifecycle}” has no portal equivalent: not kept")
    _owner(entry, spec.get("owner"), namespace=namespace, groups=groups, users=users)
    urls = []
    annotations = mapping(metadata.get("annotations"), label=label, what="metadata.annotations")
    for annotation, host in (
        ("github.com/project-slug", "github.com"),
        ("gitlab.com/project-slug", "gitlab.com"),
    ):
        slug = annotations.get(annotation)
        if isinstance(slug, str) and re.fullmatch(r"[\w.-]+(/[\w.-]+)+", slug.strip()):
            urls.append(f"https://{host}/{slug.strip()}")
    source = annotations.get("backstage.io/source-location")
    if isinstance(source, str) and source.startswith("url:"):
        location = source[len("url:") :].split("/tree/")[0].split("/blob/")[0].split("/-/")[0]
        if is_url(location):
            urls.append(location)
    _links(entry, metadata.get("links") or [], urls=urls)
    normalised = list(dict.fromkeys(normalise_repository_url(u) for u in urls))
    entry.repositories = [RepositoryData(url=u, forge=forge_of(u)) for u in normalised]
    _references(entry, spec, namespace=namespace)
    _asset(entry, kind=kind, spec=spec)
