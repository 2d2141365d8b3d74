"""One sync of one repository: the forge's adapter yields batches, each written with its cursor."""

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from catalog.models import Forge, Repository
from metrics.models import SyncState
from metrics.services import activity_upsert, repository_sync_finished
from metrics.sync.records import ActivityBatch

ADAPTERS = {
    Forge.GITHUB: "metrics.sync.github.GitHubAdapter",
    Forge.GITLAB: "metrics.sync.gitlab.GitLabAdapter",
    Forge.GIT: "metrics.sync.git.GitAdapter",
}


class Adapter(Protocol):
    """What each forge module offers. It reads and updates `state.cursors` / `state.etags` as it goes;
    a cursor must only move forward in (or before) the batch that completes what it covers."""

    request_count: int

    def batches(self, *, repository: Repository, state: SyncState, full: bool) -> Iterator[ActivityBatch]: ...


@dataclass
class SyncOutcome:
    repository: Repository
    requests: int = 0
    batches: int = 0
    records: int = 0
    unchanged: bool = False


def adapter_for(repository: Repository) -> Adapter:
    module_name, class_name = ADAPTERS[repository.forge].rsplit(".", 1)
    return getattr(import_module(module_name), class_name)()


def _size(batch: ActivityBatch) -> int:
    return sum(
        len(items)
        for items in (
            batch.pull_requests,
            batch.reviews,
            batch.issues,
            batch.comments,
            batch.commits,
            batch.releases,
        )
    )


def repository_sync(*, repository: Repository, full: bool = False) -> SyncOutcome:
    """Bring one repository up to date. Exceptions from the forge propagate to the caller (task or
    command), which decides between rescheduling and recording the error; what was written by then
    stays written, with the cursors that match it, so the next run continues where this one stopped."""
    state, _ = SyncState.objects.get_or_create(repository=repository)
    state.last_started_at = timezone.now()
    state.save(update_fields=["last_started_at"])
    adapter = adapter_for(repository)
    outcome = SyncOutcome(repository=repository)
    for batch in adapter.batches(repository=repository, state=state, full=full):
        with transaction.atomic():
            activity_upsert(repository=repository, batch=batch)
            state.save(update_fields=["cursors", "etags"])
        outcome.batches += 1
        outcome.records += _size(batch)
    outcome.requests = adapter.request_count
    outcome.unchanged = outcome.records == 0
    finished = timezone.now()
    state.last_finished_at = finished
    state.last_request_count = outcome.requests
    state.consecutive_failures = 0
    state.next_attempt_at = None
    fields = ["last_finished_at", "last_request_count", "consecutive_failures", "next_attempt_at"]
    if full:
        state.last_full_sync_at = finished
        fields.append("last_full_sync_at")
    state.save(update_fields=fields)
    repository_sync_finished(repository=repository)
    return outcome


def repository_sync_failed(*, repository: Repository, error: str, retry_at=None) -> SyncState:
    """Record a failed attempt: the error on the repository (shown on the project page and in the admin)."""
    state, _ = SyncState.objects.get_or_create(repository=repository)
    state.consecutive_failures += 1
    state.next_attempt_at = retry_at
    state.save(update_fields=["consecutive_failures", "next_attempt_at"])
    repository_sync_finished(repository=repository, error=error)
    return state
