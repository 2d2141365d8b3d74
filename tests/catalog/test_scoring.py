import json
import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog.scoring import activity_score, activity_score_explained, repository_mapping

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sap-portal"
SAP_REPOS = json.loads((FIXTURES / "repos.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((FIXTURES / "expected_scores.json").read_text(encoding="utf-8"))

SAP_CASES = [
    pytest.param(repo, now, score, id=f"{repo['full_name']}@{now}")
    for repo in SAP_REPOS
    for now, score in EXPECTED[str(repo["id"])].items()
]

NOW = datetime(2021, 1, 1, tzinfo=UTC)
LONG_AGO = "2015-01-01T00:00:00Z"


def fresh_repo(**changes):
    """Updated at NOW and created years ago, so the recency multiplier is 1.01 and the boost 0.

    Base activity: 50 + 10 forks × 5 + 4 watchers + 3 stars ÷ 3 + 5 issues ÷ 5 = 106, × 1.01 = 107.06.
    """
    repo = {
        "forks_count": 10,
        "subscribers_count": 4,
        "stargazers_count": 3,
        "open_issues_count": 5,
        "created_at": LONG_AGO,
        "updated_at": "2021-01-01T00:00:00Z",
        "description": None,
    }
    repo.update(changes)
    return repo


def stale_repo(**changes):
    """Idle for a year with no counts: 50 × 0.01 = 0.5 before bonuses, and no boost."""
    repo = {
        "forks_count": 0,
        "stargazers_count": 0,
        "open_issues_count": 0,
        "created_at": LONG_AGO,
        "updated_at": "2020-01-01T00:00:00Z",
        "description": None,
    }
    repo.update(changes)
    return repo


def test_the_fixtures_cover_all_42_repositories_at_three_instants():
    assert len(SAP_REPOS) == 42
    assert len(SAP_CASES) == 126


@pytest.mark.parametrize(("repo", "now", "expected"), SAP_CASES)
def test_the_score_matches_the_published_javascript_for_every_sap_repository(repo, now, expected):
    assert activity_score(repo, now=datetime.fromisoformat(now)) == expected


@pytest.mark.parametrize(("repo", "now", "expected"), SAP_CASES)
def test_the_explained_score_is_the_same_score_for_every_sap_repository(repo, now, expected):
    score, breakdown = activity_score_explained(repo, now=datetime.fromisoformat(now))
    assert score == expected
    assert all(set(item) == {"label", "value"} for item in breakdown)
    assert all(isinstance(item["label"], str) and isinstance(item["value"], str) for item in breakdown)


def test_scoring_does_not_modify_the_repository_mapping():
    repo = json.loads(json.dumps(SAP_REPOS[0]))
    activity_score(repo, now=NOW)
    activity_score_explained(repo, now=NOW)
    assert repo == SAP_REPOS[0]


def test_a_repository_without_participation_statistics_gets_no_participation_multiplier():
    # round(107.06 − 50) = 57, whether the statistics or the whole metadata are absent.
    assert activity_score(fresh_repo(), now=NOW) == 57
    assert activity_score(fresh_repo(_InnerSourceMetadata=None), now=NOW) == 57
    assert activity_score(fresh_repo(_InnerSourceMetadata={"participation": None}), now=NOW) == 57


def test_ten_commits_a_week_give_the_largest_participation_multiplier_of_eight_sevenths():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [10] * 52})
    # 107.06 × (1 + 7) / 7 = 122.354…
    assert activity_score(repo, now=NOW) == 72


def test_participation_shorter_than_13_weeks_is_still_divided_by_13():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [26, 26, 26, 26]})
    # 104 commits ÷ 13 = 8 a week, so × (1 + 5) / 7: 107.06 × 6/7 = 91.77. Dividing by 4 would give 72.
    assert activity_score(repo, now=NOW) == 42


def test_only_the_last_13_weeks_of_participation_count():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [100] * 39 + [0] * 13})
    # No commits in the last 13 weeks: × 1/7, 107.06 / 7 = 15.29.
    assert activity_score(repo, now=NOW) == -35


def test_empty_participation_is_refused_because_the_javascript_reduce_throws_on_it():
    with pytest.raises(ValueError, match="participation is empty"):
        activity_score(fresh_repo(_InnerSourceMetadata={"participation": []}), now=NOW)


def test_a_description_of_exactly_30_characters_earns_no_bonus():
    assert activity_score(fresh_repo(description="x" * 30), now=NOW) == 57


def test_a_description_of_31_characters_earns_the_50_point_bonus():
    assert activity_score(fresh_repo(description="x" * 31), now=NOW) == 107


def test_description_length_counts_utf16_code_units_like_javascript():
    # 29 letters and one emoji: 30 characters for Python, 31 code units for String.length.
    assert activity_score(fresh_repo(description="x" * 29 + "😀"), now=NOW) == 107


def test_a_long_motivation_earns_the_description_bonus_too():
    repo = fresh_repo(_InnerSourceMetadata={"motivation": "y" * 31})
    assert activity_score(repo, now=NOW) == 107


def test_contribution_guidelines_earn_100_points_with_javascript_truthiness():
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": "CONTRIBUTING.md"}), now=NOW) == 157
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": ""}), now=NOW) == 57
    # An empty array is truthy in JavaScript.
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": []}), now=NOW) == 157


def test_the_subscriber_count_is_added_as_a_number_not_as_a_boolean():
    without = activity_score(fresh_repo(subscribers_count=0), now=NOW)
    with_forty = activity_score(fresh_repo(subscribers_count=40), now=NOW)
    # 40 watchers × 1.01 = 40.4 more points.
    assert (without, with_forty) == (53, 93)


def test_a_score_above_3000_gets_log_damping():
    repo = fresh_repo(forks_count=1000, subscribers_count=0, stargazers_count=0, open_issues_count=0)
    # (50 + 5000) × 1.01 = 5100.5, above 3000: 3000 + ln(5100.5) × 100 = 3853.709…, − 50 → 3804.
    assert 3000 + math.log(5100.5) * 100 == pytest.approx(3853.709, abs=1e-3)
    assert activity_score(repo, now=NOW) == 3804


def test_a_score_just_below_3000_is_not_damped():
    repo = fresh_repo(forks_count=580, subscribers_count=0, stargazers_count=0, open_issues_count=0)
    # (50 + 2900) × 1.01 = 2979.5, kept as it is: 2929.5 rounds up to 2930.
    assert activity_score(repo, now=NOW) == 2930


def test_half_points_round_up_like_math_round_not_to_even():
    repo = stale_repo(
        description="A description longer than thirty characters.",
        _InnerSourceMetadata={"guidelines": "CONTRIBUTING.md"},
    )
    # 0.5 + 50 + 100 − 50 = 100.5: Math.round gives 101 where Python's round() gives 100.
    assert activity_score(repo, now=NOW) == 101


def test_negative_half_points_round_towards_positive_infinity():
    # 0.5 − 50 = −49.5: Math.round gives −49 where Python's round() gives −50.
    assert activity_score(stale_repo(), now=NOW) == -49


def test_a_young_recently_updated_project_gets_a_scaled_new_project_boost():
    repo = fresh_repo(created_at="2020-07-02T12:00:00Z", updated_at="2020-12-02T00:00:00Z")
    # Updated 30 days ago: 106 × 0.71 = 75.26. Boost (1000 − 30 × 2.74) × (365 − 182.5) / 365 = 458.9.
    assert activity_score(repo, now=NOW) == 484


def test_dates_with_offsets_and_milliseconds_are_read_like_javascript_dates():
    same_instant = fresh_repo(updated_at="2021-01-01T01:00:00.000+01:00")
    assert activity_score(same_instant, now=NOW) == 57


def test_a_missing_count_is_refused_because_javascript_would_score_nan():
    repo = fresh_repo()
    del repo["forks_count"]
    with pytest.raises(ValueError, match="forks_count"):
        activity_score(repo, now=NOW)


def test_now_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        activity_score(fresh_repo(), now=datetime(2021, 1, 1))


def test_the_explanation_lists_every_component_for_the_project_page():
    repo = fresh_repo(
        description="A description longer than thirty characters.",
        _InnerSourceMetadata={"participation": [10] * 52, "guidelines": "CONTRIBUTING.md"},
    )
    score, breakdown = activity_score_explained(repo, now=NOW)
    assert score == activity_score(repo, now=NOW)
    assert [item["label"] for item in breakdown] == [
        "Base activity",
        "Recency multiplier",
        "Commit participation multiplier",
        "New-project boost",
        "Description bonus",
        "Guidelines bonus",
        "Log damping",
        "Score",
    ]
    values = {item["label"]: item["value"] for item in breakdown}
    assert "10 forks" in values["Base activity"]
    assert values["Description bonus"].startswith("+ 50")
    assert values["Guidelines bonus"].startswith("+ 100")
    assert values["Score"].endswith(f"= {score}")


def test_the_repository_mapping_has_githubs_shape_with_utc_z_dates():
    mapping = repository_mapping(
        stars=3,
        forks=10,
        watchers=4,
        open_issues=5,
        created_at=datetime(2015, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))),
        updated_at=datetime(2021, 1, 1, 0, 0, 0, 250_999, tzinfo=UTC),
        description="A description longer than thirty characters.",
        participation=[10] * 52,
        has_guidelines=True,
    )
    assert mapping["created_at"] == "2015-01-01T00:00:00Z"
    assert mapping["updated_at"] == "2021-01-01T00:00:00.250Z"
    assert mapping["subscribers_count"] == 4
    assert mapping["stargazers_count"] == 3
    assert mapping["forks_count"] == 10
    assert mapping["open_issues_count"] == 5
    assert mapping["_InnerSourceMetadata"]["participation"] == [10] * 52
    assert mapping["_InnerSourceMetadata"]["guidelines"]


def test_a_repository_mapping_scores_like_the_equivalent_github_repository():
    mapping = repository_mapping(
        stars=3,
        forks=10,
        watchers=4,
        open_issues=5,
        created_at=datetime(2015, 1, 1, tzinfo=UTC),
        updated_at=NOW,
        description="A description longer than thirty characters.",
        participation=[10] * 52,
        has_guidelines=True,
    )
    github_shaped = fresh_repo(
        description="A description longer than thirty characters.",
        _InnerSourceMetadata={"participation": [10] * 52, "guidelines": "CONTRIBUTING.md"},
    )
    assert activity_score(mapping, now=NOW) == activity_score(github_shaped, now=NOW) == 222


def test_a_repository_mapping_without_statistics_yet_can_still_be_scored():
    mapping = repository_mapping(
        stars=0,
        forks=0,
        watchers=0,
        open_issues=0,
        created_at=datetime(2015, 1, 1, tzinfo=UTC),
        updated_at=datetime(2020, 1, 1, tzinfo=UTC),
        description="",
        participation=[],
        has_guidelines=False,
    )
    assert "participation" not in mapping["_InnerSourceMetadata"]
    assert activity_score(mapping, now=NOW) == -49
