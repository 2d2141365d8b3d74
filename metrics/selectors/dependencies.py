"""The dependencies that repositories' manifests declare, as the sync last read them (ManifestFile)."""

from collections.abc import Iterable

from metrics.manifests import Dependency
from metrics.models import ManifestFile


def repository_dependencies(*, repository_ids: Iterable[int]) -> dict[int, list[Dependency]]:
    """{repository id: its dependencies}, one query for any number of repositories: by file path, then
    in the order each file writes them. Repositories without any (or whose manifests could not be read)
    are left out; the files that could not be read are in ManifestFile.error."""
    ids = sorted(set(repository_ids))
    found: dict[int, list[Dependency]] = {}
    if not ids:
        return found
    rows = (
        ManifestFile.objects.filter(repository_id__in=ids, error="")
        .order_by("repository_id", "path")
        .values_list("repository_id", "path", "dependencies")
    )
    for repository_id, path, dependencies in rows.iterator(chunk_size=2000):
        for item in dependencies or []:
            found.setdefault(repository_id, []).append(
                Dependency(
                    purl=str(item.get("purl", "")),
                    version=str(item.get("version", "")),
                    path=path,
                    line=int(item.get("line") or 0),
                )
            )
    return found
