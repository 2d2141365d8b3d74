"""Words that rank instead of filter (issue 17): an entry needs one of a search's words, and ranks by how
many it holds and how rare they are; exact names first; stop words left out. Both databases."""

import pytest
from django.contrib.auth.models import AnonymousUser

from catalog.models import SearchEntry
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search
from catalog.selectors.words import searched_words, word_plan, word_weight
from tests.factories import BusinessUnitFactory, ProjectFactory

ANYONE = AnonymousUser()


@pytest.fixture
def shelf(db):
    unit = BusinessUnitFactory(name="Platform", slug="platform")
    rows = {
        "retry": ("Retry helper", "Runs flaky HTTP calls again with exponential backoff"),
        "client": ("Web client", "An HTTP client for services"),
        "proxy": ("Edge proxy", "Routes HTTP traffic to services"),
        "gateway": ("Gateway", "HTTP entry point for partner services"),
        "tests": ("Test detector", "Finds flaky tests in pipelines"),
        "canteen": ("Canteen menu", "What the staff restaurant serves this week"),
    }
    projects = {
        key: ProjectFactory(name=name, slug=key, description=text, business_unit=unit)
        for key, (name, text) in rows.items()
    }
    entries_rebuild(project_ids=[p.pk for p in projects.values()])
    return projects


def slugs(q: str) -> list[str]:
    """The words' ranking alone: the catalog search fuses it with meaning (tests/catalog/test_search_fused.py)."""
    query = CatalogQuery(q=q)
    return [entry.slug for entry in catalog_search(viewer=ANYONE, query=query, by_meaning=False).entries]


def test_a_question_typed_as_a_sentence_finds_what_it_names_first(shelf):
    found = slugs("how do I stop my service from hammering a flaky HTTP API with backoff?")

    assert found[0] == "retry"  # flaky, http, backoff: the most words, and the rarest
    assert "canteen" not in found  # holds none of the words ("the", "my"… are not searched)


def test_an_entry_holding_a_rare_word_ranks_above_those_holding_a_common_one(shelf):
    found = slugs("http backoff")

    assert found[0] == "retry"  # both words
    assert set(found) == {"retry", "client", "proxy", "gateway"}  # each holds "http": found too


def test_of_two_entries_holding_one_word_each_the_rarer_word_ranks_first(shelf):
    # "flaky" is in 2 entries, "services" in 3: the test detector holds only "flaky", the proxy only
    # "services", so the detector comes first.
    found = slugs("flaky services")

    assert found.index("tests") < found.index("proxy")


def test_an_exact_name_still_comes_first(shelf):
    assert slugs("gateway")[0] == "gateway"
    assert slugs("Web client")[0] == "client"


def test_stop_words_do_not_make_everything_match(shelf):
    assert slugs("what is on the menu") == ["canteen"]
    assert searched_words("How do I get to the menu?") == ["menu"]
    # A search of nothing but stop words is searched as typed.
    assert searched_words("the") == ["the"]
    assert searched_words("a c# i") == ["c#"]


def test_a_rarer_word_weighs_more_and_every_weight_is_positive():
    assert word_weight(1, 1000) > word_weight(10, 1000) > word_weight(900, 1000) > 0
    assert word_weight(1000, 1000) > 0
    assert word_weight(5, 0) > 0  # a total below the count (an estimate) is taken as the count


def test_a_common_word_ranks_but_matches_alone_only_when_no_rarer_word_is_searched(shelf, settings):
    settings.CATALOG_SEARCH_EXACT_MAX = 2  # "http" (4 entries) and "services" (3) are now common words
    entries = SearchEntry.objects.all()

    plan = word_plan(entries, "http backoff")
    assert plan is not None
    assert (plan.words, plan.every) == (("backoff",), False)
    assert plan.weights["backoff"] > plan.weights["http"] > 0

    common = word_plan(entries, "http services")
    assert common is not None
    assert (common.words, common.every) == (("http", "services"), True)


def test_a_word_found_nowhere_matches_nothing_and_weighs_nothing(shelf):
    plan = word_plan(SearchEntry.objects.all(), "backoff zzqx")

    assert plan is not None
    assert plan.words == ("backoff",)
    assert set(plan.weights) == {"backoff"}
    assert slugs("backoff zzqx") == ["retry"]
