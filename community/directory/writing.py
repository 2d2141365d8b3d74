"""Writing the organisation directory: the import of checked records (one entry per e-mail address), the
forge accounts the entries name, and the link between an entry and the person who signs in."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from catalog.models import BusinessUnit, Forge
from community import identity
from community.directory.reading import DirectoryRecord
from community.models import DirectoryEntry, Practitioner, UnitSource
from community.services import practitioner_ensure
from metrics.models import ForgeAccount


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
        changed = []
        for account in ForgeAccount.objects.filter(identity.forge_accounts_named(pairs[start : start + 300])):
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
