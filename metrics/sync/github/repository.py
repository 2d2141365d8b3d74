"""The GitHub sync's reading of a repository itself: its statistics, which files it has, its README,
its dependency manifests and good-first issues (one batch, at most daily when nothing happened)."""

from urllib.parse import quote

from django.utils import timezone

from catalog.models import Repository
from metrics.models import SyncState
from metrics.sync import github_payloads as payloads
from metrics.sync.github.common import GOOD_FIRST_ISSUE_LABEL, answered, iso, keep_etag, translated
from metrics.sync.http import ForgeError, ForgeHTTP, Page
from metrics.sync.manifest_scan import Blob, manifest_scan
from metrics.sync.readme import GITHUB_FOLDERS, base64_content, readme_blob, readme_record, readme_unchanged
from metrics.sync.records import NO_README, ActivityBatch, ManifestScan, ReadmeRecord


class RepositoryReader:
    """Reads through the adapter's client (and so with its ETags)."""

    def __init__(self, http: ForgeHTTP) -> None:
        self.http = http

    def _optional(
        self, path: str, *, params: dict | None = None, missing: tuple[int, ...] = (404,)
    ) -> Page | None:
        try:
            return self.http.get(path, params=params, conditional=False)
        except ForgeError as error:
            if answered(error, *missing):
                return None
            raise

    def stats_batch(
        self, *, base: str, repository: Repository, state: SyncState, full: bool
    ) -> ActivityBatch:
        repo = self.http.get(base, conditional=False).data
        if not isinstance(repo, dict):
            raise ForgeError("GitHub sent a malformed repository")
        stats = translated("repository", payloads.repository_stats, repo)
        participation = self._optional(f"{base}/stats/participation", missing=(404, 422))
        # 202: GitHub is still computing the statistics; 204: an empty repository. Keep what we had.
        if participation is not None and participation.status == 200 and isinstance(participation.data, dict):
            weekly = participation.data.get("all")
            if isinstance(weekly, list) and all(isinstance(n, int) for n in weekly):
                stats.participation = weekly
        listings: dict[str, list[dict]] = {}
        root = self._optional(f"{base}/contents/")  # 404 for an empty repository
        listings[""] = root.data if root is not None and isinstance(root.data, list) else []
        folders = {e.get("name") for e in listings[""] if isinstance(e, dict) and e.get("type") == "dir"}
        for folder in (".github", "docs"):
            if folder in folders:  # asking only for folders that exist spares a 404 per sync
                listing = self._optional(f"{base}/contents/{folder}")
                listings[folder] = (
                    listing.data if listing is not None and isinstance(listing.data, list) else []
                )
        stats.files_present = payloads.files_present(listings)
        stats.readme = self._readme(base=base, repository=repository, listings=listings, full=full)
        stats.manifests = self._manifests(
            base=base, repository=repository, state=state, branch=stats.default_branch
        )
        labelled = self.http.get(
            f"{base}/issues",
            params={"labels": GOOD_FIRST_ISSUE_LABEL, "state": "open", "per_page": 1},
            conditional=False,
        )
        stats.has_good_first_issues = isinstance(labelled.data, list) and bool(labelled.data)
        state.cursors["stats_at"] = iso(timezone.now())
        return ActivityBatch(stats=stats)

    def _readme(
        self, *, base: str, repository: Repository, listings: dict[str, list[dict]], full: bool
    ) -> ReadmeRecord | None:
        """The README GitHub shows, read only when the listings show another blob than the stored one
        (or on a full sync); None when it is unchanged."""
        files = [
            (f"{folder}/{entry['name']}".lstrip("/"), str(entry.get("sha") or ""))
            for folder, entries in listings.items()
            for entry in entries
            if isinstance(entry, dict) and entry.get("name") and entry.get("type") in ("file", "symlink")
        ]
        if readme_blob(files, folders=GITHUB_FOLDERS) is None:
            return NO_README if repository.readme_path else None
        if not full and readme_unchanged(repository, files):
            return None
        answer = self._optional(f"{base}/readme")
        if answer is None:
            return NO_README
        if not isinstance(answer.data, dict) or not answer.data.get("path"):
            raise ForgeError("GitHub sent a malformed README")
        data = answer.data
        raw = translated("README", base64_content, data)
        size = data.get("size")
        return readme_record(
            path=str(data["path"]),
            sha=str(data.get("sha") or ""),
            raw=raw,
            size=size if isinstance(size, int) else None,
        )

    def _manifests(
        self, *, base: str, repository: Repository, state: SyncState, branch: str
    ) -> ManifestScan | None:
        """The dependency manifests of the default branch from its whole tree, one conditional request
        (not on a full sync): 304 means the same tree, so the same manifests. Only the blobs whose id
        changed are fetched (git/blobs), see metrics.sync.manifest_scan."""
        if not branch:
            return None
        url = self.http.url_for(f"{base}/git/trees/{quote(branch, safe='')}", {"recursive": 1})
        try:
            page = self.http.get(url)
        except ForgeError as error:
            if not answered(error, 404, 409):  # 409: "Git Repository is empty."
                raise
            return manifest_scan(repository=repository, blobs=[], fetch=lambda blob: None)
        if page.not_modified:
            return None
        data = page.data
        if not isinstance(data, dict) or not isinstance(data.get("tree"), list):
            raise ForgeError("GitHub sent a malformed tree")
        blobs = [
            Blob(
                str(entry["path"]),
                str(entry["sha"]),
                entry["size"] if isinstance(entry.get("size"), int) else None,
            )
            for entry in data["tree"]
            if isinstance(entry, dict)
            and entry.get("type") == "blob"
            and entry.get("path")
            and entry.get("sha")
        ]
        scan = manifest_scan(
            repository=repository,
            blobs=blobs,
            fetch=lambda blob: self._blob(base=base, sha=blob.sha),
            # GitHub cuts recursive trees past 100,000 entries or 7 MB: what it left out is not gone.
            complete=not data.get("truncated"),
        )
        keep_etag(self.http, state, url)
        return scan

    def _blob(self, *, base: str, sha: str) -> bytes:
        answer = self.http.get(f"{base}/git/blobs/{sha}", conditional=False)  # a blob id never changes
        if not isinstance(answer.data, dict):
            raise ForgeError("GitHub sent a malformed blob")
        return translated("blob", base64_content, answer.data)
