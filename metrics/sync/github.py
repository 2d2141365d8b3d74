"""The GitHub sync: REST API v3 (github.com or GitHub Enterprise Server's /api/v3) → activity batches.

Cost matters more than anything here (5,000 requests an hour for the whole portal), so:
- one conditional request to the repository's event feed first: 304 means nothing happened, and an
  unchanged repository costs that one request (304s do not count against GitHub's limit);
- lists with a `since` filter are read oldest-first so that each page moves its cursor: a sync cut short
  by the rate limit continues where it stopped instead of starting over;
- pull requests have no `since`; they are read newest-first and the part already done by an interrupted
  run is remembered as a window of `updated_at` values, so its per-request calls are not repeated;
- ETags are only stored with the batch that completes what they vouch for (see `_keep_etag`).
"""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import PullRequest, SyncState
from metrics.sync import github_payloads as payloads
from metrics.sync.http import ForgeError, ForgeHTTP, Page, RateLimited, TransientForgeError
from metrics.sync.manifest_scan import Blob, manifest_scan
from metrics.sync.readme import GITHUB_FOLDERS, base64_content, readme_blob, readme_record, readme_unchanged
from metrics.sync.records import (
    NO_README,
    AccountRecord,
    ActivityBatch,
    ManifestScan,
    PullRequestRecord,
    ReadmeRecord,
)

API_VERSION = "2022-11-28"
PER_PAGE = 100
# Commits are filtered by committer date, and a merged branch keeps its older dates: look back a while
# so that commits merged after the last sync but committed before it are still read.
COMMIT_LOOKBACK = timedelta(days=30)
# Participation shifts every week even when nothing happens, which the event feed does not show.
STATS_MAX_AGE = timedelta(days=1)
FULL_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
GOOD_FIRST_ISSUE_LABEL = "good first issue"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _moment(value: str) -> datetime:
    """A date of GitHub's answer; a malformed one is the forge's error, not a crash of the sync."""
    try:
        moment = payloads.when(value)
    except (TypeError, ValueError) as error:
        raise ForgeError(f"GitHub sent a malformed date: {value!r}") from error
    if moment is None:
        raise ForgeError("GitHub sent an item without its date")
    return moment


def _later(a: str | None, b: str | None) -> str | None:
    if not a or not b:
        return a or b
    return a if _moment(a) >= _moment(b) else b


def _with_last[T](items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item with whether it is the last: a list's cursor moves with its last page only."""
    iterator = iter(items)
    try:
        current = next(iterator)
    except StopIteration:
        return
    for following in iterator:
        yield current, False
        current = following
    yield current, True


def answered(error: ForgeError, *statuses: int) -> bool:
    """Whether a plain ForgeError was one of these HTTP statuses (ForgeHTTP puts it in the message)."""
    if isinstance(error, RateLimited | TransientForgeError):
        return False
    return any(f"answered {status} " in str(error) for status in statuses)


def full_name_of(repository: Repository) -> str:
    name = repository.full_name.strip().strip("/")
    if not name:
        path = urlsplit(repository.url).path.strip("/").removesuffix(".git")
        name = "/".join(path.split("/")[:2])
    if not FULL_NAME_RE.match(name):
        raise ForgeError(f"{repository.url} does not name a GitHub repository (owner/name)")
    return name


def stored_pull_requests(*, repository: Repository, numbers: Iterable[int]) -> dict[int, PullRequest]:
    numbers = list(numbers)
    if not numbers:
        return {}
    rows = repository.pull_requests.filter(number__in=numbers).select_related("merged_by")
    return {row.number: row for row in rows}


def keep_known(record: PullRequestRecord, row: PullRequest | None, *, fields: Iterable[str] = ()) -> None:
    """Fill what this record cannot know from the stored row, because the upsert writes every field:
    the ready-for-review time is only in the timeline and in one webhook action, and the pull requests
    embedded in review webhooks lack sizes, merged_by and sometimes draft (`fields`)."""
    if row is None:
        return
    if record.ready_for_review_at is None:
        record.ready_for_review_at = row.ready_for_review_at
    for name in fields:
        if name == "merged_by":
            if record.merged_by is None and row.merged_by is not None:
                record.merged_by = AccountRecord(
                    login=row.merged_by.login,
                    external_id=row.merged_by.external_id,
                    is_bot=row.merged_by.is_bot,
                )
        else:
            setattr(record, name, getattr(row, name))


def _translated(kind: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ForgeError(f"GitHub sent a malformed {kind}: {error.__class__.__name__}: {error}") from error


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
        stats_fresh = bool(stats_at) and timezone.now() - _moment(stats_at) < STATS_MAX_AGE
        if probe.not_modified and not full:
            if not stats_fresh:
                yield self._stats_batch(base=base, repository=repository, state=state, full=full)
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
        self._keep_etag(state, probe.url)
        yield self._stats_batch(base=base, repository=repository, state=state, full=full)

    def _keep_etag(self, state: SyncState, url: str) -> None:
        if url in self.http.etags:
            state.etags[url] = self.http.etags[url]

    def _list(self, page: Page, what: str) -> list[dict]:
        if not isinstance(page.data, list) or not all(isinstance(item, dict) for item in page.data):
            raise ForgeError(f"GitHub sent a malformed list of {what}")
        return page.data

    # Commits: newest first, filtered by committer date; the cursor moves when the list is complete.
    def _commits(self, *, base: str, state: SyncState, full: bool) -> Iterator[ActivityBatch]:
        since = None if full else state.cursors.get("commits_since")
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if since:
            params["since"] = iso(_moment(since) - COMMIT_LOOKBACK)
        newest = since
        try:
            pages = _with_last(self.http.pages(f"{base}/commits", params=params, conditional=False))
            for page, last in pages:
                items = self._list(page, "commits")
                records = [_translated("commit", payloads.commit, item) for item in items]
                for item in items:
                    committed = ((item.get("commit") or {}).get("committer") or {}).get("date")
                    newest = _later(newest, committed)
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
        for page, last in _with_last(self.http.pages(first_url)):
            if page.not_modified:
                return  # the newest hundred are as the last complete run saw them: no request changed
            items = self._list(page, "pull requests")
            chosen, reached, stop = [], None, False
            for item in items:
                updated = item.get("updated_at")
                if since and _moment(updated) < _moment(since):
                    stop = True
                    break
                top, reached = _later(top, updated), updated
                if window and _moment(window["low"]) < _moment(updated) <= _moment(window["top"]):
                    continue  # done by the interrupted run, and unchanged since
                chosen.append(item)
            batch = self._pull_details(base=base, repository=repository, items=chosen)
            if stop or last:
                newest = _later(_later(top, window["top"] if window else None), since)
                if newest:
                    state.cursors["pulls_since"] = newest
                state.cursors.pop("pulls_window", None)
                self._keep_etag(state, first_url)
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
        if _moment(low) > _moment(old["top"]):
            return old
        return {
            "low": low if _moment(low) < _moment(old["low"]) else old["low"],
            "top": _later(top, old["top"]),
            "full": full and bool(old.get("full")),
        }

    def _pull_details(self, *, base: str, repository: Repository, items: list[dict]) -> ActivityBatch:
        batch = ActivityBatch()
        numbers = [_translated("pull request", lambda item: int(item["number"]), item) for item in items]
        rows = stored_pull_requests(repository=repository, numbers=numbers)
        for number in numbers:
            # The list lacks merged_by and the sizes; the single answer has them.
            single = self.http.get(f"{base}/pulls/{number}", conditional=False).data
            if not isinstance(single, dict):
                raise ForgeError(f"GitHub sent a malformed pull request #{number}")
            record = _translated("pull request", payloads.pull_request, single)
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
                        _translated("review", payloads.review, review, pull_request_number=number)
                    )
        return batch

    def _ready_for_review_at(self, *, base: str, number: int) -> datetime | None:
        found = None
        for page in self.http.pages(
            f"{base}/issues/{number}/timeline", params={"per_page": PER_PAGE}, conditional=False
        ):
            for event in self._list(page, "timeline events"):
                if event.get("event") == "ready_for_review" and event.get("created_at"):
                    found = _moment(event["created_at"])
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
            records = [r for r in (_translated(path, translate, item) for item in items) if r is not None]
            newest = since
            for item in items:
                newest = _later(newest, item.get("updated_at"))
            if newest:
                state.cursors[cursor] = newest
            yield ActivityBatch(**{into: records})

    def _releases(self, *, base: str, state: SyncState) -> Iterator[ActivityBatch]:
        first_url = self.http.url_for(f"{base}/releases", {"per_page": PER_PAGE})
        for page, last in _with_last(self.http.pages(first_url)):
            if page.not_modified:
                return
            records = [
                _translated("release", payloads.release, item) for item in self._list(page, "releases")
            ]
            if last:
                self._keep_etag(state, first_url)
            yield ActivityBatch(releases=records)

    def _optional(
        self, path: str, *, params: dict | None = None, missing: tuple[int, ...] = (404,)
    ) -> Page | None:
        try:
            return self.http.get(path, params=params, conditional=False)
        except ForgeError as error:
            if answered(error, *missing):
                return None
            raise

    def _stats_batch(
        self, *, base: str, repository: Repository, state: SyncState, full: bool
    ) -> ActivityBatch:
        repo = self.http.get(base, conditional=False).data
        if not isinstance(repo, dict):
            raise ForgeError("GitHub sent a malformed repository")
        stats = _translated("repository", payloads.repository_stats, repo)
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
        raw = _translated("README", base64_content, data)
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
        self._keep_etag(state, url)
        return scan

    def _blob(self, *, base: str, sha: str) -> bytes:
        answer = self.http.get(f"{base}/git/blobs/{sha}", conditional=False)  # a blob id never changes
        if not isinstance(answer.data, dict):
            raise ForgeError("GitHub sent a malformed blob")
        return _translated("blob", base64_content, answer.data)
