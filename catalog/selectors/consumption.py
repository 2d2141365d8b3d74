"""What a project uses from the catalog, found in its code, and how far behind each asset's releases it is
(the Code Consumers pattern, issue 18)."""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from packaging.version import InvalidVersion, Version

from catalog.models import Adoption, AdoptionSource, Asset, Project, Repository
from catalog.packages import plain_version

__all__ = [
    "Consumed",
    "behind_said",
    "version_said",
    "project_consumption",
    "published_releases",
    "released_tags",
    "releases_behind",
    "version_in_use",
    "versions_in_use",
    "VersionInUse",
]

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


def version_said(written: str) -> str:
    """The version in use as people are told it: "2.1.0" for "==2.1.0", "^2.1.0" or "v2.1.0"; as written
    when it names none that can be told."""
    used = version_in_use(written)
    return str(used) if used is not None else written


def behind_said(*, behind: int, in_use: str, latest: str) -> str:
    """How far behind, in the words the project page and the consumer digest both use:
    "3 releases behind, 2.1.0 → 2.4.0" (`in_use` as version_said tells it)."""
    return f"{behind} release{'s' if behind != 1 else ''} behind, {in_use} → {latest}"


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


def published_releases(*, project_ids: Collection[int]) -> QuerySet:
    """The releases of the assets of these projects: those the sync recorded on the project's
    repositories (an asset is released with its project), published, neither drafts nor pre-releases.
    The one rule of which releases count for consumers (how far behind, whom to tell). Releases belong to
    the metrics app: read through the repository's relation (catalog does not import metrics)."""
    release_model = Repository._meta.get_field("releases").related_model
    return release_model._default_manager.filter(
        repository__project__in=list(project_ids),
        draft=False,
        prerelease=False,
        published_at__isnull=False,
    )


def released_tags(*, project_ids: Collection[int]) -> dict[int, list[str]]:
    """{project id: the tags of its published releases, newest first}, RELEASES_READ at most in all."""
    released: dict[int, list[str]] = {}
    for project_id, tag in (
        published_releases(project_ids=project_ids)
        .order_by("-published_at", "-pk")
        .values_list("repository__project_id", "tag")[:RELEASES_READ]
    ):
        released.setdefault(project_id, []).append(tag)
    return released


@dataclass(frozen=True)
class Consumed:
    asset: Asset
    version: str  # as the manifest writes it
    manifest_path: str
    manifest_line: int
    latest: str  # the asset's latest published release ("" when none)
    behind: int | None  # releases newer than the version in use; None when it cannot be told

    @property
    def behind_text(self) -> str:
        """ "3 releases behind, 2.1.0 → 2.4.0"; "" when not behind (or it cannot be told)."""
        if not self.behind:
            return ""
        return behind_said(behind=self.behind, in_use=version_said(self.version), latest=self.latest)


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
    released = released_tags(project_ids={a.asset.project_id for a in adoptions})
    found: dict[int, Consumed] = {}
    for adoption in adoptions:
        tags = released.get(adoption.asset.project_id, [])
        consumed = Consumed(
            asset=adoption.asset,
            version=adoption.version,
            manifest_path=adoption.manifest_path,
            manifest_line=adoption.manifest_line,
            latest=plain_version(tags[0]) if tags else "",
            behind=releases_behind(in_use=adoption.version, released=tags),
        )
        # Used by several of the project's repositories: the one furthest behind is the one to upgrade.
        kept = found.get(adoption.asset_id)
        if kept is None or (consumed.behind or 0) > (kept.behind or 0):
            found[adoption.asset_id] = consumed
    return sorted(found.values(), key=lambda c: (-(c.behind or 0), c.asset.name.lower()))


@dataclass(frozen=True)
class VersionInUse:
    version: str  # as the manifests write it ("—" when they name none)
    repositories: int  # how many repositories use it
    # Who uses it: one adoption per consumer as adoptions_shown names it (the project, or "A project of
    # <unit>" for a viewer who may not see it), in name order.
    consumers: list[Adoption]
    # Releases of the asset newer than this version (releases_behind); None when it cannot be told.
    behind: int | None = None


def versions_in_use(adoptions: Sequence[Adoption], *, released: Sequence[str] = ()) -> list[VersionInUse]:
    """The asset's consumers by version, among these adoptions found in code, passed through
    catalog.selectors.adoptions_shown for the viewer: newest version first (those that name no version
    last, as written), each with how many of `released` (the asset's published release tags,
    released_tags) are newer."""
    by_version: dict[str, list[Adoption]] = {}
    for adoption in adoptions:
        if adoption.source == AdoptionSource.DETECTED:
            by_version.setdefault(adoption.version or "—", []).append(adoption)

    def newest_first(version: str) -> tuple[int, Version, str]:
        parsed = version_in_use(version)
        # Negated through the sort's reverse below: named versions first, newest first; the rest by name.
        return (1, parsed, "") if parsed is not None else (0, Version("0"), version)

    named = sorted((v for v in by_version if version_in_use(v) is not None), key=newest_first, reverse=True)
    unnamed = sorted(v for v in by_version if version_in_use(v) is None)
    found = []
    for version in named + unnamed:
        consumers: dict[str, Adoption] = {}
        for adoption in by_version[version]:
            consumers.setdefault(adoption.shown_team, adoption)
        found.append(
            VersionInUse(
                version=version,
                repositories=len(by_version[version]),
                consumers=[consumers[name] for name in sorted(consumers, key=str.lower)],
                behind=releases_behind(in_use=version, released=list(released)) if released else None,
            )
        )
    return found
