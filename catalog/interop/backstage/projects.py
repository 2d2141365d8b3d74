"""What a Backstage entity that becomes a project says of it: its name, description and tags, its
lifecycle and owner, its links and repositories, the relations its spec declares and the asset it offers."""

import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from packageurl import PackageURL

from catalog.descriptors import BACKSTAGE_LIFECYCLES
from catalog.interop.backstage.entities import KIND_RE, Entity, Owners, parse_ref, valid_name
from catalog.interop.records import (
    AssetData,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    LinkData,
    PersonRef,
    RelationData,
    RepositoryData,
    is_url,
    mapping,
    text,
)
from catalog.models import AssetKind, Lifecycle, ProjectRelation
from catalog.packages import package_url_clean
from catalog.repositories import forge_of, normalise_repository_url

TAG_RE = re.compile(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$")
REPOSITORY_PATH_RE = re.compile(r"^https?://[^/]+/[^/]+/[^/]+")
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
# Where an entity names the package it publishes. Backstage itself defines no such annotation; these are
# the ones its community plugins read: the npm plugin's `npm/package` (@backstage-community/plugin-npm:
# the package's name, "@acme/design-tokens"), and the Nexus Repository Manager plugin's Maven coordinates
# (@backstage-community/plugin-nexus-repository-manager, ANNOTATIONS.md: `maven.group-id` with
# `maven.artifact-id`). Either becomes the asset's Package URL (catalog.packages).
NPM_PACKAGE = "npm/package"
NEXUS_MAVEN_GROUP = "nexus-repository-manager/maven.group-id"
NEXUS_MAVEN_ARTIFACT = "nexus-repository-manager/maven.artifact-id"

NO_LIFECYCLE = f"no lifecycle in the file: left at {Lifecycle.PROPOSED.label} for the program office to set"


def _owner(entry: ImportEntry, owner, *, namespace: str, owners: Owners) -> None:
    if owner is None:
        return
    if not isinstance(owner, str) or not owner.strip():
        raise ImportFormatError(
            f"{entry.label}: spec.owner must be an entity reference such as group:team-a."
        )
    kind, owner_namespace, owner_name = parse_ref(
        owner.strip(), default_kind="group", default_namespace=namespace
    )
    if not valid_name(owner_name):
        raise ImportFormatError(f"{entry.label}: spec.owner “{owner}” is not a valid entity reference.")
    if kind == "group":
        entry.business_unit = owners.groups.get((owner_namespace, owner_name)) or BusinessUnitRef(
            slug=slugify(owner_name)[:120], name=owner_name, declared=False
        )
    elif kind == "user":
        person, member_of = owners.users.get(
            (owner_namespace, owner_name), (PersonRef(username=owner_name), [])
        )
        entry.owners.append(person)
        for group in member_of:
            _, group_namespace, group_name = parse_ref(
                group, default_kind="group", default_namespace=namespace
            )
            if (group_namespace, group_name) in owners.groups:
                entry.business_unit = owners.groups[(group_namespace, group_name)]
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
            if not KIND_RE.match(kind) or not valid_name(target) or not valid_name(target_namespace):
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


def _package_url(entry: ImportEntry, annotations: dict) -> str:
    """The Package URL of what the entity publishes, from its package annotations (NPM_PACKAGE, the Nexus
    Maven coordinates), as the portal stores it; "" when it names none, or names one that is no valid
    package (said in the entry's notes, not kept)."""

    def given(name: str) -> str:
        value = annotations.get(name)
        return value.strip() if isinstance(value, str) else ""

    npm, group, artifact = given(NPM_PACKAGE), given(NEXUS_MAVEN_GROUP), given(NEXUS_MAVEN_ARTIFACT)
    if npm:
        scope, _, name = npm.rpartition("/")
        coordinates, said = ("npm", scope or None, name), f"{NPM_PACKAGE} “{npm}”"
    elif group and artifact:
        coordinates, said = ("maven", group, artifact), f"the Maven coordinates “{group}:{artifact}”"
    else:
        return ""
    kind, namespace, name = coordinates
    try:
        return package_url_clean(PackageURL(type=kind, namespace=namespace, name=name).to_string())
    except (ValidationError, ValueError) as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        entry.notes.append(f"{said} is no valid package ({reason}): no package URL kept")
        return ""


def _asset(entry: ImportEntry, *, kind: str, spec: dict, annotations: dict) -> None:
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
        package_url=_package_url(entry, annotations),
    )


def project_read(entry: ImportEntry, entity: Entity, *, owners: Owners) -> None:
    """Fill the entry of a project entity (a Component, API, Resource or System) from what it says."""
    label, metadata, spec, kind = entity.label, entity.metadata, entity.spec, entity.kind
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
    _owner(entry, spec.get("owner"), namespace=entity.namespace, owners=owners)
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
    _references(entry, spec, namespace=entity.namespace)
    _asset(entry, kind=kind, spec=spec, annotations=annotations)
