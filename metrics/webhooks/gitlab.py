"""GitLab webhook deliveries (project or group hooks) as activity batches.

Webhook payloads are thinner than the REST API's: a merge request names its author and merger by id
only, carries no merged_at/closed_at, and a release has no author. Rather than blank what the sync
stored, the translators take the people from the payload where the ids match (the acting `user`,
assignees, reviewers), else from the accounts and rows already stored. A delivery that arrives after
a newer state was stored (deliveries are processed asynchronously and may come out of order) does not
roll that state back.
"""

import hashlib
import hmac
import re

from django.utils import timezone

from catalog.models import Forge, Repository
from catalog.repositories import repository_for
from metrics.models import ForgeAccount, Issue, PullRequest
from metrics.sync import gitlab_payloads as payloads
from metrics.sync.records import (
    AccountRecord,
    ActivityBatch,
    CommitRecord,
    NumberedRecord,
    PullRequestRecord,
    ReleaseRecord,
)

EVENTS = frozenset({"Merge Request Hook", "Note Hook", "Issue Hook", "Push Hook", "Release Hook"})

# GitLab's default merge commit message; push payloads carry no parents to tell a merge otherwise
# (the next sync reads the parents and corrects the flag).
MERGE_MESSAGE_RE = re.compile(r"^Merge (branch|remote-tracking branch|tag|commit) '")


def signature_valid(*, body: bytes, headers, secret: str) -> bool:
    """GitLab does not sign: it sends the hook's secret token as it is, in X-Gitlab-Token."""
    token = headers.get("X-Gitlab-Token", "") or ""
    if not secret or not token:
        return False
    return hmac.compare_digest(token.encode(), secret.encode())


def body_delivery_id(*, event: str, body: bytes) -> str:
    """The id of a delivery that came without one: a digest of the event name and the exact bytes,
    so that GitLab's retry of the same delivery is recognised. Two different events do not share a
    body: their object's updated_at, a push's before/after commits, a note's id differ. Cannot be
    mistaken for GitLab's own ids (UUIDs)."""
    return "sha256:" + hashlib.sha256(event.encode() + b"\n" + body).hexdigest()


def repository_identity(payload: dict) -> tuple[str, str]:
    project = payload.get("project") if isinstance(payload, dict) else None
    if not isinstance(project, dict):
        return "", ""
    return str(project.get("web_url") or ""), str(project.get("path_with_namespace") or "")


def batch_from_delivery(*, event: str, payload: dict) -> ActivityBatch | None:
    handler = HANDLERS.get(event)
    return handler(payload) if handler else None


# -- people and stored rows ---------------------------------------------------------------------------


def _repository(payload: dict) -> Repository | None:
    web_url, full_name = repository_identity(payload)
    return repository_for(forge=Forge.GITLAB, web_url=web_url, full_name=full_name)


def _stored_account(account: ForgeAccount | None) -> AccountRecord | None:
    if account is None:
        return None
    return AccountRecord(
        login=account.login,
        external_id=account.external_id,
        name=account.name,
        email=account.email,
        is_bot=account.is_bot,
    )


def _person(user_id, payload: dict) -> AccountRecord | None:
    """The account of a user id: from the users the payload shows, else one stored before."""
    if not user_id:
        return None
    shown = [payload.get("user"), *(payload.get("assignees") or []), *(payload.get("reviewers") or [])]
    for user in shown:
        if isinstance(user, dict) and user.get("id") == user_id:
            return payloads.account(user)
    return _stored_account(ForgeAccount.objects.filter(forge=Forge.GITLAB, external_id=str(user_id)).first())


def _merge_request(payload: dict, attrs: dict, *, action: str = "") -> PullRequestRecord | None:
    """The merge request of `attrs` (object_attributes, or a note's `merge_request`), or None when a
    newer state is already stored."""
    repository = _repository(payload)
    number = int(attrs["iid"])
    existing = (
        repository.pull_requests.select_related("author", "merged_by").filter(number=number).first()
        if repository
        else None
    )
    author = _person(attrs.get("author_id"), payload) or _stored_account(existing and existing.author)
    merged_by = _person(attrs.get("merge_user_id"), payload)
    if merged_by is None and action == "merge":
        merged_by = payloads.account(payload.get("user"))  # the one who pressed merge
    merged_by = merged_by or _stored_account(existing and existing.merged_by)
    record = payloads.merge_request(attrs, author=author, merged_by=merged_by)
    # The hook has no merged_at: the translator takes its updated_at, the moment of a merge event; a
    # later event (a note, an edit) keeps the moment stored before.
    if record.state == "merged" and not attrs.get("merged_at") and action != "merge":
        record.merged_at = (existing and existing.merged_at) or record.merged_at
    return _unless_stored_newer(record, existing=existing, attrs=attrs, action=action)


def _issue(payload: dict, attrs: dict, *, action: str = ""):
    repository = _repository(payload)
    number = int(attrs["iid"])
    existing = (
        repository.issues.select_related("author").filter(number=number).first() if repository else None
    )
    author = _person(attrs.get("author_id"), payload) or _stored_account(existing and existing.author)
    return _unless_stored_newer(
        payloads.issue(attrs, author=author), existing=existing, attrs=attrs, action=action
    )


def _unless_stored_newer[R: NumberedRecord](
    record: R, *, existing: PullRequest | Issue | None, attrs: dict, action: str
) -> R | None:
    """None when the stored row is newer; else the record, with what the hook leaves out as stored:
    the labels, and the closing time (hooks and older servers send no closed_at: the translator takes
    updated_at, right for the close event itself; a later edit or note keeps the time stored before)."""
    if existing and existing.updated_at > record.updated_at:
        return None
    if "labels" not in attrs and existing:
        record.labels = list(existing.labels)
    if record.state == "closed" and not attrs.get("closed_at") and action != "close":
        record.closed_at = (existing and existing.closed_at) or record.closed_at
    return record


# -- events -------------------------------------------------------------------------------------------


def _merge_request_hook(payload: dict) -> ActivityBatch:
    attrs = payload["object_attributes"]
    if "labels" not in attrs and "labels" in payload:
        attrs = {**attrs, "labels": payload["labels"]}
    action = str(attrs.get("action") or "")
    batch = ActivityBatch()
    record = _merge_request(payload, attrs, action=action)
    if record:
        batch.pull_requests.append(record)
    user = payload.get("user")
    if action in ("approval", "approved") and isinstance(user, dict) and user.get("id"):
        # The hook does not say when; it is sent as the approval happens, so now is close. The sync
        # replaces it with the time of GitLab's approval note (same forge_id).
        batch.reviews.append(
            payloads.approval(number=int(attrs["iid"]), user=user, submitted_at=timezone.now())
        )
    return batch


def _note_hook(payload: dict) -> ActivityBatch | None:
    attrs = payload["object_attributes"]
    if attrs.get("system"):
        return None
    author = _person(attrs.get("author_id"), payload) or payloads.account(payload.get("user"))
    batch = ActivityBatch()
    if attrs.get("noteable_type") == "MergeRequest":
        parent = payload["merge_request"]
        record = _merge_request(payload, parent)
        batch.pull_requests.extend([record] if record else [])
        comment = payloads.note(attrs, author=author, pull_request_number=int(parent["iid"]))
    elif attrs.get("noteable_type") == "Issue":
        parent = payload["issue"]
        record = _issue(payload, parent)
        batch.issues.extend([record] if record else [])
        comment = payloads.note(attrs, author=author, issue_number=int(parent["iid"]))
    else:
        return None  # notes on commits and snippets are not tracked
    batch.comments.extend([comment] if comment else [])
    return batch


def _issue_hook(payload: dict) -> ActivityBatch:
    attrs = payload["object_attributes"]
    record = _issue(payload, attrs, action=str(attrs.get("action") or ""))
    return ActivityBatch(issues=[record] if record else [])


def _push_hook(payload: dict) -> ActivityBatch | None:
    branch = payload["project"].get("default_branch")
    if not branch or payload["ref"] != f"refs/heads/{branch}":
        return None  # activity counts on the default branch only, as the sync reads it
    repository = _repository(payload)
    shas = [str(c["id"]) for c in payload.get("commits") or []]
    known = (
        set(repository.commits.filter(sha__in=shas).values_list("sha", flat=True)) if repository else set()
    )
    commits = []
    for item in payload.get("commits") or []:
        if str(item["id"]) in known:
            continue  # the sync stored it with its parents; the hook would know less
        author = item.get("author") or {}
        commits.append(
            CommitRecord(
                sha=str(item["id"]),
                author=None,  # as in the sync: GitLab names a commit's author, not the account
                author_name=str(author.get("name") or ""),
                author_email=str(author.get("email") or "").lower(),
                authored_at=payloads.required_time(item["timestamp"]),
                is_merge=bool(MERGE_MESSAGE_RE.match(str(item.get("message") or ""))),
            )
        )
    return ActivityBatch(commits=commits)


def _release_hook(payload: dict) -> ActivityBatch | None:
    if payload.get("action") == "delete":
        return None  # the portal keeps a release's history
    tag = str(payload["tag"])
    released_at = payloads.parse_time(payload.get("released_at") or payload.get("created_at"))
    repository = _repository(payload)
    existing = (
        repository.releases.select_related("author").filter(forge_id=tag).first() if repository else None
    )
    release = ReleaseRecord(
        forge_id=tag,
        tag=tag,
        name=str(payload.get("name") or tag),
        draft=False,
        # The hook has no `upcoming_release`: a release dated in the future is the same thing.
        prerelease=bool(released_at and released_at > timezone.now()),
        published_at=released_at,
        author=_stored_account(existing and existing.author),
    )
    return ActivityBatch(releases=[release])


HANDLERS = {
    "Merge Request Hook": _merge_request_hook,
    "Note Hook": _note_hook,
    "Issue Hook": _issue_hook,
    "Push Hook": _push_hook,
    "Release Hook": _release_hook,
}
