"""Reads of the radar of re-built wheels: the clusters waiting for a decision, a page at a time, in a
fixed number of queries, and when they were computed."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Case, Prefetch, QuerySet, When
from django.urls import reverse

from catalog.forms import picked_project_text
from catalog.models import DuplicateCluster, DuplicateMember, DuplicateNotice, DuplicateRun, Project

__all__ = [
    "CLUSTERS_PER_PAGE",
    "RadarPage",
    "cluster_for_viewer",
    "merge_links",
    "radar_clusters",
    "radar_page",
]

CLUSTERS_PER_PAGE = 20


def radar_clusters(*, viewer) -> QuerySet[DuplicateCluster]:
    """The clusters waiting for a decision whose every project `viewer` may see (ProjectQuerySet.visible_to;
    the program office, whose page this is, sees them all) and is still listed: those across business
    units first (a unit that rebuilt its own wheel twice is less news), then the most alike."""
    hidden = Project.objects.exclude(pk__in=Project.objects.listed().visible_to(viewer).values("pk"))
    return (
        DuplicateCluster.objects.filter(dismissal__isnull=True)
        .exclude(members__project__in=hidden.values("pk"))
        .order_by(Case(When(business_units__gt=1, then=1), default=0).desc(), "-similarity", "pk")
    )


def cluster_for_viewer(*, viewer, key: str) -> DuplicateCluster | None:
    """One cluster by its key, among those radar_clusters shows `viewer`, with its members."""
    return (
        radar_clusters(viewer=viewer)
        .prefetch_related(
            Prefetch("members", queryset=DuplicateMember.objects.select_related("project", "asset"))
        )
        .filter(key=key)
        .first()
    )


@dataclass(kw_only=True)
class RadarPage:
    page: Page
    clusters: list[DuplicateCluster]
    last_run: DuplicateRun | None
    last_full_run: DuplicateRun | None
    dismissed: int  # clusters the program office marked "not duplicates", as of the last run
    notices: dict[str, DuplicateNotice] = field(default_factory=dict)  # the latest, by cluster key


def merge_links(cluster: DuplicateCluster) -> list[tuple[str, str, str]]:
    """(duplicate, kept, url) for each other project of the cluster, to merge into its first project:
    the existing merge page, with the project to keep picked (?target=), where the choice can change."""
    # Only members that are projects themselves: a platform whose one asset re-builds a library is no
    # duplicate of that library as a whole.
    projects = [member.project for member in cluster.members.all() if member.asset_id is None]
    if len(projects) < 2:
        return []
    kept = projects[0]
    target = picked_project_text(name=kept.name, slug=kept.slug)
    links = []
    for project in projects[1:]:
        url = reverse("catalog:merge", kwargs={"slug": project.slug})
        links.append((project.name, kept.name, f"{url}?{urlencode({'target': target})}"))
    return links


def radar_page(*, viewer, page_number: str | int | None = 1, per_page: int = CLUSTERS_PER_PAGE) -> RadarPage:
    clusters = (
        radar_clusters(viewer=viewer)
        .select_related("reopens__by")
        .prefetch_related(
            Prefetch(
                "members", queryset=DuplicateMember.objects.select_related("project__business_unit", "asset")
            )
        )
    )
    page = Paginator(clusters, per_page).get_page(page_number)
    shown = list(page.object_list)
    notices: dict[str, DuplicateNotice] = {}
    for notice in DuplicateNotice.objects.filter(cluster_key__in=[c.key for c in shown]).select_related("by"):
        notices.setdefault(notice.cluster_key, notice)
    for cluster in shown:
        cluster.notice = notices.get(cluster.key)
        cluster.merge_links = merge_links(cluster)
    return RadarPage(
        page=page,
        clusters=shown,
        last_run=DuplicateRun.objects.first(),
        last_full_run=DuplicateRun.objects.filter(full=True).first(),
        dismissed=DuplicateCluster.objects.filter(dismissal__isnull=False).count(),
        notices=notices,
    )
