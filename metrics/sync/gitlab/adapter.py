"""The GitLab sync's adapter: the conditional probe of the project, then its merge requests (with
their approvals and notes), issues, commits and releases as batches, then the project's own statistics
(see repository.py and the package's docstring)."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import SyncState
from metrics.sync import gitlab_payloads as payloads
from metrics.sync.gitlab.common import (
    DIGEST_CURSOR,
    MANIFESTS_CURSOR,
    NOTES_PARAMS,
    PER_PAGE,
    all_items,
    enabled,
    iso,
    marking_last,
    participation,
    project_path,
    translated,
)
from metrics.sync.gitlab.repository import RepositoryReader
from metrics.sync.http import ForgeError, ForgeHTTP, Page, RateLimited, TransientForgeError
from metrics.sync.records import ActivityBatch, CommentRecord, RepositoryStatsRecord, ReviewRecord


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

        if enabled(project, "merge_requests"):
            yield from self._merge_requests(
                base, state, cursor=cursors.get("merge_requests"), started=started
            )
        if enabled(project, "issues"):
            yield from self._issues(base, state, cursor=cursors.get("issues"), started=started)
        default_branch = str(project.get("default_branch") or "")
        if default_branch and not project.get("empty_repo"):
            yield from self._commits(
                base, state, branch=default_branch, cursor=cursors.get("commits"), started=started
            )
        yield from self._releases(base)

        stats = translated("project", RepositoryReader(self.http).stats, base, project, repository, full)
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
                record = translated("merge request", payloads.merge_request, item)
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
            notes = all_items(self.http, f"{base}/merge_requests/{number}/notes", NOTES_PARAMS)
        reviews = translated("approval", payloads.approvals, number=number, approvers=approvers, notes=notes)
        comments = [translated("note", payloads.note, n, pull_request_number=number) for n in notes]
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
                record = translated("issue", payloads.issue, item)
                batch.issues.append(record)
                if item.get("user_notes_count", 1):
                    notes = all_items(self.http, f"{base}/issues/{record.number}/notes", NOTES_PARAMS)
                    comments = [
                        translated("note", payloads.note, n, issue_number=record.number) for n in notes
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
        for page, last in marking_last(pages):
            batch = ActivityBatch()
            for item in page.data:
                batch.commits.append(translated("commit", payloads.commit, item))
                # `since` compares the committer's date, which a rebase moves past the author's.
                when = payloads.parse_time(item.get("committed_date")) if isinstance(item, dict) else None
                committed.append(when or batch.commits[-1].authored_at)
            if last:  # newest first: only the last page completes what the cursor covers
                self._advance(state, "commits", committed, started)
            yield batch

    def _releases(self, base: str):
        for page in self.http.pages(f"{base}/releases", params={"per_page": PER_PAGE}, conditional=False):
            yield ActivityBatch(releases=[translated("release", payloads.release, i) for i in page.data])

    # -- helpers ----------------------------------------------------------------------------------

    def _participation_only(self, repository: Repository) -> Iterator[ActivityBatch]:
        """An unchanged project still moves through time: the weekly counts shift without a request."""
        counts = participation(repository, now=timezone.now())
        if counts != repository.participation:
            yield ActivityBatch(stats=RepositoryStatsRecord(participation=counts))

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
