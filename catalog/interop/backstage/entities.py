"""The entities of Backstage ``catalog-info.yaml`` files: the YAML documents read, each checked against
Backstage's own naming rules, and the entity references between them."""

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

from catalog.descriptors import BACKSTAGE_NAME_RE
from catalog.interop.records import (
    MAX_ENTRIES,
    BusinessUnitRef,
    ImportFormatError,
    PersonRef,
    decode,
    load_yaml,
    mapping,
    text,
)

NAME_RULE = "use letters, digits and single - _ . between them, at most 63 characters"
KIND_RE = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True, kw_only=True)
class Entity:
    """One entity of a file, checked: how messages name it, its metadata and spec as written, and its
    kind, name and namespace."""

    label: str
    metadata: dict
    spec: dict
    kind: str
    name: str
    namespace: str

    @property
    def key(self) -> tuple[str, str]:
        """(namespace, name) lower-cased, as references to it name it."""
        return self.namespace.lower(), self.name.lower()

    @property
    def ref(self) -> str:
        """The entity's reference, ``kind:namespace/name``, lower-cased as Backstage compares them."""
        return f"{self.kind.lower()}:{self.namespace.lower()}/{self.name.lower()}"


@dataclass
class Owners:
    """The Groups (as business units) and Users (with the groups they are members of) the files define,
    by Entity.key: what an entity's spec.owner may refer to, across files."""

    groups: dict[tuple[str, str], BusinessUnitRef] = field(default_factory=dict)
    users: dict[tuple[str, str], tuple[PersonRef, list]] = field(default_factory=dict)

    def add(self, entity: Entity) -> None:
        """Keep a Group or a User entity; other kinds own nothing."""
        label, spec = entity.label, entity.spec
        profile = mapping(spec.get("profile"), label=label, what="spec.profile")
        if entity.kind == "Group":
            display = text(
                profile.get("displayName"), label=label, what="spec.profile.displayName", limit=120
            )
            self.groups[entity.key] = BusinessUnitRef(
                slug=slugify(entity.name)[:120], name=display or entity.name
            )
        elif entity.kind == "User":
            email = text(profile.get("email"), label=label, what="spec.profile.email")
            member_of = spec.get("memberOf") or []
            if not isinstance(member_of, list) or not all(isinstance(g, str) for g in member_of):
                raise ImportFormatError(f"{label}: spec.memberOf must be a list of group references.")
            self.users[entity.key] = (PersonRef(username=entity.name, email=email), member_of)


def valid_name(value: str) -> bool:
    return 0 < len(value) <= 63 and bool(BACKSTAGE_NAME_RE.match(value))


def parse_ref(ref: str, *, default_kind: str, default_namespace: str = "default") -> tuple[str, str, str]:
    """``[kind:][namespace/]name`` as (kind, namespace, name), lower-cased as Backstage compares them."""
    kind, _, rest = ref.rpartition(":") if ":" in ref else ("", "", ref)
    namespace, _, name = rest.rpartition("/") if "/" in rest else ("", "", rest)
    return (kind or default_kind).lower(), (namespace or default_namespace).lower(), name.lower()


def documents(files: list[tuple[str, bytes | str]]) -> list[tuple[str, dict]]:
    """Every document of every file, in file order, with the label messages name it by."""
    found = []
    for name, data in files:
        position = 0
        for document in load_yaml(decode(data, name=name), name=name):
            if document is None:
                continue
            position += 1
            label = f"{name} document #{position}"
            if not isinstance(document, dict):
                raise ImportFormatError(f"{label}: a Backstage entity must be a mapping (apiVersion, kind…).")
            found.append((label, document))
            if len(found) > MAX_ENTRIES:
                raise ImportFormatError(f"{name}: more than {MAX_ENTRIES} entities.")
    return found


def entity_of(label: str, document: dict) -> Entity:
    """The document as an entity, once its apiVersion, kind, name and namespace are as Backstage wants."""
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
    if not valid_name(name):
        raise ImportFormatError(
            f"{label}: metadata.name “{name}” is not a valid Backstage name: {NAME_RULE}."
        )
    namespace = metadata.get("namespace", "default")
    if not isinstance(namespace, str) or not valid_name(namespace):
        raise ImportFormatError(f"{label}: metadata.namespace “{namespace}” is not a valid Backstage name.")
    return Entity(label=label, metadata=metadata, spec=spec, kind=kind, name=name, namespace=namespace)
