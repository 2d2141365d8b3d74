"""Adoptions found in code: what the dependency manifests of a synced repository use from the catalog.

The sync (metrics) reads the manifests of a repository's default branch and hands their dependencies to
detected_adoptions_update, which keeps the repository's detected adoptions in step with them: a
dependency on an asset's package (catalog.packages.package_key, the one rule of "the same package")
starts an adoption by the repository's project (its name is the team, its unit the unit), a changed
version or place updates it, and a dependency gone ends it that day. A module taken from a git
repository on a host that is not GitHub or GitLab (pkg:generic/…?vcs_url=git+…) is also the asset of the
project whose catalog repository that is, when the project offers one asset without package coordinates
(_repository_assets). A project's use of its own assets is no reuse, and a project the catalog does not
list (waiting for review, rejected, merged) adopts nothing.
"""

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import reduce
from operator import or_
from typing import Protocol
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.git_urls import repository_address
from catalog.models import Adoption, AdoptionSource, Asset, Project, ProjectChange, Repository
from catalog.packages import package_keys_matching, package_repository
from catalog.search_index import entries_rebuild

__all__ = ["DetectedChanges", "FoundDependency", "detected_adoptions_update"]


class FoundDependency(Protocol):
    """A dependency as metrics.manifests.Dependency gives it (read-only, as that frozen dataclass is)."""

    @property
    def purl(self) -> str: ...  # as catalog.packages.package_key writes it

    @property
    def version(self) -> str: ...

    @property
    def path(self) -> str: ...

    @property
    def line(self) -> int: ...


@dataclass(frozen=True)
class DetectedChanges:
    started: list[Adoption]
    updated: list[Adoption]
    ended: list[Adoption]


# A version written as a range or a wildcard ("^2.1", "~> 2.1", ">=2,<3", "2.x", "*") rather than one release.
_RANGE = re.compile(r"[\^~<>=*|, ]|(^|\.)[xX](\.|$)")


def _in_use(found: list[FoundDependency]) -> FoundDependency:
    """The mention that best says which version is in use: a lock file's exact version before a
    manifest's range, then the first in path and line order."""
    return min(found, key=lambda d: (not d.version or bool(_RANGE.search(d.version)), d.path, d.line))


def _repository_assets(
    mentions: dict[str, list[FoundDependency]], *, consumer: Project
) -> list[tuple[Asset, list[FoundDependency]]]:
    """The assets that stand for the git repositories these dependencies are taken from (generic
    packages with a git vcs_url; their keys without a folder, which package_keys_matching adds): of a
    listed project other than `consumer`, one of whose catalog repositories is that repository (its URL
    in any spelling, ssh:// or https://: catalog.git_urls.repository_address), the one asset that has no
    package coordinates of its own. A project offering several such assets does not say which one a
    module is: none is taken, and their package URLs can tell."""
    used: dict[str, list[FoundDependency]] = {}
    for key, found in mentions.items():
        if "#" not in key and (repository := package_repository(key)):
            used[repository] = found
    if not used:
        return []
    hosts = sorted({urlsplit(repository).hostname or "" for repository in used})
    # The host narrows the scan; the address decides.
    rows = Repository.objects.filter(
        reduce(or_, (Q(url__icontains=host) for host in hosts)), project__in=Project.objects.listed()
    ).exclude(project=consumer)
    by_project: dict[int, list[FoundDependency]] = defaultdict(list)
    for row in rows.only("pk", "url", "project_id").order_by("pk"):
        by_project[row.project_id] += used.get(repository_address(row.url), [])
    offered: dict[int, list[Asset]] = defaultdict(list)
    for asset in Asset.objects.filter(
        project_id__in=[pk for pk, found in by_project.items() if found], package_key=""
    ).select_related("project"):
        offered[asset.project_id].append(asset)
    return [(assets[0], by_project[pk]) for pk, assets in offered.items() if len(assets) == 1]


@transaction.atomic
def detected_adoptions_update(
    *,
    repository: Repository,
    dependencies: Iterable[FoundDependency],
    unreadable_paths: Collection[str] = (),
    on: date | None = None,
) -> DetectedChanges:
    """Keep `repository`'s detected adoptions in step with the dependencies its manifests declare now
    (all of them: a dependency left out is taken as removed), except those found in `unreadable_paths`,
    manifests that could not be read this time: what they declare is unknown, so their adoptions stay as
    they were. `on` is the day of the sync (today by default). Idempotent: the same dependencies again
    change nothing."""
    day = on or timezone.now().date()
    # When it was recorded: now, or at noon of the day given (a demo or a backfill writes the past).
    moment = timezone.now() if on is None else datetime.combine(on, time(12), tzinfo=UTC)
    project = repository.project
    listed = Project.objects.listed().filter(pk=project.pk).exists()
    mentions: dict[str, list[FoundDependency]] = defaultdict(list)
    if listed:
        for dependency in dependencies:
            for key in package_keys_matching(dependency.purl):
                mentions[key].append(dependency)
    assets = (
        Asset.objects.filter(package_key__in=list(mentions), project__in=Project.objects.listed())
        .exclude(project=project)
        .select_related("project")
        .order_by("pk")
    )
    matched = [(asset, mentions[asset.package_key]) for asset in assets]
    matched += _repository_assets(mentions, consumer=project)
    wanted = {asset.pk: (asset, _in_use(found)) for asset, found in matched}
    current = {
        adoption.asset_id: adoption
        for adoption in Adoption.objects.filter(
            source=AdoptionSource.DETECTED, repository=repository, ended_on__isnull=True
        ).select_related("asset")
    }
    started = [
        Adoption(
            asset=asset,
            business_unit_id=project.business_unit_id,
            team=project.name[:120],
            product="",
            since=day,
            source=AdoptionSource.DETECTED,
            repository=repository,
            version=found.version[:100],
            manifest_path=found.path[:500],
            manifest_line=found.line,
            created_at=moment,
        )
        for asset_id, (asset, found) in wanted.items()
        if asset_id not in current
    ]
    updated = []
    for asset_id, (_asset, found) in wanted.items():
        adoption = current.get(asset_id)
        place = (found.version[:100], found.path[:500], found.line)
        if (
            adoption is not None
            and (adoption.version, adoption.manifest_path, adoption.manifest_line) != place
        ):
            adoption.version, adoption.manifest_path, adoption.manifest_line = place
            updated.append(adoption)
    ended = [
        adoption
        for asset_id, adoption in current.items()
        if asset_id not in wanted and adoption.manifest_path not in unreadable_paths
    ]
    for adoption in ended:
        adoption.ended_on = max(day, adoption.since)
    Adoption.objects.bulk_create(started)
    Adoption.objects.bulk_update(updated, ["version", "manifest_path", "manifest_line"])
    Adoption.objects.bulk_update(ended, ["ended_on"])
    unit_name = project.business_unit.name if started else ""
    ProjectChange.objects.bulk_create(
        ProjectChange(
            project=adoption.asset.project,
            actor=None,
            action=ProjectChange.Action.ADOPTED,
            # Not naming the consuming project: it may be restricted, and the asset's history is not.
            note=f"{adoption.asset.name} found in use in the code of a project of {unit_name}",
            created_at=moment,
        )
        for adoption in started
    )
    # The index counts each asset's adoptions.
    changed = {adoption.asset.project_id for adoption in started + ended}
    if changed:
        entries_rebuild(project_ids=sorted(changed))
    return DetectedChanges(started=started, updated=updated, ended=ended)
