"""A project page answers "can I rely on this?": the activity score on the catalog's scale with its
breakdown behind a disclosure, and the Activity panel metrics adds (latest release, issues, last commit,
stars and forks)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache

from catalog.models import Repository
from catalog.standing import score_standing
from metrics.models import Release
from metrics.project_panel import activity_panel
from tests.activity import account, commit
from tests.factories import IssueFactory, ProjectFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
EXPLAINED = [{"label": "Score", "value": "round(726.9 − 50) = 677"}]


@pytest.fixture
def catalog_of_ten():
    """Ten listed projects scoring 10, 20, … 100."""
    cache.clear()
    return {
        score: ProjectFactory(slug=f"p{score}", activity_score=score, activity_score_explanation=EXPLAINED)
        for score in range(10, 101, 10)
    }


@pytest.mark.parametrize(
    ("score", "level", "top", "percentile"),
    [
        # Worked by hand: the nearest-rank percentile cuts of [10, 20, … 100] are scores[⌈p × 10 / 100⌉ − 1]
        # (scores[0] for p = 0), so 91 of the 101 lie below 100, 41 below 50, none below 10.
        (100, "Very active", 10, 90),
        (50, "Quiet", None, 41),
        (10, "Hardly active", None, 0),
    ],
)
def test_a_score_is_placed_among_the_listed_projects(catalog_of_ten, score, level, top, percentile):
    standing = score_standing(score=score)
    assert (standing.level, standing.top_percent, standing.percentile) == (level, top, percentile)
    assert standing.compared_with == 10


def test_the_comparison_reads_the_cached_percentiles_not_the_catalog(
    catalog_of_ten, django_assert_num_queries
):
    score_standing(score=50)
    with django_assert_num_queries(0):
        score_standing(score=70)


def test_alone_in_the_catalog_a_project_is_compared_with_nothing():
    cache.clear()
    ProjectFactory(activity_score=40)
    assert score_standing(score=40) is None


@pytest.fixture
def synced():
    project = ProjectFactory(name="Ledger", activity_score=100, activity_score_explanation=EXPLAINED)
    first = Repository.objects.create(
        project=project, forge="github", url="https://github.com/acme/ledger", stars=5, forks=1,
        last_synced_at=NOW, has_good_first_issues=True,
    )  # fmt: skip
    Repository.objects.create(
        project=project, forge="github", url="https://github.com/acme/ledger-cli", stars=7, forks=2,
        last_synced_at=NOW,
    )  # fmt: skip
    for n, (tag, days_ago, draft, prerelease) in enumerate(
        [
            ("v1.0", 90, False, False),
            ("v2.0", 12, False, False),
            ("v3.0", 1, True, False),
            ("v2.1-rc1", 2, False, True),
        ]
    ):
        Release.objects.create(
            repository=first, forge_id=str(n), tag=tag, name=f"Release {tag}", draft=draft, prerelease=prerelease,
            published_at=NOW - timedelta(days=days_ago),
        )  # fmt: skip
    for labels, state in [
        (["good first issue"], "open"),
        (["Help Wanted", "bug"], "open"),
        (["not a good first issue"], "open"),
        (["good first issue"], "closed"),
    ]:
        IssueFactory(repository=first, labels=labels, state=state, created_at=NOW - timedelta(days=5))
    commit(first, account("ada"), NOW - timedelta(days=2))
    commit(first, account("bob"), NOW - timedelta(days=20))
    return project


def test_the_activity_panel_says_release_issues_last_commit_stars_and_forks(
    synced, django_assert_num_queries
):
    with django_assert_num_queries(4):
        panel = activity_panel(project=synced, viewer=None)
    assert panel["release"].tag == "v2.0"  # not the draft, not the pre-release
    assert panel["release"].url == "https://github.com/acme/ledger/releases/tag/v2.0"
    assert (panel["open_issues"], panel["newcomer_issues"]) == (3, 2)
    assert panel["last_commit"] == NOW - timedelta(days=2)
    assert (panel["stars"], panel["forks"]) == (12, 3)


def test_before_a_sync_there_is_no_activity_panel():
    assert activity_panel(project=ProjectFactory(), viewer=None) is None


def test_the_project_page_shows_the_standing_the_breakdown_and_the_activity(client, synced, catalog_of_ten):
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        page = client.get(synced.get_absolute_url()).content.decode()
    # Eleven listed projects, two of them at 100: the cuts scores[⌈p × 11 / 100⌉ − 1] lie below 100 for
    # p ≤ 81, 82 of 101.
    assert "<strong>Active</strong> · in the top 25&nbsp;% of the catalog" in page
    assert 'aria-label="Scores higher than 81 % of the 11 projects in the catalog"' in page
    assert "<summary>How the score of 100 is computed</summary>" in page
    assert 'href="https://github.com/acme/ledger/releases/tag/v2.0">v2.0</a>' in page
    assert "12\xa0days ago" in page  # the release, with its date as the tooltip
    assert "3, of which 2 for newcomers" in page
    assert "12 stars, 3 forks" in page
    assert "Pick an issue labelled “good first issue”" in page


def test_without_good_first_issues_the_page_does_not_send_newcomers_to_pick_one(client):
    project = ProjectFactory(contributions_wanted="Connectors for more databases.")
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Pick an issue labelled" not in page
    assert "Ask what would help most (the community wants: Connectors for more databases.)" in page
    assert "Computed from repository activity once the repository is synced." in page
    assert 'id="activity-heading"' not in page
