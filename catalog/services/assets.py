"""Writes to the catalog's assets and their adoptions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from catalog.dates import day_text
from catalog.effort import effort_override_clean
from catalog.models import (
    Adoption,
    AdoptionSource,
    Asset,
    BusinessUnit,
    Language,
    Project,
    ProjectChange,
    Topic,
)
from catalog.permissions import can_end_adoption
from catalog.search_index import entries_rebuild
from catalog.services.projects import EntryFields, named_rows
from catalog.signals import asset_adopted, asset_package_changed


@dataclass(kw_only=True)
class AssetFields(EntryFields):
    kind: str
    url: str = ""
    package_url: str = ""  # canonical, as catalog.packages.package_url_clean returns it
    # The maintainers' build effort in engineer-days and why (catalog.effort); None: estimated from the code.
    effort_days: Decimal | None = None
    effort_reason: str = ""


def _asset_slug(*, project: Project, name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:100] or "asset"
    slug, n = base, 2
    others = project.assets.exclude(pk=exclude_pk) if exclude_pk is not None else project.assets.all()
    while slug == "new" or others.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _effort_apply(*, asset: Asset, fields: AssetFields) -> dict[str, list[str]]:
    """Write the maintainers' effort figure and reason onto the asset (checked by
    catalog.effort.effort_override_clean); return what changed as {field: [old, new]}."""
    days, reason = effort_override_clean(fields.effort_days, fields.effort_reason)
    old_days, old_reason = asset.effort_days_override, asset.effort_override_reason
    changed: dict[str, list[str]] = {}
    if old_days != days:
        changed["estimated_effort_days"] = [
            "" if old_days is None else str(old_days),
            "" if days is None else str(days),
        ]
    if old_reason != reason:
        changed["effort_override_reason"] = [old_reason, reason]
    asset.effort_days_override, asset.effort_override_reason = days, reason
    return changed


@transaction.atomic
def asset_save(*, project: Project, user: User, fields: AssetFields, asset: Asset | None = None) -> Asset:
    """Add an asset to a project, or change one (owners, maintainers, program office)."""
    creating = asset is None
    if asset is None:
        asset = Asset(project=project, slug=_asset_slug(project=project, name=fields.name))
    previous_key = asset.package_key
    for name in ("name", "kind", "description", "url", "package_url"):
        setattr(asset, name, getattr(fields, name))
    effort = _effort_apply(asset=asset, fields=fields)
    asset.save()
    if asset.package_key != previous_key:
        saved = asset
        transaction.on_commit(
            lambda: asset_package_changed.send(sender=Asset, asset=saved, previous_key=previous_key)
        )
    asset.topics.set(named_rows(Topic, fields.topics))
    asset.languages.set(named_rows(Language, fields.languages))
    _change_logged(
        project_id=project.pk,
        user=user,
        action=ProjectChange.Action.EDITED,
        note=f"{'added' if creating else 'changed'} the asset {asset.name}",
    )
    if effort:
        # The value of reuse rests on it: its own line in the audit log, with the figure and the reason.
        days = asset.effort_days_override
        ProjectChange.objects.create(
            project=project,
            actor=user,
            action=ProjectChange.Action.EDITED,
            note=(
                f"set the build effort of {asset.name} to {days} engineer-days: {asset.effort_override_reason}"
                if days is not None
                else f"removed the build effort set for {asset.name}: estimated from its code again"
            ),
            changed_fields=effort,
        )
    return asset


@transaction.atomic
def adoption_create(
    *,
    asset: Asset,
    user: User,
    business_unit: BusinessUnit,
    team: str,
    product: str = "",
    since: date | None = None,
) -> tuple[Adoption, bool]:
    """A team declares that it uses an asset ("Use this"). Returns the adoption and whether it is new:
    the same team of the same unit declaring it again for the same product (names compared trimmed and
    case-insensitively) gets the adoption already recorded, and nothing new is written or counted.

    Raises ValidationError (on `since`) for a start before an earlier adoption of the same team ended:
    the two would count the team twice on the days between."""
    team, product = team.strip(), product.strip()
    since = since or timezone.now().date()
    # Adoptions found in code are the sync's to keep (catalog.services.detected): a team declaring the same
    # use has its own row, and the figures count the team once (adoption_identity).
    same = Adoption.objects.filter(source=AdoptionSource.DECLARED).same_as(
        asset=asset, business_unit=business_unit, team=team, product=product
    )
    existing = same.filter(ended_on__isnull=True).order_by("since", "pk").first()
    if existing is not None:
        return existing, False
    # (An adoption ended on the day it started never counted, so it cannot overlap.)
    overlapping = (
        same.filter(ended_on__gt=since).filter(ended_on__gt=F("since")).order_by("-ended_on").first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "since": f"{overlapping.team}'s earlier adoption ended on {day_text(overlapping.ended_on)}; "
                "a new one starts on that day or later."
            }
        )
    try:
        # Two people may click at the same moment: the unique constraint lets one row in, and the
        # other gets that one (the savepoint keeps the surrounding transaction usable).
        with transaction.atomic():
            adoption = Adoption.objects.create(
                asset=asset,
                business_unit=business_unit,
                team=team,
                product=product,
                since=since,
                created_by=user,
            )
    except IntegrityError:
        existing = same.filter(ended_on__isnull=True).first()
        if existing is None:
            raise
        return existing, False
    note = f"{adoption.team} uses {asset.name}"
    _change_logged(project_id=asset.project_id, user=user, action=ProjectChange.Action.ADOPTED, note=note)
    transaction.on_commit(lambda: asset_adopted.send(sender=Adoption, adoption=adoption, user=user))
    return adoption, True


ADOPTION_END_REFUSED = (
    "Only who recorded this adoption, the project's owners and maintainers, or the program office end it."
)


@transaction.atomic
def adoption_end(*, adoption: Adoption, user: User, on: date | None = None) -> Adoption:
    """The team no longer uses the asset from `on` (today by default; ended_on is exclusive, so the
    adoption leaves every "active" figure on that day). The row stays, with its end date, as history.

    Who recorded it, the asset's editors and the program office may (PermissionDenied otherwise).
    Raises ValidationError for an adoption already ended, and for an end in the future (a future end
    would let the team adopt again while still counted) or before the adoption started."""
    if adoption.source == AdoptionSource.DETECTED:
        raise ValidationError(
            "This adoption was found in code: it ends when the dependency leaves the repository's manifests."
        )
    if not can_end_adoption(user, adoption):
        raise PermissionDenied(ADOPTION_END_REFUSED)
    today = timezone.now().date()
    if adoption.ended_on is not None:
        raise ValidationError(f"This adoption already ended on {day_text(adoption.ended_on)}.")
    if on is None:
        # An adoption declared for a later start and ended before it starts never counted at all.
        on = max(today, adoption.since)
    elif on > today:
        raise ValidationError({"on": "An adoption cannot end in the future; end it on the day it ends."})
    elif on < adoption.since:
        raise ValidationError(
            {"on": f"That is before it started ({day_text(adoption.since)}); choose that day or later."}
        )
    # Only an adoption still open is ended, so that two people ending it at once write one end date.
    if not Adoption.objects.filter(pk=adoption.pk, ended_on__isnull=True).update(ended_on=on):
        adoption.refresh_from_db(fields=["ended_on"])
        raise ValidationError(f"This adoption already ended on {day_text(adoption.ended_on)}.")
    adoption.ended_on = on
    note = f"ended the adoption: {adoption.team} no longer uses {adoption.asset.name} from {day_text(on)}"
    _change_logged(
        project_id=adoption.asset.project_id, user=user, action=ProjectChange.Action.EDITED, note=note
    )
    return adoption


def _change_logged(*, project_id: int, user: User, action: str, note: str) -> None:
    """A change to a project's assets or adoptions: in its change log, and in its search entries (which
    show the assets and count the adoptions)."""
    ProjectChange.objects.create(project_id=project_id, actor=user, action=action, note=note)
    entries_rebuild(project_ids=[project_id])
