"""The program office's figures behind the value of reuse in money: the cost of an engineer-day and the
program's own yearly cost (metrics.selectors.value reads them). Changed on one page, by the program
office only, and recorded in the audit log."""

from decimal import Decimal

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from metrics.models import ReuseValueSettings
from metrics.selectors.value import reuse_value_settings

__all__ = ["reuse_value_settings_update"]


def _text(value) -> str:
    return "not set" if value is None or value == "" else str(value)


@transaction.atomic
def reuse_value_settings_update(
    *,
    user: User,
    engineer_day_cost: Decimal | None,
    currency: str,
    program_yearly_cost: Decimal | None,
) -> ReuseValueSettings:
    """Set the program office's figures (the caller checked that `user` is of the program office); what
    changed goes to the audit log (Django's LogEntry, which the audit page shows)."""
    current = reuse_value_settings()
    wanted = {
        "engineer_day_cost": engineer_day_cost,
        "currency": currency.upper(),
        "program_yearly_cost": program_yearly_cost,
    }
    changed = [
        f"{name.replace('_', ' ')}: {_text(getattr(current, name))} → {_text(value)}"
        for name, value in wanted.items()
        if getattr(current, name) != value
    ]
    if not changed:
        return current
    settings, _created = ReuseValueSettings.objects.update_or_create(
        pk=1, defaults={**wanted, "updated_at": timezone.now(), "updated_by": user}
    )
    if changed:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=[settings],
            action_flag=CHANGE,
            change_message=("Changed the value of reuse settings: " + "; ".join(changed))[:500],
            single_object=True,
        )
    return settings
