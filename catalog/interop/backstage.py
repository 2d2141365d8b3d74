"""Backstage ``catalog-info.yaml`` files: multi-document YAML with Component, API, Resource, System,
Group, User (and Location) entities, validated with Backstage's own naming rules."""

import re

from django.utils.text import slugify

from catalog.descriptors import BACKSTAGE_LIFECYCLES, BACKSTAGE_NAME_RE, PROJECT_KINDS
from catalog.interop.records import (
    MAX_ENTRIES,
    BusinessUnitRef,
    ImportEntry,
    ImportFormatError,
    PersonRef,
    RepositoryData,
    Source,
    decode,
    is_url,
    load_yaml,
    mapping,
    text,
)
from catalog.services import forge_of, normalise_repository_url

# Backstage's isValidTag: lower-case words of [a-z0-9:+#] joined by single hyphens, at most 63 characters.
TAG_RE = re.compile(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$")
REPOSITORY_PATH_RE = re.compile(r"^https?://[^/]+/[^/]+/[^/]+")
NAME_RULE = "use letters, digits and single - _ . between them, at most 63 characters"


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
            _project(entry, metadata=metadata, spec=spec, namespace=namespace, groups=groups, users=users)
        entries.append(entry)
    return entries


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


def _project(entry: ImportEntry, *, metadata: dict, spec: dict, namespace: str, groups, users) -> None:
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
    links = metadata.get("links") or []
    if not isinstance(links, list):
        raise ImportFormatError(f"{label}: metadata.links must be a list.")
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            raise ImportFormatError(f"{label}: each of metadata.links needs a “url”.")
        url = link["url"].strip()
        hint = " ".join(str(link.get(k, "")) for k in ("title", "icon", "type")).lower()
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
    normalised = list(dict.fromkeys(normalise_repository_url(u) for u in urls))
    entry.repositories = [RepositoryData(url=u, forge=forge_of(u)) for u in normalised]
