"""The GitLab sync: one project's merge requests, approvals, notes, issues, commits, releases and
statistics from the REST API v4, incrementally.

Request budget. An unchanged project costs one request: a conditional GET of the project answered
304 (or, where the server ignores If-None-Match, a 200 whose body is what we saw last time). Only the
project is asked conditionally: the lists are offset-paginated, and a 304 on a first page says nothing
about the pages after it, so they are always read.

Cursors. Merge requests and issues are read oldest update first, so their cursor moves with each page
to the newest update on it, capped at the server's time when the sync began: an item updated while
we page shifts the offsets, may be skipped, but is then newer than the cursor and comes next time.
Commits arrive newest first, so their cursor moves only with the last page. The project's ETag and
digest are saved with the final batch, so that a sync that failed half-way is not taken for done.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import Commit, SyncState
from metrics.sync import gitlab_payloads as payloads
from metrics.sync.http import ForgeError, ForgeHTTP, Page, RateLimited, TransientForgeError
from metrics.sync.manifest_scan import MAX_BYTES, Blob, manifest_scan
from metrics.sync.readme import (
    ROOT_FIRST_FOLDERS,
    base64_content,
    readme_blob,
    readme_record,
    readme_unchanged,
)
from metrics.sync.records import (
    NO_README,
    ActivityBatch,
    CommentRecord,
    ManifestScan,
    ReadmeRecord,
    RepositoryStatsRecord,
    ReviewRecord,
)

PER_PAGE = 100
GOOD_FIRST_ISSUE_PARAMS = {"labels": "good first issue", "state": "opened", "per_page": 1}
NOTES_PARAMS = {"sort": "asc", "order_by": "created_at", "per_page": PER_PAGE}
DIGEST_CURSOR = "project_digest"
# Set once the manifests have been listed: a project synced before the sync read manifests is read
# once whole even though it did not change, or its manifests would wait for its next change.
MANIFESTS_CURSOR = "manifests_listed"
WEEKS = 52


def project_path(repository: Repository) -> str:
    """namespace/project (subgroups included): the full name, else the repository URL's path."""
    path = repository.full_name.strip("/")
    if not path:
        path = urlsplit(repository.url).path.strip("/")
        prefix = urlsplit(settings.GITLAB_URL).path.strip("/")
        if prefix and path.startswith(prefix + "/"):
            path = path[len(prefix) + 1 :]  # GitLab served under a sub-path, e.g. https://host/gitlab
        path = path.removesuffix(".git")
    if not path:
        raise ForgeError(f"cannot tell the GitLab project of {repository.url}")
    return path


def iso(moment: datetime) -> str:
    # Whole seconds, rounded down: `updated_after`/`since` include the instant, so nothing is lost.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def participation(repository: Repository, *, now: datetime) -> list[int]:
    """Commits per ISO week (Monday to Sunday, UTC) of the last 52 weeks, oldest first, counted from
    the stored commits of the default branch: the sync and push webhooks keep those complete, and
    counting them costs no request (re-reading a year of commits would cost one per 100)."""
    now = now.astimezone(UTC)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    start = monday - timedelta(weeks=WEEKS - 1)
    counts = [0] * WEEKS
    authored = Commit.objects.filter(repository=repository, authored_at__gte=start, authored_at__lte=now)
    for moment in authored.values_list("authored_at", flat=True).iterator():
        week = (moment.astimezone(UTC) - start).days // 7
        if 0 <= week < WEEKS:
            counts[week] += 1
    return counts


def _translated(what: str, translate: Callable[..., Any], *args, **kwargs) -> Any:
    """A payload we cannot read is the forge's fault, not ours: a ForgeError, recorded on the repository."""
    try:
        return translate(*args, **kwargs)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ForgeError(f"GitLab sent a malformed {what}: {error.__class__.__name__}: {error}") from error


def _enabled(project: dict, feature: str) -> bool:
    """Whether issues / merge requests are switched on (their lists answer 403 otherwise)."""
    if project.get(f"{feature}_access_level") == "disabled":
        return False
    return project.get(f"{feature}_enabled") is not False


class GitLabAdapter:
    """The GitLab adapter of metrics.sync.runner (settings.GITLAB_URL, GITLAB_TOKEN)."""

    def __init__(self) -> None:
        self.http: ForgeHTTP | None = None

    @property
    def request_count(self) -> int:
        return self.http.request_count if self.http else 0

    def batches(self, *, repository: Repository, state: SyncState, full: bool) -> Iterator[ActivityBatch]:
        headers = {"Accept": "application/json"}
        if settings.GITLAB_TOKEN:
            headers["PRIVATE-TOKEN"] = settings.GITLAB_TOKEN
        # A copy: the runner saves state.etags with every batch, and the project's ETag must only be
        # saved once everything it vouches for has been written.
        listed = bool(state.cursors.get(MANIFESTS_CURSOR))
        self.http = ForgeHTTP(
            base_url=f"{settings.GITLAB_URL}/api/v4",
            headers=headers,
            etags={} if full or not listed else dict(state.etags),
            forge_name="GitLab",
        )
        base = f"projects/{quote(project_path(repository), safe='')}"
        probe = self.http.get(base, params={"license": "true"})
        if probe.not_modified:
            yield from self._participation_only(repository)
            return
        project = probe.data
        if not isinstance(project, dict):
            raise ForgeError(f"GitLab sent a malformed project for {urlsplit(probe.url).path}")
        digest = hashlib.sha256(json.dumps(project, sort_keys=True).encode()).hexdigest()
        if not full and listed and digest == state.cursors.get(DIGEST_CURSOR):
            yield from self._participation_only(repository)
            return
        started = self._server_time(probe)
        cursors = {} if full else dict(state.cursors)

        if _enabled(project, "merge_requests"):
            yield from self._merge_requests(
                base, state, cursor=cursors.get("merge_requests"), started=started
            )
        if _enabled(project, "issues"):
            yield from self._issues(base, state, cursor=cursors.get("issues"), started=started)
        default_branch = str(project.get("default_branch") or "")
        if default_branch and not project.get("empty_repo"):
            yield from self._commits(
                base, state, branch=default_branch, cursor=cursors.get("commits"), started=started
            )
        yield from self._releases(base)

        stats = _translated("project", self._stats, base, project, repository, full)
        state.etags = dict(self.http.etags)  # only the project is asked conditionally
        state.cursors[DIGEST_CURSOR] = digest
        state.cursors[MANIFESTS_CURSOR] = True
        yield ActivityBatch(stats=stats)

    # -- endpoints --------------------------------------------------------------------------------

    def _updated_since(self, url: str, cursor: str | None):
        """The pages of a list by last update, oldest first, from the cursor on (all without one)."""
        params: dict[str, Any] = {"order_by": "updated_at", "sort": "asc", "per_page": PER_PAGE}
        if cursor:
            params["updated_after"] = cursor
        return self.http.pages(url, params=params, conditional=False)

    def _merge_requests(self, base: str, state: SyncState, *, cursor: str | None, started: datetime):
        for page in self._updated_since(f"{base}/merge_requests", cursor):
            batch = ActivityBatch()
            for item in page.data:
                record = _translated("merge request", payloads.merge_request, item)
                reviews, comments = self._merge_request_details(base, item, record.number)
                batch.pull_requests.append(record)
                batch.reviews.extend(reviews)
                batch.comments.extend(comments)
            self._advance(state, "merge_requests", [pr.updated_at for pr in batch.pull_requests], started)
            yield batch

    def _merge_request_details(
        self, base: str, item: dict, number: int
    ) -> tuple[list[ReviewRecord], list[CommentRecord]]:
        approvers = self._approvers(base, number)
        notes: list[dict] = []
        # Notes are read when there are comments, or approvals whose time only a system note keeps.
        if approvers is None or approvers or item.get("user_notes_count", 1):
            notes = self._all(f"{base}/merge_requests/{number}/notes", NOTES_PARAMS)
        reviews = _translated("approval", payloads.approvals, number=number, approvers=approvers, notes=notes)
        comments = [_translated("note", payloads.note, n, pull_request_number=number) for n in notes]
        return reviews, [c for c in comments if c]

    def _approvers(self, base: str, number: int) -> list[dict] | None:
        """The users who approve the merge request now; None where the server does not offer the
        approvals API (some editions and permission levels answer 403/404)."""
        try:
            page = self.http.get(f"{base}/merge_requests/{number}/approvals", conditional=False)
        except (RateLimited, TransientForgeError):
            raise
        except ForgeError:
            return None
        data = page.data if isinstance(page.data, dict) else {}
        approved_by = data.get("approved_by") or []
        if not isinstance(approved_by, list):
            raise ForgeError("GitLab sent malformed approvals")
        users = [entry.get("user") for entry in approved_by if isinstance(entry, dict)]
        return [user for user in users if isinstance(user, dict) and "id" in user]

    def _issues(self, base: str, state: SyncState, *, cursor: str | None, started: datetime):
        for page in self._updated_since(f"{base}/issues", cursor):
            batch = ActivityBatch()
            for item in page.data:
                record = _translated("issue", payloads.issue, item)
                batch.issues.append(record)
                if item.get("user_notes_count", 1):
                    notes = self._all(f"{base}/issues/{record.number}/notes", NOTES_PARAMS)
                    comments = [
                        _translated("note", payloads.note, n, issue_number=record.number) for n in notes
                    ]
                    batch.comments.extend(c for c in comments if c)
            self._advance(state, "issues", [issue.updated_at for issue in batch.issues], started)
            yield batch

    def _commits(self, base: str, state: SyncState, *, branch: str, cursor: str | None, started: datetime):
        params: dict[str, Any] = {"ref_name": branch, "per_page": PER_PAGE}
        if cursor:
            params["since"] = cursor
        committed: list[datetime] = []
        pages = self.http.pages(f"{base}/repository/commits", params=params, conditional=False)
        for page, last in _marking_last(pages):
            batch = ActivityBatch()
            for item in page.data:
                batch.commits.append(_translated("commit", payloads.commit, item))
                # `since` compares the committer's date, which a rebase moves past the author's.
                when = payloads.parse_time(item.get("committed_date")) if isinstance(item, dict) else None
                committed.append(when or batch.commits[-1].authored_at)
            if last:  # newest first: only the last page completes what the cursor covers
                self._advance(state, "commits", committed, started)
            yield batch

    def _releases(self, base: str):
        for page in self.http.pages(f"{base}/releases", params={"per_page": PER_PAGE}, conditional=False):
            yield ActivityBatch(releases=[_translated("release", payloads.release, i) for i in page.data])

    def _stats(self, base: str, project: dict, repository: Repository, full: bool) -> RepositoryStatsRecord:
        listings: dict[str, list[dict]] = {}
        if not project.get("empty_repo") and project.get("default_branch"):
            listings[""] = self._all(f"{base}/repository/tree", {"per_page": PER_PAGE})
            folders = {e.get("name") for e in listings[""] if isinstance(e, dict) and e.get("type") == "tree"}
            # Folders are only listed when the root shows them: a missing path answers 404.
            if ".gitlab" in folders:
                listings[".gitlab"] = self._all(
                    f"{base}/repository/tree", {"path": ".gitlab", "per_page": PER_PAGE}
                )
            if "docs" in folders and "CODEOWNERS" not in payloads.files_present(listings):
                listings["docs"] = self._all(
                    f"{base}/repository/tree", {"path": "docs", "per_page": PER_PAGE}
                )
        good_first = False
        if _enabled(project, "issues"):
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
                branch="" if project.get("empty_repo") else str(project.get("default_branch") or ""),
            ),
        )

    def _manifests(self, base: str, repository: Repository, *, branch: str) -> ManifestScan | None:
        """The dependency manifests of the default branch from its whole tree (the recursive listing,
        paginated; the readiness listings above are of single folders). Only the blobs whose id
        changed are fetched (see metrics.sync.manifest_scan), raw, never more than MAX_BYTES + 1 bytes."""
        blobs: list[Blob] = []
        complete = True
        if branch:
            params = {"recursive": "true", "ref": branch, "per_page": PER_PAGE}
            try:
                pages = self.http.pages(f"{base}/repository/tree", params=params, conditional=False)
                for page, last in _marking_last(pages):
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

        return manifest_scan(repository=repository, blobs=blobs, fetch=fetch, complete=complete)

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

    # -- helpers ----------------------------------------------------------------------------------

    def _participation_only(self, repository: Repository) -> Iterator[ActivityBatch]:
        """An unchanged project still moves through time: the weekly counts shift without a request."""
        counts = participation(repository, now=timezone.now())
        if counts != repository.participation:
            yield ActivityBatch(stats=RepositoryStatsRecord(participation=counts))

    def _all(self, path: str, params: dict[str, Any]) -> list:
        items: list = []
        for page in self.http.pages(path, params=params, conditional=False):
            items.extend(page.data)
        return items

    @staticmethod
    def _advance(state: SyncState, name: str, moments: list[datetime], started: datetime) -> None:
        if moments:
            state.cursors[name] = iso(min(max(moments), started))

    @staticmethod
    def _server_time(page: Page) -> datetime:
        """GitLab's clock (the Date header), so that our clock's drift cannot skip updates."""
        try:
            return parsedate_to_datetime(page.headers["Date"]).astimezone(UTC)
        except (KeyError, TypeError, ValueError, IndexError):
            return timezone.now()


def _marking_last(pages: Iterator[Page]) -> Iterator[tuple[Page, bool]]:
    """Each page with whether it is the last one (reads one page ahead)."""
    previous = None
    for page in pages:
        if previous is not None:
            yield previous, False
        previous = page
    if previous is not None:
        yield previous, True
