"""GitHub webhook deliveries: signature, repository identity and translation into an activity batch.

The objects inside a delivery have the REST API's shapes, so the sync's translators serve here too.
"""

import hashlib
import hmac
from collections.abc import Callable

from catalog.models import Forge
from catalog.repositories import repository_for
from metrics.sync import github_payloads as payloads
from metrics.sync.github import keep_known, stored_pull_requests
from metrics.sync.records import ActivityBatch, CommentRecord, IssueRecord, PullRequestRecord

EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "issues",
        "issue_comment",
        "push",
        "release",
        "repository",
    }
)
# Actions after which the object is gone: recording it would bring it back.
GONE_ACTIONS = {"deleted", "transferred"}
# What the pull requests embedded in review and review-comment deliveries lack.
PARTIAL_FIELDS = ("additions", "deletions", "merged_by")


def signature_valid(*, body: bytes, headers, secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body with the webhook's secret."""
    header = str(headers.get("X-Hub-Signature-256", "") or "")
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(header.removeprefix("sha256=").strip().lower(), expected)


def repository_identity(payload: dict) -> tuple[str, str]:
    repository = payload.get("repository") if isinstance(payload, dict) else None
    if not isinstance(repository, dict):
        return "", ""
    return str(repository.get("html_url") or ""), str(repository.get("full_name") or "")


def _repository(payload: dict):
    web_url, full_name = repository_identity(payload)
    return repository_for(forge=Forge.GITHUB, web_url=web_url, full_name=full_name)


def _pull_requests(payload: dict, *, ready: bool = False) -> list[PullRequestRecord]:
    """The delivery's pull request, completed from the stored row (see metrics.sync.github.keep_known);
    none when the stored row is newer: deliveries can arrive late or out of order, and a review
    delivery's copy of the request is as old as the review."""
    obj = payload["pull_request"]
    action = str(payload.get("action") or "")
    # GitHub stamps the pull request's updated_at when it is marked ready: that is the moment.
    ready_at = payloads.when(obj.get("updated_at")) if ready else None
    record = payloads.pull_request(obj, ready_for_review_at=ready_at)
    repository = _repository(payload)
    row = (
        stored_pull_requests(repository=repository, numbers=[record.number]).get(record.number)
        if repository
        else None
    )
    if row is not None and row.updated_at > record.updated_at:
        return []
    if row is not None and record.state != "open" and action != "closed":
        # Without its closing times the translator takes updated_at (right for the close itself); a
        # later event on the closed request keeps the times stored before.
        if not obj.get("closed_at") and row.closed_at:
            record.closed_at = row.closed_at
        if record.state == "merged" and not obj.get("merged_at") and row.merged_at:
            record.merged_at = row.merged_at
    fields = () if payloads.is_full_pull_request(obj) else PARTIAL_FIELDS
    keep_known(record, row, fields=(*fields, "draft") if "draft" not in obj else fields)
    return [record]


def _issues(payload: dict) -> list[IssueRecord]:
    """The delivery's issue unless it is a pull request, or the stored issue is newer."""
    record = payloads.issue(payload["issue"])
    if record is None:
        return []
    repository = _repository(payload)
    row = repository.issues.filter(number=record.number).first() if repository else None
    if row is not None and row.updated_at > record.updated_at:
        return []
    closing = payload.get("action") == "closed"
    if row is not None and record.state == "closed" and not closing and not payload["issue"].get("closed_at"):
        # Without a closing time the translator takes updated_at (right for the close itself); a later
        # event on the closed issue keeps the closing time stored before.
        record.closed_at = row.closed_at or record.closed_at
    return [record]


def _with_comment(
    batch: ActivityBatch, payload: dict, *, translate: Callable[[dict], CommentRecord]
) -> ActivityBatch:
    """The batch and the delivery's comment, unless the comment was deleted."""
    if payload.get("action") != "deleted":
        batch.comments.append(translate(payload["comment"]))
    return batch


def batch_from_delivery(*, event: str, payload: dict) -> ActivityBatch | None:
    """The activity a delivery reports, or None when there is nothing to record."""
    action = str(payload.get("action") or "")
    if event == "pull_request":
        return ActivityBatch(pull_requests=_pull_requests(payload, ready=action == "ready_for_review"))
    if event == "pull_request_review":
        number = int(payload["pull_request"]["number"])
        return ActivityBatch(
            pull_requests=_pull_requests(payload),
            reviews=[payloads.review(payload["review"], pull_request_number=number)],
        )
    if event == "pull_request_review_comment":
        batch = ActivityBatch(pull_requests=_pull_requests(payload))
        return _with_comment(batch, payload, translate=payloads.review_comment)
    if event == "issues":
        issues = [] if action in GONE_ACTIONS else _issues(payload)
        return ActivityBatch(issues=issues) if issues else None
    if event == "issue_comment":
        # A conversation comment on a pull request: `issue` is then the request (it has `pull_request`),
        # and the comment attaches to the stored request by its number.
        batch = ActivityBatch(issues=_issues(payload))
        return _with_comment(batch, payload, translate=payloads.issue_comment)
    if event == "push":
        return _push(payload)
    if event == "release":
        return None if action == "deleted" else ActivityBatch(releases=[payloads.release(payload["release"])])
    if event == "repository":
        return (
            None
            if action == "deleted"
            else ActivityBatch(stats=payloads.repository_stats(payload["repository"]))
        )
    return None


def _push(payload: dict) -> ActivityBatch | None:
    """Commits pushed to the default branch; other branches count once they are merged there."""
    repository = payload.get("repository") or {}
    default_branch = repository.get("default_branch") or repository.get("master_branch")
    if payload.get("deleted") or not default_branch or payload.get("ref") != f"refs/heads/{default_branch}":
        return None
    commits = [payloads.push_commit(c) for c in payload.get("commits") or []]
    return ActivityBatch(commits=commits) if commits else None
