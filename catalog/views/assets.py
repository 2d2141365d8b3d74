"""An asset's page, its editing, and the adoptions recorded and ended on it ("Use this")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from catalog import services
from catalog.dates import day_text
from catalog.effort import assets_effort
from catalog.forms import (
    AdoptionEndForm,
    AdoptionForm,
    AssetForm,
)
from catalog.models import AdoptionSource, Project
from catalog.packages import install_snippet
from catalog.permissions import can_edit_project, can_end_adoption
from catalog.selectors import (
    ADOPTION_RELATED,
    adoptions_shown,
    asset_for_viewer,
    latest_release,
    project_for_viewer,
    similar_entries,
    versions_in_use,
)
from catalog.selectors.consumption import released_tags

# The adoptions an asset page lists at once; the rest behind "Show all".
ADOPTIONS_SHOWN = 10


def _adoption_initial(user) -> dict:
    """The "Use this" form as the person would fill it: today, and their unit and team from their profile
    (read through the ORM relation: catalog imports nothing of community)."""
    initial: dict = {"since": timezone.now().date()}
    profile = getattr(user, "practitioner", None) if user.is_authenticated else None
    if profile is not None:
        if profile.business_unit_id:
            initial["business_unit"] = profile.business_unit_id
        if profile.team:
            initial["team"] = profile.team
    return initial


def _asset_page(request: HttpRequest, project: Project, asset, form: AdoptionForm, status: int = 200):
    """The asset page: its active adoptions (each with an End button for whoever may end it), the
    past ones, and the "Use this" form."""
    editable = can_edit_project(request.user, project)
    adoptions = list(
        adoptions_shown(asset.adoptions.active().select_related(*ADOPTION_RELATED), viewer=request.user)
    )
    teams = asset.adoptions.active().team_count() if adoptions else 0
    used_in_code = any(a.source == AdoptionSource.DETECTED for a in adoptions)
    # Teams whose code uses it and teams that said so; a team both found and declared counts once in `teams`.
    found_in_code = (
        asset.adoptions.active().filter(source=AdoptionSource.DETECTED).team_count() if used_in_code else 0
    )
    declared = (
        asset.adoptions.active().filter(source=AdoptionSource.DECLARED).team_count() if found_in_code else 0
    )
    versions = versions_in_use(
        adoptions,
        # How far behind each version is: read only when the code uses the asset.
        released=released_tags(project_ids=[project.pk]).get(project.pk, []) if used_in_code else [],
    )
    for adoption in adoptions:
        adoption.endable = can_end_adoption(request.user, adoption, edits_project=editable)
    # Who adopted (teams, products, units) is people's data: anonymous visitors see how many, no names.
    adopters_hidden = not request.user.is_authenticated
    past = asset.adoptions.ended().select_related(*ADOPTION_RELATED).order_by("-ended_on", "-pk")
    # "How to use it": the latest release of the project's repositories, and what to paste to use it.
    release = latest_release(project=project)
    snippet = (
        install_snippet(package_url=asset.package_url, version=release.tag if release else None)
        if asset.package_url
        else None
    )
    return render(
        request,
        "catalog/asset_detail.html",
        {
            "project": project,
            "asset": asset,
            "adoptions": adoptions[:ADOPTIONS_SHOWN],
            "more_adoptions": adoptions[ADOPTIONS_SHOWN:],
            "adoption_count": len(adoptions),
            "team_count": teams,
            "teams_found_in_code": found_in_code,
            "teams_declared": declared,
            "versions_in_use": versions,
            "past_adoptions": [] if adopters_hidden else adoptions_shown(list(past), viewer=request.user),
            "adopters_hidden": adopters_hidden,
            "form": form,
            "can_edit": editable,
            "release": release,
            "snippet": snippet,
            "similar": similar_entries(viewer=request.user, asset=asset),
            "effort": assets_effort([asset])[asset.pk],
        },
        status=status,
    )


def asset_detail(request: HttpRequest, slug: str, asset_slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    return _asset_page(request, project, asset, AdoptionForm(initial=_adoption_initial(request.user)))


@login_required
def asset_edit(request: HttpRequest, slug: str, asset_slug: str | None = None) -> HttpResponse:
    """Add an asset to a project (no asset_slug) or change one: owners, maintainers, program office."""
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied(
            "Only the project's owners and maintainers (or the program office) edit its assets."
        )
    asset = asset_for_viewer(project=project, asset_slug=asset_slug) if asset_slug else None
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            asset = services.asset_save(
                project=project, user=request.user, fields=form.to_fields(), asset=asset
            )
            messages.success(request, f"Saved {asset.name}.")
            return redirect(asset)
    else:
        form = AssetForm(initial=AssetForm.initial_from(asset) if asset else None)
    return render(request, "catalog/asset_edit.html", {"form": form, "project": project, "asset": asset})


@login_required
@require_POST
def asset_adopt(request: HttpRequest, slug: str, asset_slug: str) -> HttpResponse:
    project = project_for_viewer(viewer=request.user, slug=slug)
    if not project.is_listed:
        raise PermissionDenied("Only assets of approved projects can be adopted.")
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    form = AdoptionForm(request.POST)
    if form.is_valid():
        try:
            adoption, created = services.adoption_create(asset=asset, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _asset_page(request, project, asset, form, status=400)
    if created:
        messages.success(request, f"Recorded: {adoption.team} uses {asset.name}. Thank you for telling us.")
    else:
        messages.info(
            request,
            f"This is already recorded: {adoption.team} ({adoption.business_unit.name}) uses {asset.name}"
            f"{f' for {adoption.product}' if adoption.product else ''} since {day_text(adoption.since)}. "
            "Nothing new was added.",
        )
    return redirect(asset)


@login_required
def adoption_end(request: HttpRequest, slug: str, asset_slug: str, adoption_id: int) -> HttpResponse:
    """End an adoption: the End button (a POST without `confirm`) shows what will happen and asks to
    confirm, without JavaScript; the confirmed POST ends it. Who recorded it, the asset's editors and
    the program office may."""
    project = project_for_viewer(viewer=request.user, slug=slug)
    asset = asset_for_viewer(project=project, asset_slug=asset_slug)
    adoption = get_object_or_404(
        asset.adoptions.select_related("business_unit", "created_by"), pk=adoption_id
    )
    adoption.asset = asset
    if not can_end_adoption(request.user, adoption):  # before the confirmation page, too
        raise PermissionDenied(services.ADOPTION_END_REFUSED)
    confirmed = request.method == "POST" and "confirm" in request.POST
    form = AdoptionEndForm(request.POST if confirmed else None, initial={"on": timezone.now().date()})
    if confirmed and form.is_valid():
        try:
            services.adoption_end(adoption=adoption, user=request.user, on=form.cleaned_data["on"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Ended: {adoption.team} no longer uses {asset.name}.")
            return redirect(asset)
    return render(
        request,
        "catalog/adoption_end.html",
        {"project": project, "asset": asset, "adoption": adoption, "form": form},
        status=400 if form.errors else 200,
    )
