"""What a forge adapter produces: forge-neutral records that the upsert services write.

Adapters (github.py, gitlab.py, git.py, webhooks) translate the forges' payloads into these; only
metrics.services writes them, so that every source goes through the same idempotent upserts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from metrics.sync.code_size import CodeSize


@dataclass(frozen=True, kw_only=True)
class AccountRecord:
    login: str  # GitHub login, GitLab username, or the lower-cased e-mail for plain git
    external_id: str = ""
    name: str = ""
    email: str = ""
    is_bot: bool = False


@dataclass(frozen=True, kw_only=True)
class ReadmeRecord:
    """The README of the default branch as read now; an empty path means the repository has none."""

    path: str
    sha: str  # the git blob id: what tells whether it changed
    text: str
    truncated: bool = False


NO_README = ReadmeRecord(path="", sha="", text="")


@dataclass(frozen=True, kw_only=True)
class ManifestRecord:
    """One dependency manifest as read now: its dependencies, or why it could not be read."""

    path: str
    sha: str  # the git blob id
    dependencies: list[dict] = field(default_factory=list)  # {"purl", "version", "line"}, as written
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class ManifestScan:
    """The manifests of the default branch after one listing: `listed` is every manifest the listing
    shows ({path: blob id}, within the sync's bounds), `read` those read now (new, changed, or all on a
    full sync). With `complete`, stored manifests the listing does not show are gone; a listing the
    forge cut short (`complete` False) removes nothing. `code` is the size of the source code of the same
    listing when it changed (metrics.sync.code_size); `manifests_changed` False when only that changed."""

    listed: dict[str, str]
    read: list[ManifestRecord]
    complete: bool = True
    code: CodeSize | None = None
    manifests_changed: bool = True


@dataclass(kw_only=True)
class RepositoryStatsRecord:
    full_name: str = ""
    description: str = ""
    default_branch: str = ""
    stars: int | None = None
    forks: int | None = None
    watchers: int | None = None
    open_issues: int | None = None
    license: str | None = None
    topics: list[str] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    pushed_at: datetime | None = None
    participation: list[int] | None = None  # 52 weekly commit counts, oldest first
    files_present: list[str] | None = None  # keys of catalog.readiness plus INNERSOURCE_JSON, CATALOG_INFO
    has_good_first_issues: bool | None = None
    readme: ReadmeRecord | None = None  # None: unchanged (or not read), NO_README: removed
    manifests: ManifestScan | None = None  # None: unchanged (or not listed)


@dataclass(kw_only=True)
class NumberedRecord:
    """What issues and pull (merge) requests have alike: a number in their repository, an author, labels,
    and open or closed."""

    forge_id: int
    number: int
    title: str
    state: str  # open | closed, and merged for requests
    author: AccountRecord | None
    created_at: datetime
    updated_at: datetime
    labels: list[str] = field(default_factory=list)
    closed_at: datetime | None = None


@dataclass(kw_only=True)
class PullRequestRecord(NumberedRecord):
    draft: bool = False
    merged_by: AccountRecord | None = None
    additions: int = 0
    deletions: int = 0
    ready_for_review_at: datetime | None = None
    merged_at: datetime | None = None


@dataclass(kw_only=True)
class ReviewRecord:
    pull_request_number: int
    forge_id: int
    author: AccountRecord | None
    state: str  # approved | changes_requested | commented | dismissed | pending
    submitted_at: datetime | None


@dataclass(kw_only=True)
class IssueRecord(NumberedRecord):
    pass


@dataclass(kw_only=True)
class CommentRecord:
    forge_id: int
    kind: str  # issue | review
    author: AccountRecord | None
    created_at: datetime
    updated_at: datetime
    # The number of the issue or request it belongs to (GitHub numbers both from one sequence).
    issue_number: int | None = None
    pull_request_number: int | None = None


@dataclass(kw_only=True)
class CommitRecord:
    sha: str
    author: AccountRecord | None
    author_name: str
    author_email: str
    authored_at: datetime
    is_merge: bool = False


@dataclass(kw_only=True)
class ReleaseRecord:
    forge_id: str
    tag: str
    name: str
    draft: bool
    prerelease: bool
    published_at: datetime | None
    author: AccountRecord | None = None


@dataclass(kw_only=True)
class ActivityBatch:
    """One page's worth of records; the sync writes a batch at a time so that memory stays bounded."""

    stats: RepositoryStatsRecord | None = None
    pull_requests: list[PullRequestRecord] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    issues: list[IssueRecord] = field(default_factory=list)
    comments: list[CommentRecord] = field(default_factory=list)
    commits: list[CommitRecord] = field(default_factory=list)
    releases: list[ReleaseRecord] = field(default_factory=list)
    # Commits the source no longer has (a rewritten git history): deleted with this batch.
    removed_commit_shas: list[str] = field(default_factory=list)
