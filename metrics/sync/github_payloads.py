"""GitHub REST objects (and webhook payloads, which embed the same shapes) → forge-neutral records.

Pure functions: no HTTP, no database. They raise KeyError/TypeError/ValueError on objects that lack
what every GitHub answer has (an id, a number, a creation time); callers decide what that means.
"""

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from metrics.sync.files import listing_paths, readiness_files
from metrics.sync.moments import aware, required
from metrics.sync.records import (
    AccountRecord,
    CommentRecord,
    CommitRecord,
    IssueRecord,
    PullRequestRecord,
    ReleaseRecord,
    RepositoryStatsRecord,
    ReviewRecord,
)

TRAILING_NUMBER_RE = re.compile(r"/(\d+)/?$")
REVIEW_STATES = {"approved", "changes_requested", "commented", "dismissed", "pending"}
# GitHub's default merge-commit messages; push payloads carry no parents, so this is the only hint.
MERGE_MESSAGE_PREFIXES = ("Merge pull request #", "Merge branch ", "Merge remote-tracking branch ")


def when(value: Any) -> datetime | None:
    """An ISO 8601 string, or the Unix seconds that push payloads use for the repository's dates."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise ValueError(f"not a date: {value!r}")
    return aware(parsed)


def _required_when(value: Any) -> datetime:
    return required(when(value))


def trailing_number(url: Any) -> int | None:
    match = TRAILING_NUMBER_RE.search(str(url or ""))
    return int(match.group(1)) if match else None


def account(user: Any) -> AccountRecord | None:
    """A user object; `null` (a deleted user in some answers) and `ghost` (GitHub's stand-in for every
    deleted account, shared by all of them) are nobody, not one person with a lot of activity."""
    if not isinstance(user, dict) or not user.get("login"):
        return None
    login = str(user["login"])
    if login.lower() == "ghost":
        return None
    return AccountRecord(
        login=login,
        external_id=str(user.get("id") or ""),
        name=str(user.get("name") or ""),
        email=str(user.get("email") or ""),
        is_bot=user.get("type") == "Bot",
    )


def _labels(obj: dict) -> list[str]:
    return [
        str(label["name"])
        for label in obj.get("labels") or []
        if isinstance(label, dict) and label.get("name")
    ]


def _numbered(obj: dict, *, state: str, updated_at: datetime, closed_at: datetime | None) -> dict[str, Any]:
    """The NumberedRecord fields of an issue or a pull request, which GitHub spells alike."""
    return {
        "forge_id": int(obj["id"]),
        "number": int(obj["number"]),
        "title": str(obj.get("title") or ""),
        "state": state,
        "author": account(obj.get("user")),
        "created_at": _required_when(obj["created_at"]),
        "updated_at": updated_at,
        "labels": _labels(obj),
        "closed_at": closed_at,
    }


def is_full_pull_request(obj: dict) -> bool:
    """The single-request answer and `pull_request` webhooks carry sizes and merged_by; lists and the
    pull requests embedded in review webhooks do not."""
    return "additions" in obj


def pull_request(obj: dict, *, ready_for_review_at: datetime | None = None) -> PullRequestRecord:
    merged_at = when(obj.get("merged_at"))
    if merged_at or obj.get("merged"):
        state = "merged"
    else:
        state = "closed" if obj.get("state") == "closed" else "open"
    updated_at = _required_when(obj.get("updated_at") or obj["created_at"])
    closed_at = when(obj.get("closed_at"))
    # Closed (or merged) without the time: it happened by the last update, the nearest moment we have;
    # left empty, the request would count as open for ever and never in the time to merge.
    if state == "merged" and merged_at is None:
        merged_at = closed_at or updated_at
    if state != "open" and closed_at is None:
        closed_at = merged_at or updated_at
    return PullRequestRecord(
        **_numbered(obj, state=state, updated_at=updated_at, closed_at=closed_at),
        draft=bool(obj.get("draft")),
        merged_by=account(obj.get("merged_by")),
        additions=int(obj.get("additions") or 0),
        deletions=int(obj.get("deletions") or 0),
        ready_for_review_at=ready_for_review_at,
        merged_at=merged_at,
    )


def review(obj: dict, *, pull_request_number: int | None = None) -> ReviewRecord:
    # The REST API spells states in capitals (APPROVED), webhooks in lower case (approved).
    state = str(obj.get("state") or "").lower()
    number = pull_request_number or trailing_number(obj.get("pull_request_url"))
    if number is None:
        raise ValueError("a review without its pull request")
    return ReviewRecord(
        pull_request_number=number,
        forge_id=int(obj["id"]),
        author=account(obj.get("user")),
        state=state if state in REVIEW_STATES else "commented",
        submitted_at=when(obj.get("submitted_at")),  # absent while a review is pending
    )


def issue(obj: dict) -> IssueRecord | None:
    """None for a pull request: the issues API lists pull requests too, marked by a `pull_request` key."""
    if obj.get("pull_request"):
        return None
    state = "closed" if obj.get("state") == "closed" else "open"
    updated_at = _required_when(obj.get("updated_at") or obj["created_at"])
    closed_at = when(obj.get("closed_at"))
    if state == "closed" and closed_at is None:
        # Closed by the last update at the latest: without a time it would never count in the time
        # to close (a webhook keeps a closing time stored before: metrics.webhooks.github).
        closed_at = updated_at
    return IssueRecord(**_numbered(obj, state=state, updated_at=updated_at, closed_at=closed_at))


def issue_comment(obj: dict) -> CommentRecord:
    """A conversation comment; its number may be a pull request's (the upsert attaches it there)."""
    number = trailing_number(obj.get("issue_url"))
    if number is None:
        raise ValueError("an issue comment without its issue")
    return _comment(obj, kind="issue", issue_number=number)


def review_comment(obj: dict) -> CommentRecord:
    number = trailing_number(obj.get("pull_request_url"))
    if number is None:
        raise ValueError("a review comment without its pull request")
    return _comment(obj, kind="review", pull_request_number=number)


def _comment(obj: dict, *, kind: str, **number) -> CommentRecord:
    return CommentRecord(
        forge_id=int(obj["id"]),
        kind=kind,
        author=account(obj.get("user")),
        created_at=_required_when(obj["created_at"]),
        updated_at=_required_when(obj.get("updated_at") or obj["created_at"]),
        **number,
    )


def commit(obj: dict) -> CommitRecord:
    """A commit of the commits API: the GitHub account (when GitHub matched the e-mail to one) plus git's
    own author fields."""
    git_author = (obj.get("commit") or {}).get("author") or {}
    return _commit(
        sha=obj["sha"],
        git_author=git_author,
        author=account(obj.get("author")),
        authored=git_author.get("date"),
        is_merge=len(obj.get("parents") or []) > 1,
    )


def push_commit(obj: dict) -> CommitRecord:
    """A commit of a push delivery: git's author with the GitHub username when GitHub knows one."""
    git_author = obj.get("author") or {}
    username = git_author.get("username")
    return _commit(
        sha=obj["id"],
        git_author=git_author,
        author=AccountRecord(login=str(username)) if username else None,
        authored=obj.get("timestamp"),
        is_merge=str(obj.get("message") or "").startswith(MERGE_MESSAGE_PREFIXES),
    )


def _commit(
    *, sha: Any, git_author: dict, author: AccountRecord | None, authored: Any, is_merge: bool
) -> CommitRecord:
    """A commit with git's own author fields; the GitHub account takes the name and e-mail it lacks, so
    that the e-mail can link it to a portal user."""
    name, email = str(git_author.get("name") or ""), str(git_author.get("email") or "")
    if author is not None:
        author = replace(author, name=author.name or name, email=author.email or email)
    return CommitRecord(
        sha=str(sha),
        author=author,
        author_name=name,
        author_email=email,
        authored_at=_required_when(authored),
        is_merge=is_merge,
    )


def release(obj: dict) -> ReleaseRecord:
    return ReleaseRecord(
        forge_id=str(obj["id"]),
        tag=str(obj.get("tag_name") or ""),
        name=str(obj.get("name") or ""),
        draft=bool(obj.get("draft")),
        prerelease=bool(obj.get("prerelease")),
        published_at=when(obj.get("published_at")),
        author=account(obj.get("author")),
    )


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def repository_stats(obj: dict) -> RepositoryStatsRecord:
    """The repository object. Missing counts stay None (unchanged): webhooks omit subscribers_count, and
    `watchers_count` is the star count under an old name, not the watchers."""
    license_obj = obj.get("license")
    if isinstance(license_obj, dict):
        spdx = str(license_obj.get("spdx_id") or "")
        # NOASSERTION is GitHub's "a licence file we could not identify": its name ("Other") says more.
        license_name = str(license_obj.get("name") or spdx) if spdx in ("", "NOASSERTION") else spdx
    else:
        license_name = ""  # null: no licence (an empty string clears a licence that was removed)
    topics = obj.get("topics")
    return RepositoryStatsRecord(
        full_name=str(obj.get("full_name") or ""),
        description=str(obj.get("description") or ""),
        default_branch=str(obj.get("default_branch") or ""),
        stars=_count(obj.get("stargazers_count")),
        forks=_count(obj.get("forks_count")),
        watchers=_count(obj.get("subscribers_count")),
        open_issues=_count(obj.get("open_issues_count")),
        license=license_name[:80],
        topics=[str(t) for t in topics] if isinstance(topics, list) else None,
        created_at=when(obj.get("created_at")),
        updated_at=when(obj.get("updated_at")),
        pushed_at=when(obj.get("pushed_at")),
    )


def files_present(listings: dict[str, list[dict]]) -> list[str]:
    """Readiness keys from the listings of the root (""), ".github" and "docs" folders."""
    return readiness_files(listing_paths(listings))
