"""The vector index behind `nearest` at scale (catalog.meaning_index), run here on a small catalog with the
threshold lowered: it gives the exact scan's answers, never decides visibility or filters (the database
does), finds what was embedded after its snapshot (the delta) and forgets what is gone, survives the
rebuild of the search entries (stable keys), and a process loads a newer snapshot. Both databases
(tests/embedders.py's WordsEmbedder: texts sharing words are near)."""

import random
from datetime import UTC, datetime

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from catalog import meaning_index
from catalog.meaning import embedder
from catalog.models import MeaningIndex, MeaningIndexPart, ReviewStatus, SearchEntry, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search, similar_entries
from catalog.selectors import similar as similar_module
from catalog.selectors.fused import meaning_matches
from catalog.selectors.similar import nearest, with_vectors
from catalog.tasks import meaning_index_build_task, meaning_index_refresh_if_due
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory, defence_member

pytestmark = pytest.mark.django_db
ANYONE = AnonymousUser()
LONG_AGO = datetime(2026, 1, 5, tzinfo=UTC)
WORDS = [
    "retry",
    "backoff",
    "jitter",
    "http",
    "client",
    "queue",
    "broker",
    "timer",
    "cache",
    "token",
    "colour",
    "spacing",
    "ledger",
    "invoice",
    "payment",
    "refund",
    "audit",
    "metrics",
    "tracing",
    "logging",
    "alert",
    "dashboard",
    "schema",
    "migration",
    "search",
    "index",
    "vector",
    "model",
    "camera",
    "sensor",
    "radar",
]


@pytest.fixture
def threshold(settings, tmp_path):
    """The index from one vector on, its files in a fresh directory, and this process's loader as a newly
    started one's (looking for a newer snapshot on every call)."""
    settings.CATALOG_MEANING_INDEX_MIN = 1
    settings.CATALOG_MEANING_INDEX_DIR = tmp_path / "index"
    meaning_index.loader_reset(check_seconds=0)
    yield settings
    meaning_index.loader_reset()


@pytest.fixture
def shelf():
    """60 projects with an asset each, of 5 random words out of 33 (seeded), in three business units."""
    rng = random.Random(17)
    units = [BusinessUnitFactory(slug=f"unit-{n}", name=f"Unit {n}") for n in range(3)]
    projects = []
    for n in range(60):
        project = ProjectFactory(
            name=f"Project {n}",
            slug=f"project-{n}",
            business_unit=units[n % 3],
            description=" ".join(rng.sample(WORDS, 5)),
        )
        AssetFactory(
            project=project, name=f"lib-{n}", slug=f"lib-{n}", description=" ".join(rng.sample(WORDS, 4))
        )
        projects.append(project)
    secret = ProjectFactory(
        name="Quiet Radar",
        business_unit=BusinessUnitFactory(slug="defence", name="Defence"),
        visibility=Visibility.UNITS,
        description="retry backoff jitter http client",
    )
    entries_rebuild(project_ids=[p.pk for p in [*projects, secret]])
    # Embedded long before any snapshot: what a snapshot holds is proposed by the index alone, not by
    # its delta, nor read again by the build (snapshot_build re-reads the last BUILD_OVERLAP).
    SearchEntry.objects.update(meaning_at=LONG_AGO)
    return {"projects": projects, "units": units, "secret": secret}


def redescribed(projects, description: str) -> None:
    """These projects say `description` now, and their search entries are built again (embedded now)."""
    for project in projects:
        project.description = description
        project.save()
    entries_rebuild(project_ids=[project.pk for project in projects])


def vector_of(text: str) -> np.ndarray:
    return embedder().embed([text])[0]


def answers(queries: list[str], candidates=None, *, limit: int = 10, floor: float = 0.2):
    candidates = with_vectors(candidates if candidates is not None else SearchEntry.objects.all())
    return [nearest(vector_of(q), candidates, limit=limit, floor=floor) for q in queries]


QUERIES = ["retry http client", "ledger invoice payment refund", "radar camera sensor", "search vector index"]


def assert_same_up_to_ties(answer: list[tuple[int, float]], exact: list[tuple[int, float]]) -> None:
    """The same scores, and the same entries above the last score: among entries tied at the cut, the
    index may propose any."""
    assert [score for _, score in answer] == [score for _, score in exact]
    cut = exact[-1][1] if exact else 0
    assert {pk for pk, s in answer if s > cut} == {pk for pk, s in exact if s > cut}


def names_of(pairs: list[tuple[int, float]]) -> list[str]:
    entries = SearchEntry.objects.in_bulk([pk for pk, _ in pairs])
    return [entries[pk].name for pk, _ in pairs]


def test_below_the_threshold_no_index_is_built_and_the_scan_answers(shelf, settings, tmp_path):
    settings.CATALOG_MEANING_INDEX_MIN = 1_000
    settings.CATALOG_MEANING_INDEX_DIR = tmp_path
    meaning_index.loader_reset(check_seconds=0)

    assert meaning_index.snapshot_build() is None
    assert not MeaningIndex.objects.exists()
    assert meaning_index.loaded() is None
    assert not meaning_index.snapshot_due()


def test_the_index_gives_the_exact_scans_answers_with_exact_scores(shelf, threshold):
    exact = answers(QUERIES)
    snapshot = meaning_index.snapshot_build()
    assert snapshot is not None and snapshot.entries == SearchEntry.objects.count()
    assert MeaningIndexPart.objects.filter(snapshot=snapshot).exists()
    assert meaning_index.loaded() is not None

    indexed = answers(QUERIES)

    assert all(exact), "each query has answers"
    # On 121 entries the graph finds the true nearest: the same answers, with the scan's exact scores.
    for answer, exact_answer in zip(indexed, exact, strict=True):
        assert_same_up_to_ties(answer, exact_answer)


def test_the_index_proposes_only_what_was_embedded_before_its_snapshot_and_the_delta_adds_the_rest(
    shelf, threshold
):
    meaning_index.snapshot_build()
    late = ProjectFactory(name="Late Comer", description="zeppelin hangar mooring")
    entries_rebuild(project_ids=[late.pk])

    assert names_of(answers(["zeppelin hangar"])[0]) == ["Late Comer"], "embedded after: the delta"

    # The same vector stamped as if it had been computed before the snapshot: the index never saw it.
    SearchEntry.objects.filter(project=late).update(meaning_at=LONG_AGO)
    assert answers(["zeppelin hangar"])[0] == []


def test_an_entry_changed_after_the_snapshot_is_found_by_its_new_meaning(shelf, threshold):
    meaning_index.snapshot_build()
    project = shelf["projects"][0]
    redescribed([project], "zeppelin hangar mooring")

    assert names_of(answers(["zeppelin hangar"])[0]) == [project.name]


def test_a_deleted_or_unlisted_entry_proposed_by_the_index_is_not_returned(shelf, threshold):
    first, second = shelf["projects"][:2]
    redescribed([first, second], "zeppelin hangar mooring")
    meaning_index.snapshot_build()
    assert set(names_of(answers(["zeppelin hangar"])[0])) == {first.name, second.name}

    first.delete()
    second.review_status = ReviewStatus.REJECTED
    second.save()
    entries_rebuild(project_ids=[second.pk])

    assert answers(["zeppelin hangar"])[0] == []


def test_a_restricted_entry_proposed_by_the_index_reaches_only_those_who_see_it(shelf, threshold):
    meaning_index.snapshot_build()
    query = shelf["projects"][0]
    redescribed([query], "retry backoff jitter http client")

    outsider = UserFactory(username="outsider")
    for viewer in (ANYONE, outsider):
        assert "Quiet Radar" not in [
            s.entry.name for s in similar_entries(viewer=viewer, project=query, limit=50)
        ]
    assert "Quiet Radar" in [s.entry.name for s in similar_entries(viewer=defence_member(), project=query)]
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="jitter"))
    assert "quiet-radar" not in [entry.slug for entry in results.entries]


def test_a_filter_applies_to_the_proposals_and_a_narrow_one_falls_back_to_the_exact_scan(
    shelf, threshold, monkeypatch
):
    unit = shelf["units"][1]
    in_unit = SearchEntry.objects.filter(business_unit=unit)
    exact = answers(QUERIES, in_unit)
    meaning_index.snapshot_build()
    indexed = answers(QUERIES, in_unit)
    in_unit_ids = set(in_unit.values_list("pk", flat=True))
    assert all(pk in in_unit_ids for answer in indexed for pk, _ in answer)
    for answer, exact_answer in zip(indexed, exact, strict=True):
        assert_same_up_to_ties(answer, exact_answer)

    # Asked for at most 8 proposals, of which the filter keeps fewer than 10: the unit is scanned.
    monkeypatch.setattr(similar_module, "INDEX_WIDEST", 8)
    assert answers(QUERIES, in_unit) == exact


def test_the_search_takes_meaning_from_the_index_beyond_the_scan_bound(shelf, threshold):
    threshold.CATALOG_MEANING_SEARCH_MAX = 10  # without an index, more vectors than this: words only
    entries = SearchEntry.objects.all()
    assert meaning_matches(entries, "zeppelin retry") == []

    meaning_index.snapshot_build()
    found = meaning_matches(entries, "zeppelin retry")

    assert found and all("retry" in SearchEntry.objects.get(pk=pk).summary for pk in found)


def test_the_keys_outlive_a_rebuild_of_the_search_entries(shelf, threshold):
    meaning_index.snapshot_build()
    before = [names_of(answer) for answer in answers(QUERIES)]
    old_ids = set(SearchEntry.objects.values_list("pk", flat=True))
    times = set(SearchEntry.objects.values_list("project_id", "asset_id", "meaning_at"))
    entries_rebuild(project_ids=[p.pk for p in [*shelf["projects"], shelf["secret"]]])
    assert not old_ids & set(SearchEntry.objects.values_list("pk", flat=True)), "new rows"
    assert set(SearchEntry.objects.values_list("project_id", "asset_id", "meaning_at")) == times, (
        "the vectors were carried over with their time: not in the delta unless they were before"
    )

    assert [names_of(answer) for answer in answers(QUERIES)] == before


def test_another_process_loads_the_snapshot_and_moves_to_a_newer_one(shelf, threshold, tmp_path):
    first = meaning_index.snapshot_build()
    query = vector_of("ledger invoice payment")
    elsewhere = tmp_path / "other-host"
    threshold.CATALOG_MEANING_INDEX_DIR = elsewhere

    loader = meaning_index.SnapshotLoader(check_seconds=0)
    patient = meaning_index.SnapshotLoader(check_seconds=3600)
    loaded = loader.get()
    assert loaded is not None and loaded.snapshot_id == first.pk
    assert patient.get().snapshot_id == first.pk
    assert (elsewhere / f"snapshot-{first.pk}.usearch").stat().st_size == first.size
    assert len(loaded.index) == first.entries
    assert loaded.index.search(query, 5).keys.size == 5

    second = meaning_index.snapshot_build()
    assert list(MeaningIndex.objects.values_list("pk", flat=True)) == [second.pk], "only the newest kept"
    assert loader.get().snapshot_id == second.pk
    assert not (elsewhere / f"snapshot-{first.pk}.usearch").exists(), "the older file goes"
    assert patient.get().snapshot_id == first.pk, "checks at most every check_seconds"


def test_a_snapshot_of_another_model_is_not_used(shelf, threshold):
    meaning_index.snapshot_build()
    MeaningIndex.objects.update(model="another-model")
    meaning_index.loader_reset(check_seconds=0)

    assert meaning_index.loaded() is None
    assert meaning_index.snapshot_due()


def test_a_snapshot_is_due_when_the_delta_grows_and_is_never_built_inline(shelf, threshold, monkeypatch):
    assert meaning_index.snapshot_due(), "enough vectors and no snapshot"
    meaning_index.snapshot_build()
    assert not meaning_index.snapshot_due()
    monkeypatch.setattr(meaning_index, "DELTA_MAX", 1)
    redescribed(shelf["projects"][:2], "zeppelin hangar mooring")
    assert meaning_index.snapshot_due()

    before = MeaningIndex.objects.get().pk
    meaning_index_refresh_if_due()  # tasks run inline here, as in the embedded mode
    assert MeaningIndex.objects.get().pk == before, "no build inside a request"
    assert meaning_index_build_task() == SearchEntry.objects.count()
    assert MeaningIndex.objects.get().pk != before


def test_embeddings_rebuild_builds_the_snapshot(shelf, threshold, capsys):
    call_command("embeddings_rebuild")

    snapshot = MeaningIndex.objects.get()
    assert snapshot.entries == SearchEntry.objects.count()
    assert f"Vector index of {snapshot.entries} entries" in capsys.readouterr().out

    call_command("embeddings_rebuild", "--no-index")
    assert MeaningIndex.objects.get().pk == snapshot.pk


def test_vectors_stamped_just_before_the_build_are_read_again_once_each(shelf, threshold):
    """A vector stamped just before the build's read began may have been committed after it: the build
    reads those again and replaces their keys' vectors. Here (one process, nothing committed late) it
    must leave one vector per entry, the current one, proposed by the index alone."""
    project = shelf["projects"][0]
    redescribed([project], "zeppelin hangar mooring")
    snapshot = meaning_index.snapshot_build()
    # As if embedded long before: only the index can propose it now.
    SearchEntry.objects.filter(project=project, asset__isnull=True).update(meaning_at=LONG_AGO)

    assert snapshot.entries == SearchEntry.objects.count()
    assert names_of(answers(["zeppelin hangar"])[0]) == [project.name]


@pytest.mark.django_db
def test_keys_filter_finds_a_project_entry_by_its_key_and_an_asset_entry_by_its_own():
    project = ProjectFactory()
    asset = AssetFactory(project=project)
    other = ProjectFactory()
    entries_rebuild(project_ids=[project.pk, other.pk])
    by_key = {
        meaning_index.entry_key(e.project_id, e.asset_id): (e.project_id, e.asset_id)
        for e in SearchEntry.objects.all()
    }

    def found(keys: list[int]) -> set[tuple[int, int | None]]:
        rows = SearchEntry.objects.filter(meaning_index.keys_filter(keys))
        return set(rows.values_list("project_id", "asset_id"))

    project_key = meaning_index.entry_key(project.pk, None)
    asset_key = meaning_index.entry_key(project.pk, asset.pk)
    # The project's key is not its asset's row, though the asset's row has the same project.
    assert found([project_key]) == {(project.pk, None)} == {by_key[project_key]}
    assert found([asset_key]) == {(project.pk, asset.pk)}
    assert found([project_key, asset_key, meaning_index.entry_key(other.pk, None)]) == set(by_key.values())
    assert found([]) == set()
