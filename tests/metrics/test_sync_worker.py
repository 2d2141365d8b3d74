"""End to end with a real Celery worker on Redis and PostgreSQL (skipped in the embedded mode)."""

import pytest
from django.utils import timezone

from catalog.models import Repository
from metrics.models import Commit, SyncState
from metrics.tasks import sync_repository
from tests.factories import ProjectFactory
from tests.metrics.test_git_sync import ALICE, BOB_LOWER, Source


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_celery_worker_syncs_a_git_repository_end_to_end(celery_worker_process, tmp_path):
    source = Source(tmp_path / "source", timezone.now())
    source.commit("Start", who=ALICE, days_ago=30, files={"README.md": "# Tool\n"})
    source.commit("More", who=BOB_LOWER, days_ago=3, files={"CONTRIBUTING.md": "Send patches.\n"})
    repository = Repository.objects.create(project=ProjectFactory(), forge="git", url=str(source.path))

    outcome = sync_repository.apply_async(args=[repository.pk]).get(timeout=120)

    assert outcome.startswith("ok"), outcome
    assert set(Commit.objects.filter(repository=repository).values_list("sha", flat=True)) == source.shas()
    repository.refresh_from_db()
    assert repository.last_synced_at is not None
    assert repository.last_error == ""
    assert {"README", "CONTRIBUTING"} <= set(repository.files_present)
    assert SyncState.objects.get(repository=repository).cursors["git_head"] == source.head()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_celery_worker_syncs_a_github_repository_over_http_and_then_answers_304(
    celery_worker_process, session_fake_forge
):
    from metrics.models import PullRequest, Review
    from tests.metrics.test_github_sync import serve

    serve(session_fake_forge)
    repository = Repository.objects.create(
        project=ProjectFactory(slug="widgets-worker", name="Widgets"),
        forge="github",
        url="https://github.acme.example/acme/widgets",
        full_name="acme/widgets",
    )

    outcome = sync_repository.apply_async(args=[repository.pk]).get(timeout=120)
    assert outcome.startswith("ok"), outcome
    assert dict(PullRequest.objects.filter(repository=repository).values_list("number", "state")) == {
        1: "merged",
        2: "open",
        3: "open",
        4: "closed",
    }
    assert Review.objects.filter(pull_request__repository=repository).exists()
    repository.refresh_from_db()
    assert repository.stars > 0 and repository.last_error == ""

    before = session_fake_forge.total()
    assert sync_repository.apply_async(args=[repository.pk]).get(timeout=120).startswith("ok")
    assert session_fake_forge.total() - before == 1
    assert SyncState.objects.get(repository=repository).last_request_count == 1
