"""The dependency manifests of a repository's default branch: which files, whether they changed, what is
kept (issue 18: adoptions detected in code).

Every forge lists the branch's whole tree with each file's git blob id (GitHub's recursive trees API,
GitLab's recursive repository tree, `git ls-tree -r`). A manifest is read again only when the blob at
its path is another than the stored one, so an unchanged manifest costs neither a request nor parsing;
a stored manifest the listing no longer shows is removed. A full sync lists the tree again but reads
no more than an incremental one: a blob id names the file's content, so fetching it again could only
give the same bytes, and the nightly full sync would otherwise re-read every manifest of every
repository. When a parser of metrics.manifests changes what it finds, a data migration clearing
`ManifestFile.blob_sha` makes the next sync read every manifest again.

The work is bounded, whatever the repository holds:
- vendored folders (SKIPPED_FOLDERS, at any depth) are not read: their manifests are other projects';
- at most MAX_FILES manifests per repository, those nearest the root first (then by path), so that the
  same files are chosen every time;
- a file over MAX_BYTES is not fetched (where the listing gives sizes) or not kept (where it does not):
  it is stored with that as its error. Lock files of large applications reach a few megabytes; beyond,
  they list mostly transitive dependencies, and the direct ones are in their package.json / pyproject.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from catalog.models import Repository
from catalog.parsing import size_text
from metrics.manifests import ManifestError, dependencies_in, is_manifest
from metrics.models import ManifestFile
from metrics.sync.code_size import code_size
from metrics.sync.records import ManifestRecord, ManifestScan

MAX_FILES = 200
MAX_BYTES = 2 * 1024 * 1024
SKIPPED_FOLDERS = frozenset({"node_modules", "vendor", "third_party"})
MAX_PATH = ManifestFile._meta.get_field("path").max_length or 400
MAX_ERROR = 1000


@dataclass(frozen=True)
class Blob:
    """A file of a tree listing: its path from the root, its git blob id, its size where the forge says."""

    path: str
    sha: str
    size: int | None = None


def _vendored(path: str) -> bool:
    return any(part in SKIPPED_FOLDERS for part in path.split("/")[:-1])


def manifest_blobs(blobs: Iterable[Blob]) -> list[Blob]:
    """The manifests among a listing's files that the sync reads (see the module's bounds)."""
    chosen = [
        blob
        for blob in blobs
        if blob.sha and len(blob.path) <= MAX_PATH and is_manifest(blob.path) and not _vendored(blob.path)
    ]
    chosen.sort(key=lambda blob: (blob.path.count("/"), blob.path))
    return chosen[:MAX_FILES]


def manifest_record(*, path: str, sha: str, raw: bytes | None) -> ManifestRecord:
    """What is kept of one manifest: its dependencies, or why they are unknown. `raw` None or longer
    than MAX_BYTES: the file was too large to read."""
    if raw is None or len(raw) > MAX_BYTES:
        return ManifestRecord(
            path=path, sha=sha, error=f"{path}: larger than {size_text(MAX_BYTES)}, not read"
        )
    # Invalid UTF-8 is replaced rather than refused (a parser then says what it cannot read); NUL
    # characters, which PostgreSQL refuses in text, are dropped.
    text = raw.decode("utf-8", "replace").replace("\x00", "")
    try:
        found = dependencies_in(path=path, text=text)
    except ManifestError as error:
        return ManifestRecord(path=path, sha=sha, error=str(error).replace("\x00", "")[:MAX_ERROR])
    return ManifestRecord(
        path=path,
        sha=sha,
        dependencies=[{"purl": d.purl, "version": d.version, "line": d.line} for d in found],
    )


def manifest_scan(
    *,
    repository: Repository,
    blobs: Iterable[Blob],
    fetch: Callable[[Blob], bytes | None],
    complete: bool = True,
    count: Callable[[list[Blob]], dict[str, int] | None] | None = None,
    sizes: Callable[[list[Blob]], dict[str, int] | None] | None = None,
) -> ManifestScan | None:
    """The manifests of a listing, reading (`fetch`: the blob's bytes, None when too large to fetch)
    only those whose blob changed, and the size of its source code when that changed (`count`: the
    forge's line counter, `sizes`: its reader of the sizes the listing lacks, see
    metrics.sync.code_size; a listing cut short is not sized); None when nothing changed."""
    blobs = list(blobs)
    code = code_size(repository=repository, blobs=blobs, count=count, sizes=sizes) if complete else None
    listed = manifest_blobs(blobs)
    stored = dict(ManifestFile.objects.filter(repository=repository).values_list("path", "blob_sha"))
    paths = {blob.path: blob.sha for blob in listed}
    changed = [blob for blob in listed if stored.get(blob.path) != blob.sha]
    gone = complete and any(path not in paths for path in stored)
    if not changed and not gone:
        return (
            None if code is None else ManifestScan(listed=paths, read=[], code=code, manifests_changed=False)
        )
    read = []
    for blob in changed:
        too_large = blob.size is not None and blob.size > MAX_BYTES
        raw = None if too_large else fetch(blob)
        read.append(manifest_record(path=blob.path, sha=blob.sha, raw=raw))
    return ManifestScan(listed=paths, read=read, complete=complete, code=code)


__all__ = [
    "MAX_BYTES",
    "MAX_FILES",
    "SKIPPED_FOLDERS",
    "Blob",
    "manifest_blobs",
    "manifest_record",
    "manifest_scan",
]
