"""What the GitHub sync's parts share: its constants, GitHub's dates and cursors, its errors, and the
stored pull requests a record is completed from (the webhooks use those too)."""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from catalog.models import Repository
from metrics.models import PullRequest, SyncState
from metrics.sync import github_payloads as payloads
from metrics.sync.http import ForgeError, ForgeHTTP, RateLimited, TransientForgeError
from metrics.sync.records import AccountRecord, PullRequestRecord

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


def moment_of(value: str) -> datetime:
    """A date of GitHub's answer; a malformed one is the forge's error, not a crash of the sync."""
    try:
        moment = payloads.when(value)
    except (TypeError, ValueError) as error:
        raise ForgeError(f"GitHub sent a malformed date: {value!r}") from error
    if moment is None:
        raise ForgeError("GitHub sent an item without its date")
    return moment


def later(a: str | None, b: str | None) -> str | None:
    if not a or not b:
        return a or b
    return a if moment_of(a) >= moment_of(b) else b


def with_last[T](items: Iterable[T]) -> Iterator[tuple[T, bool]]:
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


def translated(kind: str, function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ForgeError(f"GitHub sent a malformed {kind}: {error.__class__.__name__}: {error}") from error


def keep_etag(http: ForgeHTTP, state: SyncState, url: str) -> None:
    """Save the ETag the client got for `url` with the batch that completes what it vouches for."""
    if url in http.etags:
        state.etags[url] = http.etags[url]
