"""Who may see and who may do what in the catalog: the one place each of these rules is written.

Nothing here imports the catalog's models, so that the models (whose `ProjectQuerySet.visible_to` is the
visibility rule as a query) can build on it. Fetching one project or asset for a viewer, with a 404 for
hidden and missing alike, is `catalog.selectors.project_for_viewer` / `asset_for_viewer`.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

# The project roles that may edit a project, its assets and its community (ProjectRole.Role values).
EDITOR_ROLES = ("owner", "maintainer")


def is_program_office(user) -> bool:
    """Program-office members (and superusers) curate the catalog and see every project. Remembered on
    the user object, which lives for one request, because many checks of a page ask it."""
    if user is None or not user.is_authenticated:
        return False
    cached = getattr(user, "_is_program_office", None)
    if cached is None:
        cached = user.is_superuser or any(
            group.name == settings.PROGRAM_OFFICE_GROUP for group in user.groups.all()
        )
        user._is_program_office = cached
    return cached


def viewer_unit_id(user) -> int | None:
    """The business unit that decides what a signed-in person sees: their practitioner profile's unit,
    which only a trusted source sets (single sign-on, the organisation directory, the program office).
    A unit the person merely asked for is not it. Read through the ORM relation: the catalog never
    imports the community app."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.practitioner.business_unit_id
    except ObjectDoesNotExist:
        return None


def can_edit_project(user, project) -> bool:
    """Owners and maintainers of the project, and the program office, edit it, its assets and its
    community (trusted committers, adoptions recorded against it)."""
    if is_program_office(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return project.roles.filter(user=user, role__in=EDITOR_ROLES).exists()


def can_end_adoption(user, adoption, *, edits_project: bool | None = None) -> bool:
    """Who recorded an adoption (for their team), the asset's project owners and maintainers, and the
    program office end it. A page listing many adoptions of one project passes what can_edit_project
    answered for it as `edits_project`, rather than asking again for each adoption."""
    if user is None or not user.is_authenticated:
        return False
    # AdoptionSource.DETECTED (catalog.models imports this module): found in code, an adoption ends when
    # the dependency leaves the manifests, not by hand.
    if adoption.source == "detected":
        return False
    if adoption.created_by_id is not None and adoption.created_by_id == user.pk:
        return True
    if edits_project is None:
        edits_project = can_edit_project(user, adoption.asset.project)
    return edits_project
