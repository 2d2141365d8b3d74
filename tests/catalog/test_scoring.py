import json
import math
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from catalog.scoring import activity_score, activity_score_explained, repository_mapping

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAP_REPOS = json.loads((FIXTURES / "sap-portal" / "repos.json").read_text(encoding="utf-8"))
# The published JavaScript's own results (tests/fixtures/activity-score/README.md says how they are made).
REFERENCE = FIXTURES / "activity-score"
SOURCE = json.loads((REFERENCE / "source.json").read_text(encoding="utf-8"))
CASES = json.loads((REFERENCE / "cases.json").read_text(encoding="utf-8"))
EXPECTED = json.loads((REFERENCE / "expected.json").read_text(encoding="utf-8"))

SAP_CASES = [
    pytest.param(repo, now, score, id=f"{repo['full_name']}@{now}")
    for repo in SAP_REPOS
    for now, score in EXPECTED["sap_portal"][str(repo["id"])].items()
]
SYNTHETIC_CASES = [
    pytest.param(case["repo"], case["now"], EXPECTED["synthetic"][case["name"]], id=case["name"])
    for case in CASES["synthetic"]
]

# SAP's page (scripts/index.js, getActivityLogo) shows images/activity/5.png, "Extremely High", above this.
SAP_TOP_RANGE_ABOVE = 2500


def run_published_javascript(cases: list[dict]) -> list[dict]:
    """The pattern's own calculateScore, run by node through tests/fixtures/activity-score/run.js."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "node is not installed: the published JavaScript cannot be run (expected.json still checks)"
        )
    text = Path(os.environ.get("ACTIVITY_SCORE_JS") or REFERENCE / "calculateScore.js")
    if not text.is_file():
        pytest.skip(
            f"the pattern's function text is not at {text}: tests/fixtures/activity-score/README.md says where"
            " it comes from (expected.json still checks)"
        )
    completed = subprocess.run(
        [node, str(REFERENCE / "run.js")],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIVITY_SCORE_JS": str(text), "TZ": "UTC"},
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def python_result(repo: dict, now: str) -> dict:
    """Our port's answer in the harness's terms: a score, or the error where JavaScript has no number."""
    try:
        return {"score": activity_score(repo, now=datetime.fromisoformat(now))}
    except (ValueError, TypeError) as error:
        return {"refused": str(error)}


def agrees(python: dict, javascript: dict) -> bool:
    # Where the JavaScript gives NaN or throws, the port refuses with an explanation instead.
    if "score" in javascript:
        return python == javascript
    return "refused" in python


NOW = datetime(2021, 1, 1, tzinfo=UTC)
LONG_AGO = "2015-01-01T00:00:00Z"


def fresh_repo(**changes):
    """Updated at NOW and created years ago, so the recency multiplier is 2 and the boost 0.

    Base activity: 50 + 10 forks × 5 + 4 watchers + 3 stars ÷ 3 + 5 issues ÷ 5 = 106, × 2 = 212.
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
    """Idle for a year with no counts: 50 × 1 = 50 before bonuses, and no boost."""
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


def test_the_fixtures_cover_all_42_repositories_at_six_instants():
    assert len(SAP_REPOS) == 42
    assert len(CASES["sap_instants"]) == 6
    assert len(SAP_CASES) == 252


def test_the_stored_reference_comes_from_the_pinned_published_text():
    assert EXPECTED["source"] == SOURCE
    assert SOURCE["repository"] == "InnerSourceCommons/InnerSourcePatterns"
    assert SOURCE["path"] == "patterns/2-structured/repository-activity-score.md"
    assert len(SOURCE["commit"]) == 40 and len(SOURCE["sha256"]) == 64
    assert set(EXPECTED["synthetic"]) == {case["name"] for case in CASES["synthetic"]}


@pytest.mark.parametrize(("repo", "now", "expected"), SYNTHETIC_CASES)
def test_the_score_matches_the_published_javascript_on_every_edge_case(repo, now, expected):
    assert agrees(python_result(repo, now), expected), (python_result(repo, now), expected)


def test_the_published_javascript_run_by_node_gives_our_score_for_every_sap_repository_at_every_instant():
    cases = [{"now": now, "repo": repo} for repo in SAP_REPOS for now in CASES["sap_instants"]]
    javascript = run_published_javascript(cases)
    python = [python_result(case["repo"], case["now"]) for case in cases]
    assert python == javascript
    # expected.json is what node gives today, not a stale copy.
    assert javascript == [{"score": EXPECTED["sap_portal"][str(c["repo"]["id"])][c["now"]]} for c in cases]


def test_the_published_javascript_run_by_node_agrees_with_our_score_on_every_edge_case():
    cases = CASES["synthetic"]
    javascript = run_published_javascript([{"now": c["now"], "repo": c["repo"]} for c in cases])
    assert javascript == [EXPECTED["synthetic"][c["name"]] for c in cases]
    disagreements = [
        (case["name"], python_result(case["repo"], case["now"]), result)
        for case, result in zip(cases, javascript, strict=True)
        if not agrees(python_result(case["repo"], case["now"]), result)
    ]
    assert disagreements == []
    # The edge cases include both kinds of JavaScript failure, which the port turns into refusals.
    assert {"value": "NaN"} in javascript
    assert any(result.get("error", "").startswith("TypeError") for result in javascript)


def test_the_harness_refuses_a_function_text_that_is_not_the_published_one(tmp_path):
    changed = tmp_path / "calculateScore.js"
    original = Path(os.environ.get("ACTIVITY_SCORE_JS") or REFERENCE / "calculateScore.js")
    if not original.is_file() or shutil.which("node") is None:
        pytest.skip(
            "node or the pattern's function text is missing (see tests/fixtures/activity-score/README.md)"
        )
    changed.write_text(
        original.read_text(encoding="utf-8").replace("/ 100);", "/ 100 + 1);"), encoding="utf-8"
    )
    completed = subprocess.run(
        [shutil.which("node"), str(REFERENCE / "run.js")],
        input="[]",
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIVITY_SCORE_JS": str(changed)},
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "not the published text" in completed.stderr


def test_sap_repositories_reach_sap_s_top_activity_range_with_the_published_score():
    ours = {
        (repo["full_name"], now): activity_score(repo, now=datetime.fromisoformat(now))
        for repo in SAP_REPOS
        for now in CASES["sap_instants"]
    }
    reference = max(score for by_time in EXPECTED["sap_portal"].values() for score in by_time.values())
    assert max(ours.values()) == reference > SAP_TOP_RANGE_ABOVE


def test_a_very_active_popular_repository_reaches_sap_s_top_activity_range():
    case = next(c for c in CASES["synthetic"] if c["name"].startswith("popular repository"))
    score = activity_score(case["repo"], now=datetime.fromisoformat(case["now"]))
    assert score == EXPECTED["synthetic"][case["name"]]["score"] > SAP_TOP_RANGE_ABOVE


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
    # 212 − 50 = 162, whether the statistics or the whole metadata are absent.
    assert activity_score(fresh_repo(), now=NOW) == 162
    assert activity_score(fresh_repo(_InnerSourceMetadata=None), now=NOW) == 162
    assert activity_score(fresh_repo(_InnerSourceMetadata={"participation": None}), now=NOW) == 162


def test_ten_commits_a_week_give_the_largest_participation_multiplier_of_two():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [10] * 52})
    # 212 × (1 + 7 / 7) = 424
    assert activity_score(repo, now=NOW) == 374


def test_participation_shorter_than_13_weeks_is_still_divided_by_13():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [26, 26, 26, 26]})
    # 104 commits ÷ 13 = 8 a week, so × (1 + 5 / 7): 212 × 12/7 = 363.43. Dividing by 4 would give 374.
    assert activity_score(repo, now=NOW) == 313


def test_only_the_last_13_weeks_of_participation_count():
    repo = fresh_repo(_InnerSourceMetadata={"participation": [100] * 39 + [0] * 13})
    # No commits in the last 13 weeks: × 1, 212. The whole year (75 a week) would give × 2.
    assert activity_score(repo, now=NOW) == 162


def test_empty_participation_is_refused_because_the_javascript_reduce_throws_on_it():
    with pytest.raises(ValueError, match="participation is empty"):
        activity_score(fresh_repo(_InnerSourceMetadata={"participation": []}), now=NOW)


def test_a_description_of_exactly_30_characters_earns_no_bonus():
    assert activity_score(fresh_repo(description="x" * 30), now=NOW) == 162


def test_a_description_of_31_characters_earns_the_50_point_bonus():
    assert activity_score(fresh_repo(description="x" * 31), now=NOW) == 212


def test_description_length_counts_utf16_code_units_like_javascript():
    # 29 letters and one emoji: 30 characters for Python, 31 code units for String.length.
    assert activity_score(fresh_repo(description="x" * 29 + "😀"), now=NOW) == 212


def test_a_long_motivation_earns_the_description_bonus_too():
    repo = fresh_repo(_InnerSourceMetadata={"motivation": "y" * 31})
    assert activity_score(repo, now=NOW) == 212


def test_contribution_guidelines_earn_100_points_with_javascript_truthiness():
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": "CONTRIBUTING.md"}), now=NOW) == 262
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": ""}), now=NOW) == 162
    # An empty array is truthy in JavaScript.
    assert activity_score(fresh_repo(_InnerSourceMetadata={"guidelines": []}), now=NOW) == 262


def test_the_subscriber_count_is_added_as_a_number_not_as_a_boolean():
    without = activity_score(fresh_repo(subscribers_count=0), now=NOW)
    with_forty = activity_score(fresh_repo(subscribers_count=40), now=NOW)
    # (102 × 2) − 50 = 154; 40 watchers × 2 = 80 more points. (A boolean would add 2.)
    assert (without, with_forty) == (154, 234)


def test_a_score_above_3000_gets_log_damping():
    repo = fresh_repo(forks_count=1000, subscribers_count=0, stargazers_count=0, open_issues_count=0)
    # (50 + 5000) × 2 = 10100, above 3000: 3000 + ln(10100) × 100 = 3922.02…, − 50 → 3872.
    assert 3000 + math.log(10100) * 100 == pytest.approx(3922.02, abs=1e-2)
    assert activity_score(repo, now=NOW) == 3872


def test_a_score_just_below_3000_is_not_damped():
    repo = fresh_repo(forks_count=289, subscribers_count=0, stargazers_count=0, open_issues_count=0)
    # (50 + 1445) × 2 = 2990, kept as it is: 2940.
    assert activity_score(repo, now=NOW) == 2940


def test_half_points_round_up_like_math_round_not_to_even():
    # 50 days idle: × 1.5; (50 + 5 issues ÷ 5) × 1.5 = 76.5, − 50 = 26.5: Math.round gives 27, round() 26.
    repo = stale_repo(open_issues_count=5, updated_at="2020-11-12T00:00:00Z")
    assert activity_score(repo, now=NOW) == 27


def test_an_idle_repository_with_no_counts_scores_zero():
    # 50 × 1 (idle over 100 days) − 50: the multipliers no longer take a score below zero.
    assert activity_score(stale_repo(), now=NOW) == 0


def test_a_young_recently_updated_project_gets_a_scaled_new_project_boost():
    repo = fresh_repo(created_at="2020-07-02T12:00:00Z", updated_at="2020-12-02T00:00:00Z")
    # Updated 30 days ago: 106 × 1.7 = 180.2. Boost (1000 − 30 × 2.74) × (365 − 182.5) / 365 = 458.9.
    assert activity_score(repo, now=NOW) == 589


def test_dates_with_offsets_and_milliseconds_are_read_like_javascript_dates():
    same_instant = fresh_repo(updated_at="2021-01-01T01:00:00.000+01:00")
    assert activity_score(same_instant, now=NOW) == 162


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


# The statistics of fresh_repo as a repository row stores them, with ten commits every week and
# contribution guidelines.
STORED_STATISTICS = {
    "stars": 3,
    "forks": 10,
    "watchers": 4,
    "open_issues": 5,
    "description": "A description longer than thirty characters.",
    "participation": [10] * 52,
    "has_guidelines": True,
}


def test_the_repository_mapping_has_githubs_shape_with_utc_z_dates():
    mapping = repository_mapping(
        created_at=datetime(2015, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))),
        updated_at=datetime(2021, 1, 1, 0, 0, 0, 250_999, tzinfo=UTC),
        **STORED_STATISTICS,
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
        created_at=datetime(2015, 1, 1, tzinfo=UTC), updated_at=NOW, **STORED_STATISTICS
    )
    github_shaped = fresh_repo(
        description="A description longer than thirty characters.",
        _InnerSourceMetadata={"participation": [10] * 52, "guidelines": "CONTRIBUTING.md"},
    )
    # 106 × 2 × 2 + 50 + 100 − 50
    assert activity_score(mapping, now=NOW) == activity_score(github_shaped, now=NOW) == 524


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
    assert activity_score(mapping, now=NOW) == 0


def test_the_explanation_states_the_multipliers_the_published_javascript_applies():
    # As published (PR #704), both multipliers run from 1 to 2: never below 1, as the misread brackets
    # (0.01 to 1.01 and 1/7 to 8/7) made them.
    cases = {
        "updated today, ten commits every week": ("2", "2"),
        "updated today, exactly 3 commits a week": ("2", "1"),
    }
    for name, (recency, participation) in cases.items():
        case = next(c for c in CASES["synthetic"] if c["name"] == name)
        score, breakdown = activity_score_explained(case["repo"], now=datetime.fromisoformat(case["now"]))
        values = {item["label"]: item["value"] for item in breakdown}
        assert f"× {recency} " in values["Recency multiplier"]
        assert f"× {participation} " in values["Commit participation multiplier"]
        assert score == EXPECTED["synthetic"][name]["score"]
    stale = next(c for c in CASES["synthetic"] if c["name"] == "updated exactly 100 days ago")
    _, breakdown = activity_score_explained(stale["repo"], now=datetime.fromisoformat(stale["now"]))
    assert "× 1 " in next(item["value"] for item in breakdown if item["label"] == "Recency multiplier")


@pytest.mark.django_db
def test_the_migration_recomputes_stored_scores_with_the_published_formula():
    import importlib

    from django.apps import apps

    from catalog.models import Repository, SearchEntry
    from catalog.search_index import entries_rebuild
    from tests.factories import ProjectFactory

    migration = importlib.import_module("catalog.migrations.0012_activity_scores_as_published")
    project = ProjectFactory(activity_score=57, activity_score_explanation=[{"label": "old", "value": "x"}])
    Repository.objects.create(
        project=project, forge="git", url="https://git.acme.example/a", forks=10, watchers=4, stars=3,
        open_issues=5, forge_created_at=datetime(2015, 1, 1, tzinfo=UTC), forge_updated_at=datetime.now(UTC),
    )  # fmt: skip
    entries_rebuild(project_ids=[project.pk])

    migration.recompute(apps, None)

    project.refresh_from_db()
    # Updated just now: 106 × 2 (recency) − 50, as the published JavaScript gives (no participation).
    assert project.activity_score == 162
    assert project.activity_score_explanation[-1]["value"].endswith("= 162")
    assert set(SearchEntry.objects.filter(project=project).values_list("activity_score", flat=True)) == {162}
