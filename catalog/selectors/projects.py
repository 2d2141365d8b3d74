"""Reads about projects that several views need: one project or asset for a viewer (project_for_viewer,
the one visibility rule applied to a slug), the home page's highlights, a project's latest release.
Look-alike registrations are catalog.selectors.registrations'."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from catalog.models import Adoption, Asset, BusinessUnit, EntryType, Project, Repository, SearchEntry
from catalog.packages import plain_version
from catalog.repositories import forge_release_url
from catalog.selectors.consumption import published_releases

NOT_FOUND = "No such project in the catalog."


def project_for_viewer(*, viewer, slug: str, merged: bool = False) -> Project:
    """The project `slug` names, if this person may see it (ProjectQuerySet.visible_to); Http404 for
    a hidden project and a missing one alike, so that not even a project's existence shows.

    A project merged into another is returned only when `merged` is asked for (its page redirects to
    the survivor), and only when the survivor is visible too: the redirect would name it."""
    project = (
        Project.objects.visible_to(viewer)
        .select_related("business_unit", "merged_into")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        raise Http404(NOT_FOUND)
    if project.merged_into_id is not None and not (merged and project.merged_into.is_visible_to(viewer)):
        raise Http404(NOT_FOUND)
    return project


def assets_visible_to(viewer) -> QuerySet:
    """The assets this person may know of: those of listed projects they see."""
    return Asset.objects.filter(project__in=Project.objects.listed().visible_to(viewer).values("pk"))


def asset_for_viewer(*, project: Project, asset_slug: str) -> Asset:
    """An asset of a project already fetched for the viewer with project_for_viewer (whose visibility is
    the asset's); Http404 when missing."""
    asset = project.assets.filter(slug=asset_slug).first()
    if asset is None:
        raise Http404("This project offers no such asset.")
    asset.project = project
    return asset


def home_highlights() -> dict:
    """What the home page shows: featured and new projects, most adopted assets, the catalog in figures."""
    # The home page is the same for everyone (and cacheable): restricted projects are never on it.
    listed = Project.objects.listed().visible_to(None)  # what anyone, signed in or not, may see
    entries = (
        SearchEntry.objects.filter(restricted=False)
        .select_related("business_unit")
        .prefetch_related("languages")
    )
    return {
        "featured": list(
            entries.filter(entry_type=EntryType.PROJECT, featured=True).order_by("-activity_score")[:6]
        ),
        "newest": list(entries.filter(entry_type=EntryType.PROJECT).order_by("-created_at")[:4]),
        "most_adopted": list(
            entries.filter(entry_type=EntryType.ASSET).order_by("-adoption_count", "name")[:5]
        ),
        "wanting_help": list(
            entries.filter(entry_type=EntryType.PROJECT, wants_contributions=True).order_by(
                "-activity_score"
            )[:4]
        ),
        "figures": {
            "projects": listed.count(),
            "assets": entries.filter(entry_type=EntryType.ASSET).count(),
            "adoptions": Adoption.objects.active().filter(asset__project__in=listed).count(),
            "business_units": BusinessUnit.objects.count(),
        },
    }


@dataclass(frozen=True)
class LatestRelease:
    tag: str
    name: str
    version: str  # the tag as a version: v1.2.0 is 1.2.0
    published_at: datetime
    repository_url: str
    url: str  # the release's page on its forge, or ""


def latest_release(*, project: Project) -> LatestRelease | None:
    """The newest published release (neither a draft nor a pre-release) of the project's repositories,
    as the forge sync recorded it: of the releases that count (consumption.published_releases)."""
    row = (
        published_releases(project_ids=[project.pk])
        .order_by("-published_at", "-pk")
        .values("tag", "name", "published_at", "repository__url", "repository__forge")
        .first()
    )
    if row is None:
        return None
    repository = Repository(url=row["repository__url"], forge=row["repository__forge"])
    return LatestRelease(
        tag=row["tag"],
        name=row["name"],
        version=plain_version(row["tag"]),
        published_at=row["published_at"],
        repository_url=row["repository__url"],
        url=forge_release_url(repository=repository, tag=row["tag"]),
    )
