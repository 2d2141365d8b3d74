"""Reading the organisation directory's files: HR's CSV, or Backstage's User and Group entities, checked
whole (addresses, forge logins, sizes) into `DirectoryRecord`s before anything is written."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from catalog.interop.records import MAX_YAML_NODES
from catalog.parsing import ParseError, load_yaml_documents, sentence
from community.forms import github_login_validator, gitlab_username_validator

MAX_DIRECTORY_BYTES = 20 * 1024 * 1024
MAX_DIRECTORY_ENTRIES = 100_000
CSV_COLUMNS = ("email", "name", "business_unit", "github_login", "gitlab_username")
FORMATS = {
    "csv": "HR CSV (email, name, business_unit, github_login, gitlab_username)",
    "backstage": "Backstage",
}


class DirectoryFormatError(ValueError):
    """A file that cannot be read as a directory; the message names the file and the place."""


@dataclass(kw_only=True)
class DirectoryRecord:
    """One person as a file states them. `units`: the names that may name their business unit, best
    first (the CSV's column; for Backstage, each group the User is a member of, then its parents)."""

    label: str
    email: str
    name: str = ""
    units: list[str] = field(default_factory=list)
    github_login: str = ""
    gitlab_username: str = ""
    key: str = ""


def _text(data: bytes | str, *, name: str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_DIRECTORY_BYTES:
        raise DirectoryFormatError(f"{name}: the file is larger than 20 MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DirectoryFormatError(f"{name}: not UTF-8 text.") from error


def _checked(record: DirectoryRecord) -> DirectoryRecord:
    record.email = record.email.strip().lower()
    try:
        validate_email(record.email)
    except ValidationError as error:
        raise DirectoryFormatError(f"{record.label}: “{record.email}” is not an e-mail address.") from error
    for attribute, validator in (
        ("github_login", github_login_validator),
        ("gitlab_username", gitlab_username_validator),
    ):
        value = getattr(record, attribute).strip()
        setattr(record, attribute, value)
        if value:
            try:
                validator(value)
            except ValidationError as error:
                raise DirectoryFormatError(f"{record.label}: {error.messages[0]} (“{value}”)") from error
    record.name = record.name.strip()[:150]
    return record


def parse_csv(data: bytes | str, *, name: str = "directory.csv") -> list[DirectoryRecord]:
    """HR's export: a header row naming at least `email` and `business_unit` (the other columns of
    CSV_COLUMNS are optional), one person per row."""
    reader = csv.DictReader(io.StringIO(_text(data, name=name)))
    try:
        return _csv_records(reader, name=name)
    except csv.Error as error:  # a field over csv's size limit, a NUL byte, an unclosed quote
        raise DirectoryFormatError(
            f"{name} line {reader.line_num}: not a CSV file this import reads ({error})."
        ) from error


def _csv_records(reader: csv.DictReader, *, name: str) -> list[DirectoryRecord]:
    columns = {column.strip().lower() for column in reader.fieldnames or []}
    missing = {"email", "business_unit"} - columns
    if missing:
        raise DirectoryFormatError(
            f"{name}: the header row lacks the column(s) {', '.join(sorted(missing))}."
        )
    records = []
    for row in reader:
        row = {(k or "").strip().lower(): (v or "") for k, v in row.items() if isinstance(v, str)}
        label = f"{name} line {reader.line_num}"
        if not any(value.strip() for value in row.values()):
            continue
        unit = row.get("business_unit", "").strip()
        records.append(
            _checked(
                DirectoryRecord(
                    label=label,
                    email=row.get("email", ""),
                    name=row.get("name", ""),
                    units=[unit] if unit else [],
                    github_login=row.get("github_login", ""),
                    gitlab_username=row.get("gitlab_username", ""),
                )
            )
        )
        if len(records) > MAX_DIRECTORY_ENTRIES:
            raise DirectoryFormatError(f"{name}: more than {MAX_DIRECTORY_ENTRIES} people.")
    return records


def _ref(value: str, *, kind: str, namespace: str) -> tuple[str, str]:
    """A Backstage entity reference `[kind:][namespace/]name` as (namespace, name), lower-cased."""
    rest = value.split(":", 1)[1] if ":" in value else value
    space, _, entity = rest.rpartition("/")
    return (space or namespace).lower(), entity.lower()


def parse_backstage(files: list[tuple[str, bytes | str]]) -> list[DirectoryRecord]:
    """Backstage's Users (spec.profile.email, spec.memberOf, the github.com/user-login and
    gitlab.com/user-login annotations) and Groups (spec.profile.displayName, spec.parent) across the
    files; other kinds are ignored. A User's unit is the first of their groups, or of those groups'
    parents, that names a business unit."""
    groups: dict[tuple[str, str], dict] = {}
    users: list[tuple[str, dict, dict, str]] = []
    for name, data in files:
        try:
            # Bounded like every parse of an uploaded file: an organisation's file is big, not deep.
            documents = load_yaml_documents(_text(data, name=name), max_nodes=MAX_YAML_NODES)
        except ParseError as error:
            raise DirectoryFormatError(f"{name}: {sentence(error)}") from error
        for position, document in enumerate((d for d in documents if d is not None), start=1):
            label = f"{name} document #{position}"
            if not isinstance(document, dict):
                raise DirectoryFormatError(f"{label}: a Backstage entity must be a mapping.")
            metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
            spec = document.get("spec") if isinstance(document.get("spec"), dict) else {}
            entity = metadata.get("name")
            namespace = metadata.get("namespace") or "default"
            if not isinstance(entity, str) or not isinstance(namespace, str):
                raise DirectoryFormatError(f"{label}: metadata.name is missing.")
            if document.get("kind") == "Group":
                groups[namespace.lower(), entity.lower()] = {
                    "name": entity,
                    "spec": spec,
                    "namespace": namespace,
                }
            elif document.get("kind") == "User":
                users.append((f"{label} (User “{entity}”)", metadata, spec, namespace))
            if len(users) > MAX_DIRECTORY_ENTRIES:
                raise DirectoryFormatError(f"{name}: more than {MAX_DIRECTORY_ENTRIES} people.")

    def names_up(key: tuple[str, str]) -> list[str]:
        names, seen = [], set()
        while key in groups and key not in seen:
            seen.add(key)
            group = groups[key]
            profile = group["spec"].get("profile") if isinstance(group["spec"].get("profile"), dict) else {}
            names += [group["name"]] + (
                [profile["displayName"]] if isinstance(profile.get("displayName"), str) else []
            )
            parent = group["spec"].get("parent")
            if not isinstance(parent, str):
                break
            key = _ref(parent, kind="group", namespace=group["namespace"])
        return names or [key[1]]

    records = []
    for label, metadata, spec, namespace in users:
        profile = spec.get("profile") if isinstance(spec.get("profile"), dict) else {}
        email = profile.get("email")
        if not isinstance(email, str) or not email.strip():
            continue  # the address is the directory's key: a User without one cannot be linked to anyone
        member_of = spec.get("memberOf") or []
        if not isinstance(member_of, list) or not all(isinstance(g, str) for g in member_of):
            raise DirectoryFormatError(f"{label}: spec.memberOf must be a list of group references.")
        units = [n for group in member_of for n in names_up(_ref(group, kind="group", namespace=namespace))]
        annotations = metadata.get("annotations") if isinstance(metadata.get("annotations"), dict) else {}
        display = profile.get("displayName")
        records.append(
            _checked(
                DirectoryRecord(
                    label=label,
                    email=email,
                    name=display if isinstance(display, str) else metadata["name"],
                    units=units,
                    github_login=str(annotations.get("github.com/user-login") or ""),
                    gitlab_username=str(annotations.get("gitlab.com/user-login") or ""),
                    key=f"user:{namespace.lower()}/{str(metadata['name']).lower()}",
                )
            )
        )
    return records


def parse_directory(*, format: str, files: list[tuple[str, bytes | str]]) -> list[DirectoryRecord]:
    if format == "csv":
        return [record for name, data in files for record in parse_csv(data, name=name)]
    if format == "backstage":
        return parse_backstage(files)
    raise DirectoryFormatError(f"Unknown format “{format}”: use one of {', '.join(FORMATS)}.")
