"""What a project uses from the catalog, found in its code, and how far behind each asset's releases it is
(the Code Consumers pattern, issue 18)."""

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from catalog.models import Adoption, AdoptionSource, Asset, Project, Repository
from catalog.packages import plain_version

__all__ = ["Consumed", "project_consumption", "releases_behind", "version_in_use", "versions_in_use"]

# What a manifest writes before the version itself: a pin or a range's lower bound ("==2.1.0", "^2.1",
# "~> 2.1", ">=2.1"), or a tag's "v".
_OPERATOR = re.compile(r"^\s*(?:===|==|~=|>=|\^|~>|~|=)?\s*")


def version_in_use(written: str) -> Version | None:
    """The version a manifest says is in use: its pin, or the lower bound of its range ("^2.1" uses 2.1 or
    later: counted from 2.1, the releases behind are an upper bound); None when it names no version (a
    branch, a digest, "*", or a compound range)."""
    text = _OPERATOR.sub("", written or "", count=1)
    if not text or any(mark in text for mark in ",| <>*"):
        return None
    try:
        return Version(plain_version(text))
    except InvalidVersion:
        return None


def releases_behind(*, in_use: str, released: list[str]) -> int | None:
    """How many of the asset's published releases (tags) are newer than the version in use; None when
    the version in use cannot be told."""
    used = version_in_use(in_use)
    if used is None:
        return None
    newer = 0
    for tag in released:
        try:
            newer += Version(plain_version(tag)) > used
        except InvalidVersion:
            continue
    return newer


# The releases read for a project page, newest first: far more than a page's assets ever publish, and a
# bound on the read however long their histories.
RELEASES_READ = 2000


@dataclass(frozen=True)
class Consumed:
    asset: Asset
    version: str  # as the manifest writes it
    manifest_path: str
    manifest_line: int
    latest: str  # the asset's latest published release ("" when none)
    behind: int | None  # releases newer than the version in use; None when it cannot be told


def project_consumption(*, project: Project, viewer) -> list[Consumed]:
    """The catalog's assets `project`'s repositories use now (adoptions found in code), those of projects
    the viewer may see (ProjectQuerySet.visible_to), with how many releases behind each is: most behind
    first. A fixed number of queries, however many assets."""
    visible = Project.objects.listed().visible_to(viewer)
    adoptions = list(
        Adoption.objects.active()
        .filter(source=AdoptionSource.DETECTED, repository__project=project, asset__project__in=visible)
        .select_related("asset__project")
        .order_by("asset__name", "pk")
    )
    if not adoptions:
        return []
    # Releases belong to the metrics app: read through the repository's relation (catalog.selectors
    # .projects.latest_release does the same for one project).
    release_model = Repository._meta.get_field("releases").related_model
    released: dict[int, list[tuple[str, object]]] = {}
    for project_id, tag, published_at in (
        release_model._default_manager.filter(
            repository__project__in={a.asset.project_id for a in adoptions},
            draft=False,
            prerelease=False,
            published_at__isnull=False,
        )
        .order_by("-published_at", "-pk")
        .values_list("repository__project_id", "tag", "published_at")[:RELEASES_READ]
    ):
        released.setdefault(project_id, []).append((tag, published_at))
    found: dict[int, Consumed] = {}
    for adoption in adoptions:
        tags = [tag for tag, _ in released.get(adoption.asset.project_id, [])]
        found.setdefault(
            adoption.asset_id,
            Consumed(
                asset=adoption.asset,
                version=adoption.version,
                manifest_path=adoption.manifest_path,
                manifest_line=adoption.manifest_line,
                latest=plain_version(tags[0]) if tags else "",
                behind=releases_behind(in_use=adoption.version, released=tags),
            ),
        )
    return sorted(found.values(), key=lambda c: (-(c.behind or 0), c.asset.name.lower()))


def versions_in_use(adoptions: list[Adoption]) -> list[tuple[str, int]]:
    """(version as written, how many repositories use it) among these adoptions found in code, newest
    version first (those that name no version last, as written)."""
    counts: dict[str, int] = {}
    for adoption in adoptions:
        if adoption.source == AdoptionSource.DETECTED:
            counts[adoption.version or "—"] = counts.get(adoption.version or "—", 0) + 1

    def newest_first(item: tuple[str, int]) -> tuple[int, Version, str]:
        version = version_in_use(item[0])
        return (0, version, item[0]) if version is not None else (1, Version("0"), item[0])

    ordered = sorted(counts.items(), key=newest_first)
    # Newest first among those that name a version: sorted ascending above, so reverse that part.
    named = [item for item in ordered if version_in_use(item[0]) is not None][::-1]
    return named + [item for item in ordered if version_in_use(item[0]) is None]
