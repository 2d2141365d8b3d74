"""Who a person is, from trusted sources only.

A person's business unit decides which restricted projects they see and where their work counts, so it
comes from a trusted source (`UnitSource`: the company sign-on, the organisation directory, the program
office); a unit the person asks for on their profile waits in `requested_business_unit` until the program
office confirms it. Every change of the trusted unit goes through `practitioner_unit_set`, which writes the
audit log and tells the person.
"""

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import BusinessUnit
from catalog.permissions import is_program_office
from catalog.services import program_office_members
from community.journey import people_evaluate
from community.models import Practitioner, UnitSource
from community.selectors import display_name
from portal.services import notification_send, notifications_send


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


@transaction.atomic
def unit_requests_confirm(*, practitioners: Iterable[Practitioner], by: AbstractBaseUser) -> int:
    """The program office confirms the units these people asked for; returns how many it confirmed."""
    if not is_program_office(by):
        raise PermissionDenied("Only the program office confirms business units.")
    confirmed = 0
    for practitioner in practitioners:
        if practitioner.requested_business_unit_id is None:
            continue
        practitioner_unit_set(
            practitioner=practitioner,
            unit=practitioner.requested_business_unit,
            source=UnitSource.PROGRAM_OFFICE,
            by=by,
        )
        confirmed += 1
    return confirmed


@transaction.atomic
def unit_requests_decline(*, practitioners: Iterable[Practitioner], by: AbstractBaseUser) -> int:
    """The program office declines these people's requests; their unit stays as it is, and they are told."""
    if not is_program_office(by):
        raise PermissionDenied("Only the program office declines business unit requests.")
    declined = 0
    for practitioner in practitioners:
        unit = practitioner.requested_business_unit
        if unit is None:
            continue
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
        declined += 1
    return declined
