"""The GitLab sync's reading of a project itself: its statistics, which files it has, its README, its
dependency manifests and whether it has good-first issues (read only when the project changed)."""

from urllib.parse import quote

from django.utils import timezone

from catalog.models import Repository
from metrics.sync import gitlab_payloads as payloads
from metrics.sync.gitlab.common import PER_PAGE, all_items, enabled, marking_last, participation
from metrics.sync.gitlab.sizes import blob_sizes
from metrics.sync.http import ForgeError, ForgeHTTP, RateLimited, TransientForgeError
from metrics.sync.manifest_scan import MAX_BYTES, Blob, manifest_scan
from metrics.sync.readme import (
    ROOT_FIRST_FOLDERS,
    base64_content,
    readme_blob,
    readme_record,
    readme_unchanged,
)
from metrics.sync.records import NO_README, ManifestScan, ReadmeRecord, RepositoryStatsRecord

GOOD_FIRST_ISSUE_PARAMS = {"labels": "good first issue", "state": "opened", "per_page": 1}


class RepositoryReader:
    """Reads through the adapter's client."""

    def __init__(self, http: ForgeHTTP) -> None:
        self.http = http

    def stats(self, base: str, project: dict, repository: Repository, full: bool) -> RepositoryStatsRecord:
        listings: dict[str, list[dict]] = {}
        if not project.get("empty_repo") and project.get("default_branch"):
            listings[""] = all_items(self.http, f"{base}/repository/tree", {"per_page": PER_PAGE})
            folders = {e.get("name") for e in listings[""] if isinstance(e, dict) and e.get("type") == "tree"}
            # Folders are only listed when the root shows them: a missing path answers 404.
            if ".gitlab" in folders:
                listings[".gitlab"] = all_items(
                    self.http, f"{base}/repository/tree", {"path": ".gitlab", "per_page": PER_PAGE}
                )
            if "docs" in folders and "CODEOWNERS" not in payloads.files_present(listings):
                listings["docs"] = all_items(
                    self.http, f"{base}/repository/tree", {"path": "docs", "per_page": PER_PAGE}
                )
        good_first = False
        if enabled(project, "issues"):
            answer = self.http.get(f"{base}/issues", params=GOOD_FIRST_ISSUE_PARAMS, conditional=False)
            good_first = isinstance(answer.data, list) and len(answer.data) > 0
        topics = project.get("topics") if "topics" in project else project.get("tag_list")
        open_issues = project.get("open_issues_count")
        return RepositoryStatsRecord(
            full_name=str(project["path_with_namespace"]),
            description=str(project.get("description") or ""),
            default_branch=str(project.get("default_branch") or ""),
            stars=int(project.get("star_count") or 0),
            forks=int(project.get("forks_count") or 0),
            open_issues=int(open_issues) if open_issues is not None else None,
            license=payloads.license_id(project),
            topics=[str(t) for t in topics or []],
            created_at=payloads.parse_time(project.get("created_at")),
            updated_at=payloads.parse_time(project.get("last_activity_at")),
            participation=participation(repository, now=timezone.now()),
            files_present=payloads.files_present(listings),
            has_good_first_issues=good_first,
            readme=self._readme(
                base, repository, listings, branch=str(project.get("default_branch") or ""), full=full
            ),
            manifests=self._manifests(
                base,
                repository,
                full_path=str(project["path_with_namespace"]),
                branch="" if project.get("empty_repo") else str(project.get("default_branch") or ""),
            ),
        )

    def _manifests(
        self, base: str, repository: Repository, *, full_path: str, branch: str
    ) -> ManifestScan | None:
        """The dependency manifests of the default branch from its whole tree (the recursive listing,
        paginated; the readiness listings above are of single folders). Only the blobs whose id
        changed are fetched (see metrics.sync.manifest_scan), raw, never more than MAX_BYTES + 1 bytes.
        The listing gives no sizes: those of the source files are asked of GitLab's GraphQL API when
        they changed (metrics.sync.gitlab.sizes)."""
        blobs: list[Blob] = []
        complete = True
        if branch:
            params = {"recursive": "true", "ref": branch, "per_page": PER_PAGE}
            try:
                pages = self.http.pages(f"{base}/repository/tree", params=params, conditional=False)
                for page, last in marking_last(pages):
                    blobs.extend(
                        Blob(str(entry["path"]), str(entry["id"]))
                        for entry in page.data
                        if isinstance(entry, dict)
                        and entry.get("type") == "blob"
                        and entry.get("path")
                        and entry.get("id")
                    )
                    if last and page.next_url:
                        complete = False  # FORGE_MAX_PAGES reached: what was not listed is not gone
            except ForgeError as error:
                if isinstance(error, RateLimited | TransientForgeError) or "answered 404 " not in str(error):
                    raise
                blobs = []  # "Tree Not Found": the branch has no files

        def fetch(blob: Blob) -> bytes:
            answer = self.http.get(
                f"{base}/repository/blobs/{blob.sha}/raw", conditional=False, raw_limit=MAX_BYTES
            )
            return answer.data

        def sizes(source: list[Blob]) -> dict[str, int] | None:
            return blob_sizes(self.http, full_path=full_path, branch=branch, blobs=source)

        return manifest_scan(repository=repository, blobs=blobs, fetch=fetch, complete=complete, sizes=sizes)

    def _readme(
        self, base: str, repository: Repository, listings: dict[str, list[dict]], *, branch: str, full: bool
    ) -> ReadmeRecord | None:
        """The README of the default branch from the tree listings: read (one request, the files API)
        only when its blob id differs from the stored one, or on a full sync; None when unchanged."""
        files = [
            (str(entry.get("path") or f"{folder}/{entry['name']}".lstrip("/")), str(entry.get("id") or ""))
            for folder, entries in listings.items()
            for entry in entries
            if isinstance(entry, dict) and entry.get("name") and entry.get("type") == "blob"
        ]
        found = readme_blob(files, folders=ROOT_FIRST_FOLDERS) if branch else None
        if found is None:
            return NO_README if repository.readme_path else None
        if not full and readme_unchanged(repository, files):
            return None
        path, sha = found
        try:
            answer = self.http.get(
                f"{base}/repository/files/{quote(path, safe='')}", params={"ref": branch}, conditional=False
            )
        except ForgeError as error:
            if isinstance(error, RateLimited | TransientForgeError) or "answered 404 " not in str(error):
                raise
            return NO_README  # removed between the listing and now
        data = answer.data
        if not isinstance(data, dict):
            raise ForgeError("GitLab sent a malformed README")
        size = data.get("size")
        return readme_record(
            path=str(data.get("file_path") or path),
            sha=str(data.get("blob_id") or sha),
            raw=base64_content(data),
            size=size if isinstance(size, int) else None,
        )
