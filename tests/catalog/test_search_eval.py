"""search_eval: the metrics (checked against figures computed by hand) and the command end to end."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog import search_eval
from catalog.models import Asset, Project, SearchEntry, SearchTerm
from catalog.search_eval import relevance_set_read, search_metrics
from catalog.search_index import entries_rebuild
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
PORTAL_SET = ROOT / "tests" / "fixtures" / "search_eval" / "relevance.json"


def test_the_metrics_are_recall_at_k_mrr_and_the_top_3_share_as_computed_by_hand():
    rankings = [
        ["x", "a", "y", "b"],  # a at 2, b at 4 (beyond k=3): recall 1/2, reciprocal rank 1/2, in the top 3
        [],  # nothing: 0, 0, not in the top 3, a miss
        ["d", "e", "x", "y", "f"],  # d, e in the first 3, f at 5: recall 2/3, reciprocal rank 1
    ]
    relevant = [frozenset({"a", "b"}), frozenset({"c"}), frozenset({"d", "e", "f"})]

    metrics = search_metrics(rankings, relevant, k=3)

    assert metrics.recall == pytest.approx((1 / 2 + 0 + 2 / 3) / 3)  # 0.5556
    assert metrics.mrr == pytest.approx((1 / 2 + 0 + 1) / 3)  # 0.5
    assert metrics.top3 == pytest.approx(2 / 3)
    assert metrics.misses == (1,)


def test_a_larger_k_finds_more_and_the_top_3_share_does_not_depend_on_k():
    rankings = [["x", "a", "y", "b"], ["q", "r", "s", "c"]]
    relevant = [frozenset({"a", "b"}), frozenset({"c"})]

    at_1 = search_metrics(rankings, relevant, k=1)
    at_10 = search_metrics(rankings, relevant, k=10)

    assert (at_1.recall, at_1.mrr, at_1.top3, at_1.misses) == (0.0, 0.0, 0.5, (0, 1))
    assert at_10.recall == pytest.approx(1.0)
    assert at_10.mrr == pytest.approx((1 / 2 + 1 / 4) / 2)  # 0.375
    assert at_10.top3 == pytest.approx(0.5)
    assert at_10.misses == ()


def test_a_slug_repeated_in_a_ranking_counts_once_at_its_first_place():
    # A project and its asset share a slug: ["x", "x", "a"] is ["x", "a"].
    metrics = search_metrics([["x", "x", "a"]], [frozenset({"a"})], k=2)

    assert (metrics.recall, metrics.mrr, metrics.top3) == (1.0, 0.5, 1.0)


def test_the_metrics_refuse_rankings_that_do_not_match_the_needs():
    with pytest.raises(ValueError):
        search_metrics([["a"]], [], k=10)
    with pytest.raises(ValueError):
        search_metrics([["a"]], [frozenset({"a"})], k=0)
    assert search_metrics([], [], k=10).recall == 0.0


def test_the_portals_own_relevance_set_is_valid_with_jobs_built_more_than_once():
    relevance_set = relevance_set_read(str(PORTAL_SET))

    assert 250 <= len(relevance_set.catalog) <= 400
    assert 40 <= len(relevance_set.needs) <= 60
    rebuilt = [need for need in relevance_set.needs if len(need.relevant) >= 3]
    assert len(rebuilt) >= 15
    units = {item.business_unit for item in relevance_set.catalog}
    assert len(units) >= 10


SMALL_SET = {
    "catalog": [
        {
            "slug": "resilient-http",
            "name": "resilient-http",
            "description": "HTTP client that retries failed calls with backoff",
            "kind": "library",
            "topics": ["http"],
            "business_unit": "Payments",
        },
        {
            "slug": "backoff-helpers",
            "name": "Backoff helpers",
            "description": "Helpers for flaky calls to carriers",
            "kind": "library",
            "topics": ["reliability"],
            "business_unit": "Logistics",
        },
        {
            "slug": "mailer",
            "name": "Mailer",
            "description": "Send e-mails from Python jobs",
            "kind": "project",
            "topics": [],
            "business_unit": "Finance",
        },
        {
            "slug": "canteen-menu",
            "name": "Canteen menu",
            "description": "Weekly menu of the staff restaurants",
            "kind": "service",
            "topics": ["intranet"],
            "business_unit": "People Systems",
        },
    ],
    "needs": [
        {"need": "backoff", "relevant": ["resilient-http", "backoff-helpers"]},
        {"need": "menu", "relevant": ["canteen-menu"]},
        {"need": "xylophone", "relevant": ["mailer"]},
    ],
}


def write_set(tmp_path, data) -> str:
    path = tmp_path / "set.json"
    path.write_text(json.dumps(data))
    return str(path)


def run(*args) -> str:
    out = io.StringIO()
    call_command("search_eval", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_the_words_figures_and_the_needs_that_found_nothing(tmp_path):
    output = run(write_set(tmp_path, SMALL_SET))

    lines = output.splitlines()
    assert "4 entries, 3 needs" in lines[0]
    assert "viewer anonymous" in lines[0]
    assert lines[1].split() == ["words", "meaning", "fused", "catalog"]
    rows = {line[:14].strip(): line[14:].split(maxsplit=1) for line in lines[2:5]}
    assert rows["recall@10"][0] == "0.667"
    # Meaning and fused are measured too (here with the tests' small embedder, tests/embedders.py): the
    # table shows what --json reports.
    figures = json.loads(run(write_set(tmp_path, SMALL_SET), "--json"))["modes"]
    modes = ("meaning", "fused", "catalog")
    assert rows["recall@10"][1].split() == [f"{figures[mode]['recall']:.3f}" for mode in modes]
    assert rows["MRR@10"][0] == "0.667"
    assert rows["top-3 share"][0] == "0.667"
    assert "words: 1 of 3 needs with no relevant entry in the first 10 (1 found nothing at all)" in output
    assert "  - xylophone  [no results]" in lines


@pytest.mark.django_db
def test_the_command_reports_one_mode_as_json(tmp_path):
    output = json.loads(run(write_set(tmp_path, SMALL_SET), "--mode", "words", "--json", "--k", "1"))

    assert list(output["modes"]) == ["words"]
    words = output["modes"]["words"]
    assert output["k"] == 1
    assert words["top3"] == pytest.approx(2 / 3)
    assert words["no_results"] == ["xylophone"]
    assert "xylophone" in words["missed"]


@pytest.mark.django_db
def test_a_mode_registered_in_the_table_is_measured_and_one_without_is_not_available(tmp_path, monkeypatch):
    monkeypatch.setitem(search_eval.MODES, "meaning", lambda need, viewer: ["mailer", "canteen-menu"])
    monkeypatch.setitem(search_eval.MODES, "fused", None)

    output = json.loads(run(write_set(tmp_path, SMALL_SET), "--json"))

    assert output["modes"]["fused"] is None
    meaning = output["modes"]["meaning"]
    # backoff: nothing relevant; menu: canteen-menu at 2; xylophone: mailer at 1.
    assert meaning["recall"] == pytest.approx(2 / 3)
    assert meaning["mrr"] == pytest.approx((0 + 1 / 2 + 1) / 3)
    assert meaning["missed"] == ["backoff"]


@pytest.mark.django_db
def test_the_command_leaves_nothing_behind_and_puts_back_a_project_whose_slug_clashes(tmp_path):
    own = ProjectFactory(name="Our canteen", slug="canteen-menu", description="Lunch in the tower")
    entries_rebuild(project_ids=[own.pk])
    before = (
        list(Project.objects.values_list("pk", "slug")),
        list(SearchEntry.objects.values_list("pk", "slug")),
        list(SearchTerm.objects.values_list("word", flat=True)),
        Asset.objects.count(),
    )

    output = json.loads(run(write_set(tmp_path, SMALL_SET), "--json"))

    # Only the set was searched: the database's own "canteen-menu" was set aside meanwhile.
    assert output["modes"]["words"]["recall"] == pytest.approx(2 / 3)
    after = (
        list(Project.objects.values_list("pk", "slug")),
        list(SearchEntry.objects.values_list("pk", "slug")),
        list(SearchTerm.objects.values_list("word", flat=True)),
        Asset.objects.count(),
    )
    assert after == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON (line 1, column 2)"),
        (json.dumps({"catalog": []}), "expected a non-empty 'needs' list"),
        (
            json.dumps({**SMALL_SET, "needs": [{"need": "menu", "relevant": ["cantine"]}]}),
            "need 1 ('menu'): unknown slug 'cantine' (not in the catalog)",
        ),
        (
            json.dumps({**SMALL_SET, "catalog": SMALL_SET["catalog"] * 2}),
            "catalog entry 5: slug 'resilient-http' appears twice",
        ),
        (
            json.dumps({"catalog": [{**SMALL_SET["catalog"][0], "kind": "gadget"}], "needs": []}),
            "expected a non-empty 'needs' list",
        ),
    ],
)
def test_a_bad_relevance_set_is_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "set.json"
    path.write_text(content)

    with pytest.raises(CommandError) as error:
        run(str(path))

    assert str(error.value) == f"{path}: {message}"
    assert Project.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_kind_is_refused(tmp_path):
    bad = {**SMALL_SET, "catalog": [{**SMALL_SET["catalog"][0], "kind": "gadget"}]}
    with pytest.raises(CommandError, match="catalog entry 1: kind 'gadget' is not one of project, library"):
        run(write_set(tmp_path, bad))


def test_a_missing_file_exits_non_zero_with_one_line(tmp_path):
    missing = tmp_path / "nowhere.json"
    result = subprocess.run(
        [sys.executable, "manage.py", "search_eval", str(missing)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [f"CommandError: {missing}: no such file"]


def test_reciprocal_rank_fusion_adds_one_over_sixty_plus_the_rank():
    # a: 1/61 + 1/62 = 0.03252; c: 1/63 + 1/61 = 0.03227; b: 1/62 = 0.01613; d: 1/63 = 0.01587.
    assert search_eval.reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]]) == ["a", "c", "b", "d"]
    # A slug repeated in one ranking counts once, at its first place; an empty ranking adds nothing.
    assert search_eval.reciprocal_rank_fusion([["x", "x", "y"], []]) == ["x", "y"]
