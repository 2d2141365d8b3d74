from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Project, SearchEntry
from catalog.search_index import entries_rebuild
from catalog.tasks import project_score_refresh_task
from tests.factories import ProjectFactory, RepositoryFactory


def active_project() -> Project:
    project = ProjectFactory(name="Busy Project", description="x" * 40)
    now = timezone.now()
    RepositoryFactory(
        project=project,
        url="https://github.acme.example/a/busy",
        stars=30,
        forks=10,
        watchers=5,
        open_issues=5,
        forge_created_at=now - timedelta(days=800),
        forge_updated_at=now - timedelta(days=1),
        participation=[10] * 52,
    )
    entries_rebuild(project_ids=[project.pk])
    return project


def test_refreshing_a_score_stores_it_with_its_explanation_and_reindexes(db):
    project = active_project()
    score = project_score_refresh_task.apply(args=[project.pk]).get()
    project.refresh_from_db()
    # 50 + 10*5 + 5 + 30/3 + 5/5 = 116, times 1.99 for an update a day ago and 2 for 10 commits a week
    # (both multipliers run from 1 to 2), no new-project boost at 800 days, +50 for the description,
    # -50: 461.7, so 462.
    assert score == project.activity_score
    assert score == 462
    assert project.activity_score_explanation
    assert SearchEntry.objects.get(project=project).activity_score == score


def test_a_missing_project_is_not_an_error(db):
    assert project_score_refresh_task.apply(args=[987654]).get() is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_celery_worker_refreshes_a_score(celery_worker_process):
    project = active_project()
    result = project_score_refresh_task.apply_async(args=[project.pk])
    score = result.get(timeout=60)
    project.refresh_from_db()
    assert score == project.activity_score > 100
