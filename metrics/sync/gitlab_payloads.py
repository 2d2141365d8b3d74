"""GitLab's JSON (REST v4 answers and webhook payloads) as forge-neutral records.

Shared by the sync (metrics.sync.gitlab) and the webhooks (metrics.webhooks.gitlab) so that both
write the same keys: an approval or a note arriving by webhook and again by sync is one row.
Translators raise KeyError/TypeError/ValueError on payloads they cannot read; callers decide what
that means (a ForgeError in the sync, a failed delivery for webhooks).
"""

import hashlib
import re
from datetime import datetime
from typing import Any

from metrics.sync.files import listing_paths, readiness_files
from metrics.sync.moments import aware, required
from metrics.sync.records import (
    AccountRecord,
    CommentRecord,
    CommitRecord,
    IssueRecord,
    PullRequestRecord,
    ReleaseRecord,
    ReviewRecord,
)

# GitLab's `locked` is the short state while a merge is in progress: not merged yet, so still open.
MERGE_REQUEST_STATES = {
    "opened": "open",
    "reopened": "open",
    "locked": "open",
    "closed": "closed",
    "merged": "merged",
}
ISSUE_STATES = {"opened": "open", "reopened": "open", "closed": "closed"}

# Bots GitLab creates: project/group access-token users (`project_12_bot_3f2a…`), and its own service
# accounts (support-bot, alert-bot, …). Lists of users rarely carry the documented `bot` flag, so the
# name is the signal we have; PORTAL_BOT_LOGINS (metrics.services.is_bot) covers the rest.
BOT_USERNAME_RE = re.compile(r"(\[bot\]$|-bot$|^(project|group)_\d+_bot(_\w+)?$)")

# The system note GitLab writes when someone approves; it is the only place the API keeps the time.
APPROVED_NOTE = "approved this merge request"
UNAPPROVED_NOTE = "unapproved this merge request"

# GitLab's license `key` (from Licensee) spelled as the SPDX ids the rest of the portal uses.
SPDX = {
    "mit": "MIT",
    "apache-2.0": "Apache-2.0",
    "gpl-2.0": "GPL-2.0",
    "gpl-3.0": "GPL-3.0",
    "lgpl-2.1": "LGPL-2.1",
    "lgpl-3.0": "LGPL-3.0",
    "agpl-3.0": "AGPL-3.0",
    "mpl-2.0": "MPL-2.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "epl-2.0": "EPL-2.0",
    "isc": "ISC",
    "unlicense": "Unlicense",
    "cc0-1.0": "CC0-1.0",
}


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 as the REST API writes it, or `2015-05-17 18:08:09 UTC` as older webhooks do."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith(" UTC"):
        text = text[: -len(" UTC")].replace(" ", "T") + "+00:00"
    return aware(datetime.fromisoformat(text))


def required_time(value: Any) -> datetime:
    return required(parse_time(value))


def account(user: Any) -> AccountRecord | None:
    if not isinstance(user, dict) or not user.get("username"):
        return None
    username = str(user["username"])
    email = str(user.get("email") or user.get("public_email") or "")
    if "@" not in email:
        email = ""  # webhooks write "[REDACTED]" when the address is private
    return AccountRecord(
        login=username,
        external_id=str(user.get("id") or ""),
        name=str(user.get("name") or ""),
        email=email,
        is_bot=bool(user.get("bot")) or bool(BOT_USERNAME_RE.search(username.lower())),
    )


def label_names(labels: Any) -> list[str]:
    """The REST API lists label names; webhooks list label objects with a `title`."""
    names = []
    for label in labels or []:
        name = label.get("title") or label.get("name") if isinstance(label, dict) else label
        if name:
            names.append(str(name))
    return names


def _closing_times(state: str, item: dict) -> tuple[datetime | None, datetime | None]:
    """(merged_at, closed_at). A merged or closed object without its time (webhooks, older servers)
    was merged or closed by its last update at the latest: the nearest moment there is. Left empty,
    it would never count in the time to merge or to close. GitLab leaves closed_at empty on merged
    requests: so does this."""
    updated_at = required_time(item["updated_at"])
    merged_at, closed_at = parse_time(item.get("merged_at")), parse_time(item.get("closed_at"))
    if state == "merged" and merged_at is None:
        merged_at = updated_at
    if state == "closed" and closed_at is None:
        closed_at = updated_at
    return merged_at, closed_at


def _numbered(
    item: dict, *, state: str, author: AccountRecord | None, closed_at: datetime | None
) -> dict[str, Any]:
    """The NumberedRecord fields of an issue or a merge request, which GitLab spells alike."""
    return {
        "forge_id": int(item["id"]),
        "number": int(item["iid"]),
        "title": str(item.get("title") or ""),
        "state": state,
        "author": author or account(item.get("author")),
        "created_at": required_time(item["created_at"]),
        "updated_at": required_time(item["updated_at"]),
        "labels": label_names(item.get("labels")),
        "closed_at": closed_at,
    }


def merge_request(item: dict, *, author: AccountRecord | None = None, merged_by=None) -> PullRequestRecord:
    state = MERGE_REQUEST_STATES[item["state"]]
    merged_at, closed_at = _closing_times(state, item)
    return PullRequestRecord(
        **_numbered(item, state=state, author=author, closed_at=closed_at),
        # `draft` since GitLab 14; `work_in_progress` before (and still sent, deprecated).
        draft=bool(item["draft"] if item.get("draft") is not None else item.get("work_in_progress")),
        # `merged_by` is deprecated in favour of `merge_user`; older servers only send the former.
        merged_by=merged_by or account(item.get("merge_user") or item.get("merged_by")),
        merged_at=merged_at,
    )


def issue(item: dict, *, author: AccountRecord | None = None) -> IssueRecord:
    state = ISSUE_STATES[item["state"]]
    return IssueRecord(
        **_numbered(item, state=state, author=author, closed_at=_closing_times(state, item)[1])
    )


def note_kind(item: dict) -> str:
    """Diff (line) notes are review comments; the rest are conversation. Webhooks of older servers
    have no `type`, only a `line_code` on diff notes."""
    if "type" in item:
        return "review" if item["type"] == "DiffNote" else "issue"
    return "review" if item.get("line_code") else "issue"


def note(
    item: dict,
    *,
    author: AccountRecord | None = None,
    pull_request_number: int | None = None,
    issue_number: int | None = None,
) -> CommentRecord | None:
    """A person's note; system notes ("changed the description", "approved …") are not comments."""
    if item.get("system"):
        return None
    created_at = required_time(item["created_at"])
    return CommentRecord(
        forge_id=int(item["id"]),
        kind=note_kind(item),
        author=author or account(item.get("author")),
        created_at=created_at,
        updated_at=parse_time(item.get("updated_at")) or created_at,
        issue_number=issue_number,
        pull_request_number=pull_request_number,
    )


def approval_forge_id(number: int, user_id: Any) -> int:
    """GitLab approvals have no id: a stable one from (merge request, approver), below 2**62 so that
    it fits a signed 64-bit column everywhere."""
    digest = hashlib.sha256(f"gitlab-approval:{int(number)}:{int(user_id)}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 62) - 1)


def approval(*, number: int, user: dict, submitted_at: datetime | None) -> ReviewRecord:
    return ReviewRecord(
        pull_request_number=int(number),
        forge_id=approval_forge_id(number, user["id"]),
        author=account(user),
        state="approved",
        submitted_at=submitted_at,
    )


def approvals_from_notes(notes: list[dict]) -> dict[int, tuple[dict, datetime]]:
    """Who approves now, and since when, read from the approval system notes in order (an
    unapproval removes the person again)."""
    current: dict[int, tuple[dict, datetime]] = {}
    for item in notes:
        body = str(item.get("body") or "").strip().lower()
        user = item.get("author")
        if not item.get("system") or not isinstance(user, dict) or "id" not in user:
            continue
        if body.startswith(APPROVED_NOTE):
            current[int(user["id"])] = (user, required_time(item["created_at"]))
        elif body.startswith(UNAPPROVED_NOTE):
            current.pop(int(user["id"]), None)
    return current


def approvals(*, number: int, approvers: list[dict] | None, notes: list[dict]) -> list[ReviewRecord]:
    """Approvals as reviews: who from the approvals API (None where the server lacks it: then from
    the notes), and when from GitLab's approval notes, the only place that keeps the time."""
    noted = approvals_from_notes(notes)
    if approvers is None:
        approvers = [user for user, _ in noted.values()]
    return [
        approval(number=number, user=user, submitted_at=noted.get(int(user["id"]), (None, None))[1])
        for user in approvers
    ]


def commit(item: dict) -> CommitRecord:
    return CommitRecord(
        sha=str(item["id"]),
        # GitLab reports only a commit's name and e-mail, not the account; the e-mail links people.
        author=None,
        author_name=str(item.get("author_name") or ""),
        author_email=str(item.get("author_email") or "").lower(),
        authored_at=required_time(item.get("authored_date") or item["created_at"]),
        is_merge=len(item.get("parent_ids") or []) > 1,
    )


def release(item: dict) -> ReleaseRecord:
    tag = str(item["tag_name"])
    return ReleaseRecord(
        forge_id=tag,  # releases are identified by their tag in GitLab's API
        tag=tag,
        name=str(item.get("name") or tag),
        draft=False,  # GitLab has no draft releases
        prerelease=bool(item.get("upcoming_release")),
        published_at=parse_time(item.get("released_at") or item.get("created_at")),
        author=account(item.get("author")),
    )


def license_id(project: dict) -> str | None:
    """The project's licence as an SPDX id (present only when asked for with `license=true`)."""
    licence = project.get("license")
    if not isinstance(licence, dict) or not licence.get("key"):
        return None
    key = str(licence["key"]).lower()
    return SPDX.get(key) or str(licence.get("nickname") or licence.get("name") or key)[:80]


def files_present(listings: dict[str, list[dict]]) -> list[str]:
    """Readiness keys from tree listings by folder ("" for the root, ".gitlab", "docs")."""
    return readiness_files(listing_paths(listings))
