"""Writes of repository activity: idempotent upserts keyed by the forges' ids.

Every source (the GitHub, GitLab and git syncs, webhooks, the demo seed) goes through
`activity_upsert`, so running a sync twice, or again after a crash half-way, yields the same rows.
"""

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Repository
from catalog.services import (
    consumer_notices_for_releases,
    detected_adoptions_update,
    project_score_refresh,
)
from metrics import daily
from metrics.accounts import account_id, accounts_upsert, is_bot
from metrics.models import (
    Comment,
    Commit,
    ForgeAccount,
    Issue,
    ManifestFile,
    PullRequest,
    Release,
    Review,
)
from metrics.selectors import repository_dependencies
from metrics.signals import contributions_recorded
from metrics.sync.code_size import CodeSize
from metrics.sync.records import (
    ActivityBatch,
    ManifestScan,
    NumberedRecord,
    RepositoryStatsRecord,
)

BULK = 500

__all__ = ["activity_upsert", "adoptions_detect", "is_bot", "repository_sync_finished"]


def _numbered_row(
    *, repository: Repository, accounts: dict[str, ForgeAccount], record: NumberedRecord
) -> dict[str, Any]:
    """The field values of an issue's or a request's row that both have (metrics.models: same names)."""
    return {
        "repository": repository,
        "forge_id": record.forge_id,
        "number": record.number,
        "title": record.title[:500],
        "state": record.state,
        "author_id": account_id(accounts, record.author),
        "labels": record.labels,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "closed_at": record.closed_at,
    }


def _stats_apply(*, repository: Repository, stats: RepositoryStatsRecord) -> None:
    mapping = {
        "full_name": stats.full_name or None,
        "description": stats.description or None,
        "default_branch": stats.default_branch or None,
        "stars": stats.stars,
        "forks": stats.forks,
        "watchers": stats.watchers,
        "open_issues": stats.open_issues,
        "license": stats.license,
        "topics": stats.topics,
        "forge_created_at": stats.created_at,
        "forge_updated_at": stats.updated_at,
        "forge_pushed_at": stats.pushed_at,
        "participation": stats.participation,
        "files_present": stats.files_present,
        "has_good_first_issues": stats.has_good_first_issues,
    }
    if stats.readme is not None:
        mapping |= {
            "readme_path": stats.readme.path,
            "readme_sha": stats.readme.sha,
            "readme_text": stats.readme.text,
            "readme_truncated": stats.readme.truncated,
        }
    changed = [
        name for name, value in mapping.items() if value is not None and getattr(repository, name) != value
    ]
    for name in changed:
        setattr(repository, name, mapping[name])
    if changed:
        repository.save(update_fields=changed)
    if stats.manifests is not None and stats.manifests.code is not None:
        _code_size_apply(repository=repository, code=stats.manifests.code)
    if stats.manifests is not None and stats.manifests.manifests_changed:
        _manifests_apply(repository=repository, scan=stats.manifests)


def _code_size_apply(*, repository: Repository, code: CodeSize) -> None:
    """Keep the size of the repository's source code (catalog.effort reads it) and what it was had from."""
    repository.code_lines = code.lines
    repository.code_lines_basis = code.basis
    repository.code_digest = code.digest
    repository.code_counted_at = timezone.now()
    repository.save(update_fields=["code_lines", "code_lines_basis", "code_digest", "code_counted_at"])


def _manifests_apply(*, repository: Repository, scan: ManifestScan) -> None:
    """Keep the manifests as the listing shows them: those read now written (one bulk upsert), those
    gone removed (one delete); the unchanged ones are left as they are, with their time of reading."""
    if scan.complete:
        repository.manifest_files.exclude(path__in=list(scan.listed)).delete()
    now = timezone.now()
    _upsert(
        ManifestFile,
        [
            {
                "repository": repository,
                "path": record.path,
                "blob_sha": record.sha,
                "dependencies": record.dependencies,
                "error": record.error,
                "read_at": now,
            }
            for record in scan.read
        ],
        unique=("repository", "path"),
    )
    # The sync brings a scan only when a manifest changed: then what the repository uses may have.
    adoptions_detect(repositories=[repository])


def adoptions_detect(*, repositories: Iterable[Repository]) -> int:
    """Match the stored manifests of these repositories with the catalog's assets and keep their
    adoptions found in code in step (catalog.services.detected_adoptions_update); returns how many
    adoptions started or ended. Runs after each sync that read a manifest, and nightly for every
    repository, for assets whose package URL was given or changed since."""
    repositories = list(repositories)
    dependencies = repository_dependencies(repository_ids=[r.pk for r in repositories])
    unreadable: dict[int, set[str]] = {}
    for repository_id, path in (
        ManifestFile.objects.filter(repository__in=repositories)
        .exclude(error="")
        .values_list("repository_id", "path")
    ):
        unreadable.setdefault(repository_id, set()).add(path)
    changed = 0
    for repository in repositories:
        changes = detected_adoptions_update(
            repository=repository,
            dependencies=dependencies.get(repository.pk, []),
            unreadable_paths=unreadable.get(repository.pk, set()),
        )
        changed += len(changes.started) + len(changes.ended)
    return changed


@transaction.atomic
def _upsert(model: type[models.Model], rows: list[dict[str, Any]], *, unique: tuple[str, ...]) -> None:
    """Insert rows given as field values, in bulk; a row that conflicts on `unique` has every other
    given field updated (so a field cannot be written on insert and forgotten on update). All rows
    name the same fields."""
    if not rows:
        return
    meta = model._meta
    updated = [meta.get_field(name).name for name in rows[0]]
    model._default_manager.bulk_create(
        [model(**row) for row in rows],
        batch_size=BULK,
        update_conflicts=True,
        unique_fields=list(unique),
        update_fields=[name for name in updated if name not in unique],
    )


def _rows_write(*, repository: Repository, accounts: dict[str, ForgeAccount], batch: ActivityBatch) -> None:
    """Upsert the batch's requests, issues, reviews, comments and commits; delete the commits gone."""
    forge = repository.forge
    _upsert(
        PullRequest,
        [
            {
                **_numbered_row(repository=repository, accounts=accounts, record=pr),
                "draft": pr.draft,
                "merged_by_id": account_id(accounts, pr.merged_by),
                "additions": pr.additions,
                "deletions": pr.deletions,
                "ready_for_review_at": pr.ready_for_review_at,
                "merged_at": pr.merged_at,
            }
            for pr in batch.pull_requests
        ],
        unique=("repository", "number"),
    )
    _upsert(
        Issue,
        [_numbered_row(repository=repository, accounts=accounts, record=issue) for issue in batch.issues],
        unique=("repository", "number"),
    )

    numbers = {r.pull_request_number for r in batch.reviews}
    numbers |= {c.pull_request_number for c in batch.comments if c.pull_request_number}
    numbers |= {c.issue_number for c in batch.comments if c.issue_number}
    pr_ids = (
        dict(repository.pull_requests.filter(number__in=numbers).values_list("number", "pk"))
        if numbers
        else {}
    )
    issue_numbers = {c.issue_number for c in batch.comments if c.issue_number}
    issue_ids = (
        dict(repository.issues.filter(number__in=issue_numbers).values_list("number", "pk"))
        if issue_numbers
        else {}
    )

    _upsert(
        Review,
        [
            {
                "pull_request_id": pr_ids[r.pull_request_number],
                "forge_id": r.forge_id,
                "author_id": account_id(accounts, r.author),
                "state": r.state,
                "submitted_at": r.submitted_at,
            }
            for r in batch.reviews
            if r.pull_request_number in pr_ids
        ],
        unique=("pull_request", "forge_id"),
    )

    comments = []
    for c in batch.comments:
        # GitHub numbers issues and pull requests from one sequence: a conversation comment on a
        # pull request arrives through the issues API with the request's number.
        pull_request_id = pr_ids.get(c.pull_request_number or (forge == "github" and c.issue_number) or -1)
        issue_id = None if pull_request_id else issue_ids.get(c.issue_number or -1)
        if pull_request_id is None and issue_id is None:
            continue
        comments.append(
            {
                "repository": repository,
                "forge_id": c.forge_id,
                "kind": c.kind,
                "issue_id": issue_id,
                "pull_request_id": pull_request_id,
                "author_id": account_id(accounts, c.author),
                "created_at": c.created_at,
                "updated_at": c.updated_at,
            }
        )
    _upsert(Comment, comments, unique=("repository", "kind", "forge_id"))

    _upsert(
        Commit,
        [
            {
                "repository": repository,
                "sha": c.sha,
                "author_id": account_id(accounts, c.author),
                "author_name": c.author_name[:255],
                "author_email": c.author_email[:255],
                "authored_at": c.authored_at,
                "is_merge": c.is_merge,
            }
            for c in batch.commits
        ],
        unique=("repository", "sha"),
    )
    for start in range(0, len(batch.removed_commit_shas), BULK):
        repository.commits.filter(sha__in=batch.removed_commit_shas[start : start + BULK]).delete()


def activity_upsert(*, repository: Repository, batch: ActivityBatch, announce: bool = True) -> set[int]:
    """Write one batch of activity for a repository; return the portal users it involves.

    With `announce` (the default) the people involved are announced after commit for re-evaluation;
    a bulk writer that evaluates everyone afterwards (the demo seed) turns it off."""
    forge = repository.forge
    people = [pr.author for pr in batch.pull_requests] + [pr.merged_by for pr in batch.pull_requests]
    people += [r.author for r in batch.reviews] + [i.author for i in batch.issues]
    people += [c.author for c in batch.comments] + [c.author for c in batch.commits]
    people += [r.author for r in batch.releases]
    accounts = accounts_upsert(forge=forge, records=[p for p in people if p])

    if batch.stats:
        _stats_apply(repository=repository, stats=batch.stats)

    # The daily aggregates follow every row this batch may write or delete (metrics.daily).
    shas = [c.sha for c in batch.commits] + list(batch.removed_commit_shas)
    touched: dict[type, list[Q]] = {
        PullRequest: daily.chunked_in(
            "number", [pr.number for pr in batch.pull_requests], repository=repository
        ),
        Issue: daily.chunked_in("number", [i.number for i in batch.issues], repository=repository),
        # Through the unique indexes: (repository, number) then (pull_request, forge_id) for reviews,
        # (repository, kind, forge_id) for comments.
        Review: daily.chunked_in(
            "forge_id",
            [r.forge_id for r in batch.reviews],
            pull_request__repository=repository,
            pull_request__number__in=sorted({r.pull_request_number for r in batch.reviews}),
        ),
        Comment: daily.chunked_in(
            "forge_id",
            [c.forge_id for c in batch.comments],
            repository=repository,
            kind__in=sorted({c.kind for c in batch.comments}),
        ),
        Commit: daily.chunked_in("sha", shas, repository=repository),
    }
    with daily.kept(repository=repository, wheres=touched):
        _rows_write(repository=repository, accounts=accounts, batch=batch)
        # The first responses of the batch's items and of those its comments and reviews answer (GitHub
        # numbers a request's conversation comments as an issue's).
        answered = {c.issue_number for c in batch.comments if c.issue_number}
        daily.first_responses_refresh_numbers(
            repository_id=repository.pk,
            request_numbers={pr.number for pr in batch.pull_requests}
            | {r.pull_request_number for r in batch.reviews}
            | {c.pull_request_number for c in batch.comments if c.pull_request_number}
            | (answered if forge == "github" else set()),
            issue_numbers={i.number for i in batch.issues} | answered,
        )

    _upsert(
        Release,
        [
            {
                "repository": repository,
                "forge_id": r.forge_id,
                "tag": r.tag[:255],
                "name": r.name[:255],
                "draft": r.draft,
                "prerelease": r.prerelease,
                "published_at": r.published_at,
                "author_id": account_id(accounts, r.author),
            }
            for r in batch.releases
        ],
        unique=("repository", "forge_id"),
    )
    if batch.releases:
        # The consumers of the project's assets are told of a new release (once: a re-sync, or a webhook
        # and a sync, records nothing new).
        consumer_notices_for_releases(repository=repository, tags=[r.tag[:255] for r in batch.releases])

    user_ids = {a.user_id for a in accounts.values() if a.user_id and not a.is_bot}
    if user_ids and announce:
        transaction.on_commit(
            lambda: contributions_recorded.send(sender=Repository, user_ids=sorted(user_ids))
        )
    return user_ids


def repository_sync_finished(*, repository: Repository, error: str = "") -> None:
    """Record how a sync ended; a successful one refreshes the project's activity score."""
    now = timezone.now()
    if error:
        Repository.objects.filter(pk=repository.pk).update(last_error=error[:2000])
        return
    Repository.objects.filter(pk=repository.pk).update(last_error="", last_synced_at=now)
    repository.refresh_from_db()
    project_score_refresh(project=repository.project, now=now)
