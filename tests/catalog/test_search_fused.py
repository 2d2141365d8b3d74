"""The catalog search fuses its words with meaning (issue 17): the entries nearest in meaning join the
words' matches, exact names first, then reciprocal rank fusion; those found by meaning alone say so, are
counted in the totals and facets, pass the same filters and never show what the viewer may not see. Both
databases (tests/embedders.py's WordsEmbedder: texts sharing words are near, others orthogonal; an
entry's motivation is read by meaning, not by the words' search, which makes meaning-only matches)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import SearchEntry, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search
from catalog.selectors.fused import FusedRanking
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, defence_member

pytestmark = pytest.mark.django_db
ANYONE = AnonymousUser()
FILLER = (
    "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
    "quebec romeo sierra tango uniform victor whiskey xray yankee zulu"
)


@pytest.fixture
def shelf():
    ops = BusinessUnitFactory(name="Operations", slug="operations")
    platform = BusinessUnitFactory(name="Platform", slug="platform")
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    made = {
        "named": ProjectFactory(
            name="Outages", business_unit=ops, description="A status page for the company"
        ),
        "breaker": ProjectFactory(
            name="Circuit Breaker",
            business_unit=platform,
            description="Stops calling an upstream that keeps failing",
            motivation="fewer outages",
        ),
        "secret": ProjectFactory(
            name="Quiet Fuse",
            business_unit=defence,
            visibility=Visibility.UNITS,
            description="Trips when a radar link keeps failing",
            motivation="fewer outages",
        ),
        "unrelated": ProjectFactory(
            name="Design Tokens", business_unit=ops, description="Colour and spacing"
        ),
    }
    made["breaker_lib"] = AssetFactory(
        project=made["breaker"], name="breaker-py", description="Python package of it"
    )
    entries_rebuild(project_ids=[p.pk for k, p in made.items() if k != "breaker_lib"])
    return made


def search(q: str, viewer=ANYONE, **filters):
    return catalog_search(viewer=viewer, query=CatalogQuery(q=q, **filters))


def slugs(results) -> list[str]:
    return [entry.slug for entry in results.entries]


def test_the_exact_name_comes_first_and_an_entry_found_by_meaning_alone_follows_marked(shelf):
    results = search("outages")

    assert slugs(results) == ["outages", "circuit-breaker"]
    marks = {entry.slug: entry.matched_by_meaning for entry in results.entries}
    assert marks == {"outages": False, "circuit-breaker": True}
    assert "design-tokens" not in slugs(results), "an entry sharing no meaning is not found"


def test_an_entry_found_by_meaning_alone_carries_the_words_annotations_and_no_vectors(
    shelf, django_assert_num_queries
):
    results = search("outages")
    named, found = results.entries

    # As the words' matches: exact (2: the name), score and rank, computed alike, here none of the words.
    assert (named.exact, found.exact) == (2, 0)
    assert found.score == 0 and found.rank == 0 and named.rank > 0
    # Read for showing: the vectors and the words' tsvector are left in the database.
    deferred = found.get_deferred_fields()
    assert {"meaning_vector", "search_vector", "keywords"} <= deferred
    with django_assert_num_queries(0):
        [
            (e.business_unit.name, e.project.slug, [lang.name for lang in e.languages.all()])
            for e in results.entries
        ]


def test_words_alone_find_only_the_exact_name(shelf):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="outages"), by_meaning=False)

    assert slugs(results) == ["outages"]
    assert results.total == 1


def test_an_entry_found_by_words_and_meaning_ranks_above_one_found_by_words_alone_at_the_same_rank(db):
    unit = BusinessUnitFactory()
    # Both hold "incident" once, in their descriptions: the words rank them alike (the first made first).
    # The long description dilutes its meaning below the floor; the short one is near in meaning too.
    long = ProjectFactory(name="Pager", business_unit=unit, description=f"incident {FILLER}")
    short = ProjectFactory(name="Postmortems", business_unit=unit, description="incident")
    entries_rebuild(project_ids=[long.pk, short.pk])

    words_only = catalog_search(viewer=ANYONE, query=CatalogQuery(q="incident"), by_meaning=False)
    assert slugs(words_only) == ["pager", "postmortems"]
    fused = search("incident")
    assert slugs(fused) == ["postmortems", "pager"]
    assert not any(entry.matched_by_meaning for entry in fused.entries), "both hold the word"


def test_fusion_orders_by_exact_names_then_the_sum_of_reciprocal_ranks():
    # Words: 1 (exact name), 2, 3; meaning: 3, 4. 3 is in both: above 2; 4 (meaning alone) below 2.
    ranking = FusedRanking(
        lexical=[(1, 2), (2, 0), (3, 0)], meaning=[3, 4, 1], rows=SearchEntry.objects.none()
    )

    assert ranking.order == [1, 3, 2, 4]
    assert ranking.meaning_only == {4}
    assert len(ranking) == 4


def test_the_totals_and_facets_count_the_entries_found_by_meaning(shelf):
    results = search("outages")

    assert results.total == 2
    units = {f.value: f.count for f in results.facets["business_unit"]}
    assert units == {"operations": 1, "platform": 1}
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert kinds == {"project": 2}


def test_the_filters_apply_to_the_entries_found_by_meaning(shelf):
    by_unit = search("outages", business_units=["platform"])
    assert slugs(by_unit) == ["circuit-breaker"]
    assert by_unit.total == 1
    # The other units are counted with every other filter: what choosing them would show.
    assert {f.value: f.count for f in by_unit.facets["business_unit"]} == {"operations": 1, "platform": 1}

    by_kind = search("outages", kinds=["library"])
    assert slugs(by_kind) == []
    assert by_kind.total == 0


def test_a_restricted_project_found_by_meaning_is_shown_only_to_those_who_see_it(shelf, outsider):
    for viewer in (ANYONE, outsider):
        results = search("outages", viewer=viewer)
        assert "quiet-fuse" not in slugs(results)
        assert results.total == 2
        assert "defence" not in {f.value for f in results.facets["business_unit"]}
    seen = search("outages", viewer=defence_member())
    assert set(slugs(seen)) == {"outages", "circuit-breaker", "quiet-fuse"}
    assert seen.total == 3


def test_the_page_says_which_entries_matched_by_meaning_and_hides_restricted_ones(shelf, client, outsider):
    client.force_login(outsider)
    body = client.get(reverse("catalog:search"), {"q": "outages"}).content.decode()

    assert body.count("Matched by meaning") == 1
    assert "Circuit Breaker" in body
    assert "Quiet Fuse" not in body
    assert "2 results" in body


def test_the_api_says_which_entries_matched_by_meaning_and_hides_restricted_ones(shelf, outsider):
    api = APIClient()
    api.force_authenticate(outsider)
    body = api.get("/api/v1/search/", {"q": "outages"}).json()

    assert [(r["slug"], r["matched_by_meaning"]) for r in body["results"]] == [
        ("outages", False),
        ("circuit-breaker", True),
    ]
    assert body["count"] == 2
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    entry = schema["components"]["schemas"]["SearchEntry"]
    assert entry["properties"]["matched_by_meaning"]["type"] == "boolean"
    assert "matched_by_meaning" in entry["required"]


def test_other_sorts_keep_to_the_words(shelf):
    for sort in ("name", "newest", "activity", "adopted"):
        results = search("outages", sort=sort)
        assert slugs(results) == ["outages"], sort
        assert results.total == 1


def test_meaning_is_not_searched_beyond_the_scan_bound(shelf, settings):
    settings.CATALOG_MEANING_SEARCH_MAX = 3  # the anonymous viewer finds 4 entries with vectors

    assert slugs(search("outages")) == ["outages"]
