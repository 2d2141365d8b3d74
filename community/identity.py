"""Who a person is, from trusted sources only.

A person's business unit decides which restricted projects they see and where their work counts, so it
comes from a trusted source (`UnitSource`: the company sign-on, the organisation directory, the program
office); a unit the person asks for on their profile waits in `requested_business_unit` until the program
office confirms it. Every change of the trusted unit goes through `practitioner_unit_set`, which writes the
audit log and tells the person.

Forge identities likewise: a GitHub login or GitLab username typed on the profile is a claim that
attributes nothing. It becomes the person's through `forge_identity_verify` only: a linked social account
(the forge's own sign-in proved it), the organisation directory, or the program office. Commit e-mail
addresses count once allauth has verified them (`email_address_verified`).
"""

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from catalog.models import BusinessUnit, Forge
from catalog.notifications import notification_send, notifications_send
from catalog.permissions import is_program_office
from catalog.services import program_office_members
from community.journey import people_evaluate
from community.models import Practitioner, UnitSource
from community.selectors import display_name
from metrics.models import ForgeAccount


def _audit(*, practitioner: Practitioner, by: AbstractBaseUser | None, message: str) -> None:
    """The program office's audit log (Django's LogEntry, shown on the audit page). A change that no
    person made (a sign-in, a directory import from the command line) is recorded under the person it
    concerns, and the message says where it came from."""
    LogEntry.objects.log_actions(
        user_id=(by or practitioner.user).pk,
        queryset=[practitioner],
        action_flag=CHANGE,
        change_message=message[:500],
        single_object=True,
    )


def _profile_url(practitioner: Practitioner) -> str:
    return reverse("community:profile", kwargs={"username": practitioner.user.get_username()})


@transaction.atomic
def practitioner_unit_set(
    *,
    practitioner: Practitioner,
    unit: BusinessUnit | None,
    source: str,
    by: AbstractBaseUser | None = None,
) -> bool:
    """Set a person's trusted business unit from `source`; the one way it changes. The program office
    must be the one acting when it is the source. A pending request the change settles is cleared (any
    request, when the program office decides). Returns whether anything changed."""
    source = UnitSource(source)
    if source == UnitSource.PROGRAM_OFFICE and not is_program_office(by):
        raise PermissionDenied("Only the program office sets a person's business unit.")
    unit_id = unit.pk if unit is not None else None
    fields: dict = {}
    if practitioner.business_unit_id != unit_id or practitioner.business_unit_source != source:
        fields.update(business_unit=unit, business_unit_source=source if unit is not None else "")
    requested = practitioner.requested_business_unit_id
    if requested is not None and (requested == unit_id or source == UnitSource.PROGRAM_OFFICE):
        fields.update(requested_business_unit=None, unit_requested_at=None)
    if not fields:
        return False
    moved = practitioner.business_unit_id != unit_id
    for name, value in fields.items():
        setattr(practitioner, name, value)
    practitioner.save(update_fields=list(fields))
    if moved:
        name = unit.name if unit is not None else "none"
        _audit(practitioner=practitioner, by=by, message=f"Business unit set to {name} ({source.label})")
        notification_send(
            user=practitioner.user,
            message=f"Your business unit is now {name}, from the {source.label}.",
            url=_profile_url(practitioner),
        )
        # Badges and stages may read the unit (contributions across units).
        people_evaluate(user_ids=[practitioner.user_id])
    return True


def unit_request(*, practitioner: Practitioner, unit: BusinessUnit | None) -> bool:
    """A person asks the program office to put them in `unit` (None, or their unit already: no request).
    The office is told of a new request. Returns whether a new request was made. The caller saves."""
    if unit is None or unit.pk == practitioner.business_unit_id:
        practitioner.requested_business_unit, practitioner.unit_requested_at = None, None
        return False
    if unit.pk == practitioner.requested_business_unit_id:
        return False
    practitioner.requested_business_unit, practitioner.unit_requested_at = unit, timezone.now()
    url = reverse("admin:community_practitioner_changelist") + "?unit_request=pending"
    who = practitioner.display_name or display_name(practitioner.user)
    notifications_send(
        users=program_office_members(),
        message=f"{who} asks to be in the business unit {unit.name}: confirm or decline it in the admin.",
        url=url,
    )
    return True


def _pending_requests(
    practitioners: Iterable[Practitioner], *, by: AbstractBaseUser, refusal: str
) -> list[Practitioner]:
    """Those of `practitioners` with a business unit request waiting, once the program office is the one
    deciding on them (else PermissionDenied with `refusal`)."""
    if not is_program_office(by):
        raise PermissionDenied(refusal)
    return [
        practitioner for practitioner in practitioners if practitioner.requested_business_unit_id is not None
    ]


@transaction.atomic
def unit_requests_confirm(*, practitioners: Iterable[Practitioner], by: AbstractBaseUser) -> int:
    """The program office confirms the units these people asked for; returns how many it confirmed."""
    pending = _pending_requests(
        practitioners, by=by, refusal="Only the program office confirms business units."
    )
    for practitioner in pending:
        practitioner_unit_set(
            practitioner=practitioner,
            unit=practitioner.requested_business_unit,
            source=UnitSource.PROGRAM_OFFICE,
            by=by,
        )
    return len(pending)


@transaction.atomic
def unit_requests_decline(*, practitioners: Iterable[Practitioner], by: AbstractBaseUser) -> int:
    """The program office declines these people's requests; their unit stays as it is, and they are told."""
    refusal = "Only the program office declines business unit requests."
    pending = _pending_requests(practitioners, by=by, refusal=refusal)
    for practitioner in pending:
        unit = practitioner.requested_business_unit
        practitioner.requested_business_unit, practitioner.unit_requested_at = None, None
        practitioner.save(update_fields=["requested_business_unit", "unit_requested_at"])
        _audit(
            practitioner=practitioner, by=by, message=f"Declined the request for business unit {unit.name}"
        )
        notification_send(
            user=practitioner.user,
            message=f"The program office did not confirm the business unit {unit.name}; ask them why if "
            "you think it is yours.",
            url=_profile_url(practitioner),
        )
    return len(pending)


# Forge identities -----------------------------------------------------------------------------------

# What may prove a forge login, as the audit log names it.
PROOFS = {
    "sign_in": "the forge's own sign-in",
    UnitSource.DIRECTORY: "the organisation directory",
    UnitSource.PROGRAM_OFFICE: "the program office",
}

# The profile's field and its verification flag per forge (metrics stores logins lower-cased).
FORGE_FIELDS = {
    Forge.GITHUB: ("github_login", "github_login_verified"),
    Forge.GITLAB: ("gitlab_username", "gitlab_username_verified"),
}


def verified_identities(practitioner: Practitioner) -> set[tuple[str, str]]:
    """The forge accounts a profile has proven, as (forge, lower-cased login)."""
    return {
        (forge, getattr(practitioner, field).lower())
        for forge, (field, flag) in FORGE_FIELDS.items()
        if getattr(practitioner, field) and getattr(practitioner, flag)
    }


def forge_accounts_named(pairs: Iterable[tuple[str, str]]) -> Q:
    """The forge accounts named by (forge, login) pairs, as one condition (none: no account)."""
    condition = Q(pk__in=[])
    for forge, login in pairs:
        condition |= Q(forge=forge, login=login)
    return condition


def typed_identities_apply(*, practitioner: Practitioner, github_login: str, gitlab_username: str) -> bool:
    """The logins a person typed on their profile. A new or changed one is an unverified claim that links
    nothing; an unchanged one (whatever its case) keeps its verification. Accounts of a verified identity
    the person removed or replaced are let go. Returns whether any account changed hands. The caller saves."""
    before = verified_identities(practitioner)
    for forge, typed in ((Forge.GITHUB, github_login), (Forge.GITLAB, gitlab_username)):
        field, flag = FORGE_FIELDS[forge]
        if typed.strip().lower() != getattr(practitioner, field).lower():
            setattr(practitioner, field, typed.strip())
            setattr(practitioner, flag, False)
    gone = before - verified_identities(practitioner)
    if not gone:
        return False
    released = ForgeAccount.objects.filter(forge_accounts_named(gone), user_id=practitioner.user_id)
    return released.update(user=None) > 0


@transaction.atomic
def forge_identity_verify(
    *, practitioner: Practitioner, forge: str, login: str, proof: str, by: AbstractBaseUser | None = None
) -> bool:
    """Make `login` the person's verified identity on `forge`, proven by `proof` (a key of PROOFS: the
    forge's sign-in, the organisation directory, the program office; recorded in the audit log). The forge accounts of that
    login become the person's at once, and a login is one person's: anyone else whose profile names it
    lets it go (a typed claim, or an old proof of a login the forge has since given to someone else).
    Returns whether anything changed."""
    field, flag = FORGE_FIELDS[Forge(forge)]
    login = login.strip()
    if not login:
        raise ValueError("A forge identity needs a login.")
    how = PROOFS[proof]
    if proof == UnitSource.PROGRAM_OFFICE and not is_program_office(by):
        raise PermissionDenied("Only the program office confirms forge identities.")
    user_id = practitioner.user_id
    others = list(
        Practitioner.objects.filter(**{f"{field}__iexact": login})
        .exclude(pk=practitioner.pk)
        .select_related("user")
    )
    for other in others:
        was_verified = getattr(other, flag)
        setattr(other, field, "")
        setattr(other, flag, False)
        other.save(update_fields=[field, flag])
        if was_verified:
            _audit(
                practitioner=other,
                by=by,
                message=f"{forge} login {login} moved to {practitioner.display_name}",
            )
            notification_send(
                user=other.user,
                message=f"The {Forge(forge).label} login {login} was proven by another person and is no longer "
                "on your profile. If it is yours, ask the program office.",
                url=_profile_url(other),
            )
    accounts = ForgeAccount.objects.filter(forge=forge, login=login.lower()).exclude(user_id=user_id)
    affected = {user_id} | {other.user_id for other in others}
    affected |= set(accounts.exclude(user__isnull=True).values_list("user_id", flat=True))
    moved = accounts.update(user_id=user_id)
    already = getattr(practitioner, field).lower() == login.lower() and getattr(practitioner, flag)
    if already and not moved and not others:  # logins ignore case: a sign-in in another case changes nothing
        return False
    # The identity this one replaces attributes nothing any more.
    old = getattr(practitioner, field).lower()
    if old and old != login.lower():
        ForgeAccount.objects.filter(forge=forge, login=old, user_id=user_id).update(user=None)
    setattr(practitioner, field, login)
    setattr(practitioner, flag, True)
    practitioner.save(update_fields=[field, flag])
    _audit(practitioner=practitioner, by=by, message=f"{Forge(forge).label} login {login} verified by {how}")
    people_evaluate(user_ids=sorted(affected))
    return True


@transaction.atomic
def forge_identities_confirm(
    *, practitioners: Iterable[Practitioner], by: AbstractBaseUser
) -> tuple[int, int]:
    """The program office confirms the logins these people typed. A login another person has already
    proven, or that more than one person typed, is left alone: a bulk confirmation must not settle who
    owns a disputed login (the office does that by hand). Returns (confirmed, left alone)."""
    if not is_program_office(by):
        raise PermissionDenied("Only the program office confirms forge identities.")
    confirmed = skipped = 0
    for practitioner in practitioners:
        for forge, (field, flag) in FORGE_FIELDS.items():
            login = getattr(practitioner, field)
            if not login or getattr(practitioner, flag):
                continue
            others = Practitioner.objects.filter(**{f"{field}__iexact": login}).exclude(pk=practitioner.pk)
            if others.exists():
                skipped += 1
                continue
            forge_identity_verify(
                practitioner=practitioner, forge=forge, login=login, proof=UnitSource.PROGRAM_OFFICE, by=by
            )
            notification_send(
                user=practitioner.user,
                message=f"The program office confirmed your {Forge(forge).label} login {login}: its activity "
                "now counts as yours.",
                url=_profile_url(practitioner),
            )
            confirmed += 1
    return confirmed, skipped


def email_address_verified(*, user: AbstractBaseUser, email: str) -> bool:
    """A verified address attributes the activity recorded under it that nobody holds yet: plain git
    accounts of that address, and forge accounts that carry it. Returns whether any account changed."""
    email = email.strip().lower()
    if not email:
        return False
    condition = Q(forge=Forge.GIT, login=email) | Q(email__iexact=email)
    linked = ForgeAccount.objects.filter(condition, user__isnull=True, is_bot=False).update(user=user)
    if linked:
        people_evaluate(user_ids=[user.pk])
    return linked > 0


def email_address_removed(*, user: AbstractBaseUser, email: str) -> bool:
    """An address the person removed attributes no more of what it attributed when verified
    (email_address_verified): their git history under it, and forge accounts that carry it, except an
    account whose login the person proved, which rests on the proof."""
    email = email.strip().lower()
    accounts = ForgeAccount.objects.filter(
        Q(forge=Forge.GIT, login=email) | Q(email__iexact=email), user=user
    )
    practitioner = Practitioner.objects.filter(user=user).first()
    if practitioner is not None:
        for forge, login, proven in (
            (Forge.GITHUB, practitioner.github_login, practitioner.github_login_verified),
            (Forge.GITLAB, practitioner.gitlab_username, practitioner.gitlab_username_verified),
        ):
            if login and proven:
                accounts = accounts.exclude(forge=forge, login=login.lower())
    unlinked = accounts.update(user=None)
    if unlinked:
        people_evaluate(user_ids=[user.pk])
    return unlinked > 0
