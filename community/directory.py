"""The organisation directory: who works in which business unit, under which e-mail address and forge
logins, from a trusted export (HR's CSV, or Backstage's User and Group entities). The program office
imports it; people count by their unit before they ever sign in, and link to their entry when they do.

Reading the files (`parse_directory`) is separate from writing them (`directory_import`), as in the
catalog's import, so that a file is checked whole before anything is written.
"""

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from catalog.interop.records import MAX_YAML_NODES
from catalog.models import BusinessUnit, Forge
from catalog.parsing import ParseError, load_yaml_documents, sentence
from community import identity
from community.forms import github_login_validator, gitlab_username_validator
from community.models import DirectoryEntry, Practitioner, UnitSource
from community.services import practitioner_ensure
from metrics.models import ForgeAccount

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


# Reading ------------------------------------------------------------------------------------------


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


# Writing ------------------------------------------------------------------------------------------


@dataclass
class DirectoryReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        done = "would be" if self.dry_run else "were"
        return (
            f"{self.created} people {done} added, {self.updated} updated, {self.unchanged} unchanged"
            f"{f'; {len(self.notes)} note(s)' if self.notes else ''}."
        )


def _unit_index() -> dict[str, BusinessUnit]:
    index: dict[str, BusinessUnit] = {}
    for unit in BusinessUnit.objects.all():
        index.setdefault(unit.slug.lower(), unit)
        index.setdefault(unit.name.strip().lower(), unit)
    return index


def _resolve(names: list[str], index: dict[str, BusinessUnit]) -> BusinessUnit | None:
    for name in names:
        unit = index.get(name.strip().lower()) or index.get(slugify(name))
        if unit is not None:
            return unit
    return None


def _accounts_sync(entries: list[DirectoryEntry]) -> None:
    """The forge accounts of the entries' logins and addresses carry the entry's unit (created when the
    forge has not been synced yet, so that the first delivery finds them), and belong to the entry's
    person when they have an account and nobody holds the forge account yet."""
    wanted: dict[tuple[str, str], DirectoryEntry] = {}
    for entry in entries:
        wanted[Forge.GIT, entry.email] = entry
        if entry.github_login:
            wanted[Forge.GITHUB, entry.github_login.lower()] = entry
        if entry.gitlab_username:
            wanted[Forge.GITLAB, entry.gitlab_username.lower()] = entry
    if not wanted:
        return
    ForgeAccount.objects.bulk_create(
        [ForgeAccount(forge=forge, login=login, email=entry.email if forge == Forge.GIT else "")
         for (forge, login), entry in wanted.items()],
        ignore_conflicts=True,
        batch_size=500,
    )  # fmt: skip
    pairs = list(wanted)
    for start in range(0, len(pairs), 300):
        chunk = pairs[start : start + 300]
        condition = Q(pk__in=[])
        for forge, login in chunk:
            condition |= Q(forge=forge, login=login)
        changed = []
        for account in ForgeAccount.objects.filter(condition):
            entry = wanted[account.forge, account.login]
            user_id = account.user_id or entry.user_id
            if (account.business_unit_id, account.user_id) != (entry.business_unit_id, user_id):
                account.business_unit_id, account.user_id = entry.business_unit_id, user_id
                changed.append(account)
        ForgeAccount.objects.bulk_update(changed, ["business_unit", "user"], batch_size=500)


def entry_apply(*, entry: DirectoryEntry, by: AbstractBaseUser | None = None) -> None:
    """What a linked entry tells about its person: their unit (unless the company sign-on or the program
    office set it: those stay) and their forge logins (unless they proved others themselves)."""
    practitioner = practitioner_ensure(user=entry.user)
    if entry.business_unit_id and practitioner.business_unit_source in ("", UnitSource.DIRECTORY):
        identity.practitioner_unit_set(
            practitioner=practitioner, unit=entry.business_unit, source=UnitSource.DIRECTORY, by=by
        )
    for forge, login in ((Forge.GITHUB, entry.github_login), (Forge.GITLAB, entry.gitlab_username)):
        field_name, flag = identity.FORGE_FIELDS[forge]
        if login and not getattr(practitioner, flag):
            identity.forge_identity_verify(
                practitioner=practitioner, forge=forge, login=login, proof=UnitSource.DIRECTORY, by=by
            )


@transaction.atomic
def directory_import(
    *, records: list[DirectoryRecord], source: str, by: AbstractBaseUser | None = None, dry_run: bool = False
) -> DirectoryReport:
    """Write the directory: one entry per e-mail address, created or updated; entries the files do not
    name are kept (an export may cover part of the company). With `dry_run`, report and write nothing."""
    report = DirectoryReport(dry_run=dry_run)
    index = _unit_index()
    seen: dict[str, str] = {}
    existing = {e.email: e for e in DirectoryEntry.objects.filter(email__in=[r.email for r in records])}
    touched: list[DirectoryEntry] = []
    for record in records:
        if record.email in seen:
            report.notes.append(f"{record.label}: {record.email} is already {seen[record.email]}; skipped.")
            continue
        seen[record.email] = record.label
        unit = _resolve(record.units, index)
        if unit is None and record.units:
            report.notes.append(
                f"{record.label}: no business unit is named {' or '.join(dict.fromkeys(record.units))}; "
                "the person is recorded without a unit (add the unit, then import again)."
            )
        values = {
            "display_name": record.name,
            "business_unit": unit,
            "github_login": record.github_login,
            "gitlab_username": record.gitlab_username,
            "source": source,
            "external_key": record.key,
        }
        entry = existing.get(record.email)
        if entry is None:
            entry = DirectoryEntry.objects.create(email=record.email, **values)
            report.created += 1
        elif any(getattr(entry, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(entry, k, v)
            entry.save()
            report.updated += 1
        else:
            report.unchanged += 1
        touched.append(entry)
    _accounts_sync(touched)
    for entry in touched:
        if entry.user_id is None:
            # Someone who verified this address before it was in the directory.
            entry.user = _user_by_verified_email(entry.email)
            if entry.user is not None:
                entry.save(update_fields=["user"])
        if entry.user_id is not None:
            entry_apply(entry=entry, by=by)
    if dry_run:
        transaction.set_rollback(True)
    return report


def _user_by_verified_email(email: str):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(emailaddress__email=email, emailaddress__verified=True, directory_entry__isnull=True)
        .first()
    )


@transaction.atomic
def directory_link(*, user: AbstractBaseUser) -> DirectoryEntry | None:
    """Link a person who signed in (or verified an address, or proved a login) to their directory entry:
    by a verified e-mail address first, else by a proven forge login; then take what the entry says."""
    entry = DirectoryEntry.objects.filter(user=user).select_related("business_unit").first()
    if entry is None:
        emails = list(user.emailaddress_set.filter(verified=True).values_list("email", flat=True))
        practitioner = Practitioner.objects.filter(user=user).first()
        condition = Q(email__in=[e.lower() for e in emails])
        if practitioner is not None:
            if practitioner.github_login and practitioner.github_login_verified:
                condition |= Q(github_login__iexact=practitioner.github_login)
            if practitioner.gitlab_username and practitioner.gitlab_username_verified:
                condition |= Q(gitlab_username__iexact=practitioner.gitlab_username)
        candidates = DirectoryEntry.objects.filter(condition, user__isnull=True).select_related(
            "business_unit"
        )
        lowered = {e.lower() for e in emails}
        # An entry found by a verified address comes before one found by a proven login.
        entry = sorted(candidates, key=lambda e: e.email.lower() not in lowered)[0] if candidates else None
        if entry is None:
            return None
        entry.user = user
        entry.save(update_fields=["user", "updated_at"])
        _accounts_sync([entry])
    entry_apply(entry=entry)
    return entry
