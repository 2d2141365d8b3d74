"""Reads about projects that several views need: look-alike registrations, the home page's highlights."""

import difflib

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.text import slugify

from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    EntryType,
    Project,
    ReviewStatus,
    SearchEntry,
)
from catalog.search_index import uses_postgres

HIDDEN_PROJECT = "a project restricted to other business units (ask the program office)"
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


def asset_for_viewer(*, viewer, project: Project, asset_slug: str) -> Asset:
    """An asset of a project already fetched with project_for_viewer; Http404 when missing."""
    asset = project.assets.filter(slug=asset_slug).first()
    if asset is None:
        raise Http404("This project offers no such asset.")
    asset.project = project
    return asset


def project_duplicates(
    *, name: str, repository_urls: list[str], viewer, exclude_pk: int | None = None
) -> list[dict]:
    """Projects that look like the one being registered: the same repository, or a very similar name.

    A restricted project the person does not see still blocks its repository, without being named;
    it is never offered as a similar name."""
    from catalog.services import normalise_repository_url

    found: dict[int, dict] = {}
    urls = [normalise_repository_url(u) for u in repository_urls if u.strip()]
    live = Project.objects.exclude(review_status=ReviewStatus.REJECTED).filter(merged_into__isnull=True)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    if urls:
        seen = set(live.visible_to(viewer).filter(repositories__url__in=urls).values_list("pk", flat=True))
        for project in live.filter(repositories__url__in=urls).distinct()[:10]:
            shown = project.pk in seen
            found[project.pk] = {
                "project": project if shown else None,
                "name": project.name if shown else HIDDEN_PROJECT,
                "reason": "registers the same repository",
                "blocking": True,
            }
    live = live.visible_to(viewer)
    name = name.strip()
    if len(name) >= 3:
        if uses_postgres():
            similar = (
                live.filter(Q(name__trigram_similar=name) | Q(slug=slugify(name)))
                .annotate(similarity=TrigramSimilarity("name", name))
                .filter(Q(similarity__gte=0.5) | Q(slug=slugify(name)))
                .order_by("-similarity")[:5]
            )
        else:
            candidates = list(live.only("pk", "name", "slug", "description", "review_status")[:5000])
            similar = [
                p
                for p in candidates
                if p.slug == slugify(name)
                or difflib.SequenceMatcher(None, p.name.lower(), name.lower()).ratio() >= 0.75
            ][:5]
        for project in similar:
            found.setdefault(
                project.pk,
                {
                    "project": project,
                    "name": project.name,
                    "reason": "has a very similar name",
                    "blocking": False,
                },
            )
    return list(found.values())


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
