"""The forge-neutral shape every import format is read into, and the checks the readers share.

Readers (sap.py, innersource.py, the backstage package) turn files into ``ImportEntry`` objects and
refuse a bad file as a whole with an ``ImportFormatError`` whose message names the entry; the apply
package writes them.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.utils.dateparse import parse_datetime

from catalog import parsing
from catalog.models import ImportedEntry, Lifecycle

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_ENTRIES = 100_000
# Values in one YAML file, aliases counted as what they stand for: a 20 MB catalog of real entities
# holds well under a million.
MAX_YAML_NODES = 2_000_000

Source = ImportedEntry.Source

REPOSITORY_STATS = (
    "full_name",
    "default_branch",
    "description",
    "stars",
    "forks",
    "watchers",
    "open_issues",
    "license",
    "topics",
    "participation",
    "forge_created_at",
    "forge_updated_at",
    "forge_pushed_at",
)


class ImportFormatError(ValueError):
    """A file that cannot be imported; the message names the file and entry, for the person importing."""


@dataclass
class BusinessUnitRef:
    slug: str
    name: str
    # Declared by the file itself (an SAP owner, a Backstage Group, an exported business unit): created
    # when missing. An undeclared one (a Backstage owner group defined nowhere) gives way to the default.
    declared: bool = True


@dataclass
class PersonRef:
    """A person the file names (a Backstage User), matched to a portal account, never created."""

    username: str
    email: str = ""


@dataclass
class RepositoryData:
    url: str
    forge: str
    stats: dict = field(default_factory=dict)  # Repository field values when the file has statistics


@dataclass
class LinkData:
    """A link as the file gives it (Backstage's metadata.links), kept on the project."""

    url: str
    title: str = ""
    icon: str = ""
    type: str = ""

    def row(self) -> list[str]:
        return [self.url, self.title, self.icon, self.type]


@dataclass
class RelationData:
    kind: str  # a ProjectRelation.Kind value
    target_ref: str  # kind:namespace/name, lower-cased

    def row(self) -> list[str]:
        return [self.kind, self.target_ref]


@dataclass
class AssetData:
    """The asset an entity offers (a Backstage Component, Resource or API, by its spec.type)."""

    name: str
    kind: str  # an AssetKind value
    description: str
    url: str = ""
    topics: list[str] = field(default_factory=list)
    qualifier: str = ""  # told apart from another asset of the same name on the project: "petstore (API)"
    # What it publishes, as the portal stores a Package URL; "" when the file names none.
    package_url: str = ""


@dataclass
class ImportEntry:
    index: int  # 1-based position in the import, for messages
    label: str  # how messages name it: "repos.json #3 (Sol/earth)"
    source: str
    key: str = ""
    kind: str = "project"  # project | business_unit | person | skipped
    # The project's fields the file gives (name, description, lifecycle, topics...); the values an import
    # wrote are recorded per entry (ImportedEntry.imported_values).
    fields: dict = field(default_factory=dict)
    business_unit: BusinessUnitRef | None = None
    repositories: list[RepositoryData] = field(default_factory=list)
    owners: list[PersonRef] = field(default_factory=list)
    slug: str = ""  # a wanted slug (the portal's own JSON export)
    default_lifecycle: str = Lifecycle.ACTIVE
    # Said when a project is made without a lifecycle from the file (it then keeps default_lifecycle).
    no_lifecycle_note: str = ""
    skip_reason: str = ""
    notes: list[str] = field(default_factory=list)
    links: list[LinkData] = field(default_factory=list)
    relations: list[RelationData] = field(default_factory=list)
    asset: AssetData | None = None
    # Projects (by entity reference, with why) that should offer this entry as an asset instead of a
    # project of its own: a Backstage API goes to its system's project, else to a provider's.
    hostable: bool = False
    hosts: list[tuple[str, str]] = field(default_factory=list)
    team: str = ""  # the team name an adoption by this entry's project is recorded under


def check_size(data: bytes | str, *, name: str) -> None:
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise ImportFormatError(f"{name}: the file is larger than 20 MB ({size // (1024 * 1024)} MB).")


def decode(data: bytes | str, *, name: str) -> str:
    check_size(data, name=name)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFormatError(f"{name}: the file is not UTF-8 text (byte {error.start}).") from error


def load_json(text: str, *, name: str):
    try:
        return parsing.load_json(text)
    except parsing.ParseError as error:
        raise ImportFormatError(f"{name}: {error}.") from error


def load_yaml(text: str, *, name: str) -> list:
    """Every document of a YAML file (None for an empty one)."""
    try:
        return parsing.load_yaml_documents(text, max_nodes=MAX_YAML_NODES)
    except parsing.ParseError as error:
        raise ImportFormatError(f"{name}: {error}.") from error


def text(value, *, label: str, what: str, limit: int | None = None) -> str:
    """A string field, stripped; None counts as empty. Longer than ``limit`` is cut with an ellipsis."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportFormatError(f"{label}: “{what}” must be text, not {type(value).__name__}.")
    value = value.strip()
    if limit and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value


def words(value, *, label: str, what: str) -> list[str]:
    """A list of words (nulls and blanks dropped, duplicates removed ignoring case); a string is split on commas."""
    if value is None:
        return []
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ImportFormatError(f"{label}: “{what}” must be a list of words.")
            items.append(str(item))
    else:
        raise ImportFormatError(f"{label}: “{what}” must be a list of words.")
    seen: dict[str, str] = {}
    for item in items:
        item = item.strip()
        if item and item.casefold() not in seen:
            if len(item) > 60:
                raise ImportFormatError(f"{label}: “{what}” has a word longer than 60 characters.")
            seen[item.casefold()] = item
    return list(seen.values())


def is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def url_or_note(entry: ImportEntry, *, target: str, value, what: str, hint: str = "") -> None:
    """Keep an http(s) URL for ``target``; note anything else as not kept."""
    value = text(value, label=entry.label, what=what)
    if not value:
        return
    if is_url(value) and len(value) <= 200:
        entry.fields[target] = value
    elif is_url(value):
        entry.notes.append(f"{what} URL longer than 200 characters: not kept")
    else:
        entry.notes.append(f"{what} “{value[:80]}” is not an http(s) URL: not kept{hint}")


def count(value, *, label: str, what: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ImportFormatError(f"{label}: “{what}” must be a number of at least 0.")
    return int(value)


def timestamp(value, *, label: str, what: str) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise ImportFormatError(f"{label}: “{what}” must be an ISO 8601 date-time with a time zone.")
    return parsed


def weekly_counts(value, *, label: str, what: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 520:
        raise ImportFormatError(f"{label}: “{what}” must be a list of weekly commit counts.")
    return [count(week, label=label, what=what) for week in value]


def mapping(value, *, label: str, what: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImportFormatError(f"{label}: “{what}” must be an object.")
    return value
