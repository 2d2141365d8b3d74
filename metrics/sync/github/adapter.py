"""The GitHub adapter: the activity of a repository (commits, pull requests with their reviews, issues,
comments, releases) as batches, then the repository's own statistics (see repository.py)."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import SyncState
from metrics.sync import github_payloads as payloads
from metrics.sync.github.common import (
    API_VERSION,
    COMMIT_LOOKBACK,
    PER_PAGE,
    STATS_MAX_AGE,
    answered,
    full_name_of,
    iso,
    keep_etag,
    keep_known,
    later,
    moment_of,
    stored_pull_requests,
    translated,
    with_last,
)
from metrics.sync.github.repository import RepositoryReader
from metrics.sync.http import ForgeError, ForgeHTTP, Page
from metrics.sync.records import ActivityBatch


class GitHubAdapter:
    """Yields a batch per page; the runner writes each with the cursors and ETags as they stand then."""

    def __init__(self) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "innersource-portal",
        }
        if settings.GITHUB_TOKEN:
            headers["Authorization"] = f"Bearer {settings.GITHUB_TOKEN}"
        self.http = ForgeHTTP(base_url=settings.GITHUB_API_URL, headers=headers, forge_name="GitHub")
        self.repository_reader = RepositoryReader(self.http)

    @property
    def request_count(self) -> int:
        return self.http.request_count

    def batches(self, *, repository: Repository, state: SyncState, full: bool) -> Iterator[ActivityBatch]:
        base = f"/repos/{full_name_of(repository)}"
        # The client works on a copy: it records every new ETag at once, but an ETag may only be saved
        # with the batch that completes what it stands for, or a failed run would look "unchanged".
        self.http.etags = {} if full else dict(state.etags)
        probe = self.http.get(f"{base}/events", params={"per_page": 1})
        stats_at = state.cursors.get("stats_at")
        stats_fresh = bool(stats_at) and timezone.now() - moment_of(stats_at) < STATS_MAX_AGE
        if probe.not_modified and not full:
            if not stats_fresh:
                yield self.repository_reader.stats_batch(
                    base=base, repository=repository, state=state, full=full
                )
            return
        yield from self._commits(base=base, state=state, full=full)
        yield from self._pulls(base=base, repository=repository, state=state, full=full)
        yield from self._since_list(
            base=base, path="issues", cursor="issues_since", state=state, full=full,
            params={"state": "all"}, translate=payloads.issue, into="issues",
        )  # fmt: skip
        yield from self._since_list(
            base=base, path="issues/comments", cursor="issue_comments_since", state=state, full=full,
            params={}, translate=payloads.issue_comment, into="comments",
        )  # fmt: skip
        yield from self._since_list(
            base=base, path="pulls/comments", cursor="review_comments_since", state=state, full=full,
            params={}, translate=payloads.review_comment, into="comments",
        )  # fmt: skip
        yield from self._releases(base=base, state=state)
        # Last, because it carries the probe's ETag: only a run that got this far is "up to date".
        keep_etag(self.http, state, probe.url)
        yield self.repository_reader.stats_batch(base=base, repository=repository, state=state, full=full)

    def _list(self, page: Page, what: str) -> list[dict]:
        if not isinstance(page.data, list) or not all(isinstance(item, dict) for item in page.data):
            raise ForgeError(f"GitHub sent a malformed list of {what}")
        return page.data

    # Commits: newest first, filtered by committer date; the cursor moves when the list is complete.
    def _commits(self, *, base: str, state: SyncState, full: bool) -> Iterator[ActivityBatch]:
        since = None if full else state.cursors.get("commits_since")
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if since:
            params["since"] = iso(moment_of(since) - COMMIT_LOOKBACK)
        newest = since
        try:
            pages = with_last(self.http.pages(f"{base}/commits", params=params, conditional=False))
            for page, last in pages:
                items = self._list(page, "commits")
                records = [translated("commit", payloads.commit, item) for item in items]
                for item in items:
                    committed = ((item.get("commit") or {}).get("committer") or {}).get("date")
                    newest = later(newest, committed)
                if last and newest:
                    state.cursors["commits_since"] = newest
                yield ActivityBatch(commits=records)
        except ForgeError as error:
            if not answered(error, 409):  # 409: "Git Repository is empty."
                raise

    # Pull requests: newest first (there is no `since`), with their single-request details and reviews.
    def _pulls(
        self, *, base: str, repository: Repository, state: SyncState, full: bool
    ) -> Iterator[ActivityBatch]:
        since = None if full else state.cursors.get("pulls_since")
        window = state.cursors.get("pulls_window")
        if window and full and not window.get("full"):
            window = None  # a deliberate full sync re-reads what an interrupted incremental one did
        params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
        first_url = self.http.url_for(f"{base}/pulls", params)
        top: str | None = None
        for page, last in with_last(self.http.pages(first_url)):
            if page.not_modified:
                return  # the newest hundred are as the last complete run saw them: no request changed
            items = self._list(page, "pull requests")
            chosen, reached, stop = [], None, False
            for item in items:
                updated = item.get("updated_at")
                if since and moment_of(updated) < moment_of(since):
                    stop = True
                    break
                top, reached = later(top, updated), updated
                if window and moment_of(window["low"]) < moment_of(updated) <= moment_of(window["top"]):
                    continue  # done by the interrupted run, and unchanged since
                chosen.append(item)
            batch = self._pull_details(base=base, repository=repository, items=chosen)
            if stop or last:
                newest = later(later(top, window["top"] if window else None), since)
                if newest:
                    state.cursors["pulls_since"] = newest
                state.cursors.pop("pulls_window", None)
                keep_etag(self.http, state, first_url)
            elif reached:
                state.cursors["pulls_window"] = self._window(window, low=reached, top=top, full=full)
            yield batch
            if stop:
                return

    @staticmethod
    def _window(old: dict | None, *, low: str, top: str, full: bool) -> dict:
        """What is done so far: [low, top] of updated_at. Above an older window there may be a gap (pull
        requests updated since, not yet reached), so that older window stays until this run reaches it."""
        if old is None:
            return {"low": low, "top": top, "full": full}
        if moment_of(low) > moment_of(old["top"]):
            return old
        return {
            "low": low if moment_of(low) < moment_of(old["low"]) else old["low"],
            "top": later(top, old["top"]),
            "full": full and bool(old.get("full")),
        }

    def _pull_details(self, *, base: str, repository: Repository, items: list[dict]) -> ActivityBatch:
        batch = ActivityBatch()
        numbers = [translated("pull request", lambda item: int(item["number"]), item) for item in items]
        rows = stored_pull_requests(repository=repository, numbers=numbers)
        for number in numbers:
            # The list lacks merged_by and the sizes; the single answer has them.
            single = self.http.get(f"{base}/pulls/{number}", conditional=False).data
            if not isinstance(single, dict):
                raise ForgeError(f"GitHub sent a malformed pull request #{number}")
            record = translated("pull request", payloads.pull_request, single)
            row = rows.get(number)
            if row is not None and row.draft and not record.draft and row.ready_for_review_at is None:
                # It left draft since we last saw it: the timeline says when (one request, once).
                record.ready_for_review_at = self._ready_for_review_at(base=base, number=number)
            keep_known(record, row)
            batch.pull_requests.append(record)
            for page in self.http.pages(
                f"{base}/pulls/{number}/reviews", params={"per_page": PER_PAGE}, conditional=False
            ):
                for review in self._list(page, "reviews"):
                    batch.reviews.append(
                        translated("review", payloads.review, review, pull_request_number=number)
                    )
        return batch

    def _ready_for_review_at(self, *, base: str, number: int) -> datetime | None:
        found = None
        for page in self.http.pages(
            f"{base}/issues/{number}/timeline", params={"per_page": PER_PAGE}, conditional=False
        ):
            for event in self._list(page, "timeline events"):
                if event.get("event") == "ready_for_review" and event.get("created_at"):
                    found = moment_of(event["created_at"])
        return found

    # Issues and comments: oldest change first from the cursor, so every page moves the cursor.
    def _since_list(
        self,
        *,
        base: str,
        path: str,
        cursor: str,
        state: SyncState,
        full: bool,
        params: dict,
        translate,
        into: str,
    ) -> Iterator[ActivityBatch]:
        since = None if full else state.cursors.get(cursor)
        query = {**params, "sort": "updated", "direction": "asc", "per_page": PER_PAGE}
        if since:
            query["since"] = since  # GitHub includes changes at exactly `since`: nothing falls between
        for page in self.http.pages(f"{base}/{path}", params=query, conditional=False):
            items = self._list(page, path)
            records = [r for r in (translated(path, translate, item) for item in items) if r is not None]
            newest = since
            for item in items:
                newest = later(newest, item.get("updated_at"))
            if newest:
                state.cursors[cursor] = newest
            yield ActivityBatch(**{into: records})

    def _releases(self, *, base: str, state: SyncState) -> Iterator[ActivityBatch]:
        first_url = self.http.url_for(f"{base}/releases", {"per_page": PER_PAGE})
        for page, last in with_last(self.http.pages(first_url)):
            if page.not_modified:
                return
            records = [translated("release", payloads.release, item) for item in self._list(page, "releases")]
            if last:
                keep_etag(self.http, state, first_url)
            yield ActivityBatch(releases=records)
