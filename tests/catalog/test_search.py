import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.urls import reverse

from catalog.models import AssetKind, Language, Lifecycle, SearchEntry, Topic
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    toolkit_and_ledger,
)

ANYONE = AnonymousUser()  # a signed-out visitor: company-wide projects only


def index(*projects):
    entries_rebuild(project_ids=[p.pk for p in projects])


@pytest.fixture
def catalog(db):
    made = toolkit_and_ledger(
        toolkit_fields={"description": "Connectors and helpers for streaming data."},
        ledger_fields={"description": "A double-entry ledger that publishes events to kafka topics."},
    )
    toolkit, ledger, data, payments = made["toolkit"], made["ledger"], made["data"], made["payments"]
    toolkit.languages.add(Language.objects.create(name="Go"))
    sdk = AssetFactory(project=ledger, name="Ledger Python SDK", kind=AssetKind.LIBRARY)
    AdoptionFactory(asset=sdk, business_unit=data)
    AdoptionFactory(asset=sdk, business_unit=data)
    flags = ProjectFactory(
        name="Feature Flags",
        description="Toggle features safely.",
        business_unit=payments,
        lifecycle=Lifecycle.DEPRECATED,
    )
    pending = ProjectFactory(name="Kafka Secret Plans", slug="kafka-secret", review_status="pending")
    index(toolkit, ledger, flags, pending)
    return {"toolkit": toolkit, "ledger": ledger, "flags": flags, "pending": pending}


def names(results):
    return [entry.name for entry in results.entries]


def test_only_listed_projects_and_their_assets_are_indexed(catalog):
    assert sorted(SearchEntry.objects.values_list("name", flat=True)) == [
        "Feature Flags",
        "Kafka Connect Toolkit",
        "Ledger Python SDK",
        "Payments Ledger",
    ]


def test_an_exact_name_comes_first(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="Payments Ledger"))
    assert names(results)[0] == "Payments Ledger"


def test_a_search_finds_names_descriptions_and_topics(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="kafka"))
    assert set(names(results)) == {"Kafka Connect Toolkit", "Payments Ledger"}
    assert names(results)[0] == "Kafka Connect Toolkit"


def test_a_typo_is_forgiven(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="kafak"))
    assert results.corrected_query == "kafka"
    assert "Kafka Connect Toolkit" in names(results)


def test_a_search_with_no_close_word_suggests_nothing_and_finds_nothing(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="zzqx"))
    assert results.total == 0
    assert results.entries == []


def test_filters_narrow_the_results_and_facets_count_what_is_left(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(languages=["Python"]))
    assert set(names(results)) == {"Payments Ledger", "Ledger Python SDK"}
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert kinds == {"project": 1, "library": 1}
    languages = {f.value: (f.count, f.selected) for f in results.facets["language"]}
    # A facet is counted without its own filter, so that other values stay choosable.
    assert languages["Python"] == (2, True)
    assert languages["Go"] == (1, False)


def test_wants_contributions_and_lifecycle_filters(catalog):
    assert names(catalog_search(viewer=ANYONE, query=CatalogQuery(wants_contributions=True))) == [
        "Kafka Connect Toolkit"
    ]
    assert names(catalog_search(viewer=ANYONE, query=CatalogQuery(lifecycles=["deprecated"]))) == [
        "Feature Flags"
    ]
    units = catalog_search(viewer=ANYONE, query=CatalogQuery(business_units=["payments"]))
    # Feature Flags is deprecated: left out unless asked for.
    assert set(names(units)) == {"Payments Ledger", "Ledger Python SDK"}
    units = catalog_search(
        viewer=ANYONE, query=CatalogQuery(business_units=["payments"], include_retired=True)
    )
    assert set(names(units)) == {"Payments Ledger", "Ledger Python SDK", "Feature Flags"}


def test_sorts(catalog):
    assert names(catalog_search(viewer=ANYONE, query=CatalogQuery(sort="activity")))[0] in {
        "Payments Ledger",
        "Ledger Python SDK",
    }
    adopted = names(catalog_search(viewer=ANYONE, query=CatalogQuery(sort="adopted")))
    # The asset has two adoptions, and its project counts the adoptions of all its assets.
    assert set(adopted[:2]) == {"Ledger Python SDK", "Payments Ledger"}
    assert names(catalog_search(viewer=ANYONE, query=CatalogQuery(sort="name"))) == sorted(
        names(catalog_search(viewer=ANYONE, query=CatalogQuery(sort="name")))
    )


def test_the_search_page_keeps_its_state_in_the_url(client, catalog):
    response = client.get(reverse("catalog:search"), {"q": "kafka", "language": "Go", "sort": "name"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kafka Connect Toolkit" in body
    assert "Payments Ledger" not in body
    assert 'value="Go" checked' in body


def test_htmx_requests_get_only_the_results(client, catalog):
    response = client.get(
        reverse("catalog:search"),
        {"q": "ledger"},
        headers={"HX-Request": "true", "HX-Target": "catalog-results"},
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Payments Ledger" in body


def test_misspelt_words_are_corrected_and_the_corrected_words_rank_without_all_matching(client, catalog):
    # Words rank instead of filter (issue 17): before, "ledger toolkit zzzzzz" found nothing (every word
    # had to match) and the page offered it as a suggestion; now the corrected words find what they name.
    body = client.get(reverse("catalog:search"), {"q": "ledgr toolkt zzzzzz"}).content.decode()
    assert "Showing results for <strong>“ledger toolkit zzzzzz”</strong>" in body
    assert "Payments Ledger" in body
    assert "Kafka Connect Toolkit" in body


def test_words_with_nothing_close_find_nothing_and_say_what_to_do_next(client, catalog):
    body = client.get(reverse("catalog:search"), {"q": "zzqx zzzzzz"}).content.decode()
    assert "Nothing found" in body
    assert "register a project" in body


@pytest.mark.parametrize("page_size", [5, 50])
def test_the_search_page_runs_a_bounded_number_of_queries_whatever_the_page_size(
    client, db, django_assert_max_num_queries, page_size, settings
):
    settings.CATALOG_PAGE_SIZE = page_size
    unit = BusinessUnitFactory()
    python = Language.objects.create(name="Python")
    topic = Topic.objects.create(name="payments")
    projects = []
    for n in range(60):
        project = ProjectFactory(name=f"Payments thing {n}", business_unit=unit)
        project.languages.add(python)
        project.topics.add(topic)
        AssetFactory(project=project)
        projects.append(project)
    index(*projects)
    # Fusing words with meaning (catalog.selectors.fused) reads a few more, whatever the page size: the
    # vectors (with their number, and which of them pass the filters). PostgreSQL counts the
    # total and every facet in one pass (with the words' order when fused); SQLite a statement each.
    fused, plain = (7, 4) if connection.vendor == "postgresql" else (18, 14)
    with django_assert_max_num_queries(fused):
        response = client.get(reverse("catalog:search"), {"q": "payments", "language": "Python"})
    assert response.status_code == 200
    assert response.content.decode().count('class="card"') == page_size
    with django_assert_max_num_queries(plain):
        client.get(reverse("catalog:search"))


def test_a_page_number_that_does_not_exist_shows_the_last_page(client, catalog):
    response = client.get(reverse("catalog:search"), {"page": "999"})
    assert response.status_code == 200
    response = client.get(reverse("catalog:search"), {"page": "not-a-number"})
    assert response.status_code == 200


@pytest.mark.postgres
def test_postgres_ranks_name_matches_above_description_matches(catalog):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="kafka"))
    ranks = {entry.name: entry.rank for entry in results.entries}
    assert ranks["Kafka Connect Toolkit"] > ranks["Payments Ledger"] > 0
    assert SearchEntry.objects.filter(search_vector__isnull=False).count() == 4


@pytest.mark.postgres
def test_postgres_matches_prefixes_as_the_user_types(catalog):
    assert "Kafka Connect Toolkit" in names(catalog_search(viewer=ANYONE, query=CatalogQuery(q="kaf")))
    assert "Kafka Connect Toolkit" in names(
        catalog_search(viewer=ANYONE, query=CatalogQuery(q="connect tool"))
    )


@pytest.mark.django_db
def test_an_asset_shows_its_projects_flags_as_the_projects_not_as_its_own(client):
    project = ProjectFactory(name="Kafka Connect Toolkit", featured=True, verified=True)
    AssetFactory(project=project, name="Connect Sink", kind=AssetKind.LIBRARY)
    entries_rebuild(project_ids=[project.pk])

    html = client.get(reverse("catalog:search"), {"q": "Kafka Connect"}).content.decode()

    cards = {
        card.split('class="card__title"')[1].split("</a>")[0]: card
        for card in html.split('<li class="card">')[1:]
    }
    project_card = next(card for title, card in cards.items() if "Kafka Connect Toolkit" in title)
    asset_card = next(card for title, card in cards.items() if "Connect Sink" in title)
    assert ">Featured<" in project_card and ">Verified<" in project_card
    assert ">Featured project<" in asset_card and ">Verified project<" in asset_card
    assert ">Featured<" not in asset_card and ">Verified<" not in asset_card


@pytest.mark.django_db
def test_the_wants_contributions_facet_is_hidden_when_nothing_wants_them_unless_selected():
    project = ProjectFactory(name="Quiet Library", contributions_wanted="")
    entries_rebuild(project_ids=[project.pk])
    anyone = AnonymousUser()
    assert catalog_search(viewer=anyone, query=CatalogQuery(q="quiet")).facets["wants_contributions"] == []
    selected = catalog_search(viewer=anyone, query=CatalogQuery(q="quiet", wants_contributions=True))
    assert [(f.count, f.selected) for f in selected.facets["wants_contributions"]] == [(0, True)]
    project.contributions_wanted = "Docs, please."
    project.save()
    entries_rebuild(project_ids=[project.pk])
    counted = catalog_search(viewer=anyone, query=CatalogQuery(q="quiet")).facets["wants_contributions"]
    assert [(f.count, f.selected) for f in counted] == [(1, False)]


# --- archived and deprecated entries, active filters --------------------------------------------------------------


@pytest.fixture
def retiring(catalog):
    """The catalog with an archived project and its asset beside the deprecated Feature Flags."""
    old = ProjectFactory(
        name="Old Kafka Bridge",
        description="Bridges kafka topics to the mainframe.",
        lifecycle=Lifecycle.ARCHIVED,
    )
    AssetFactory(project=old, name="Old Kafka Bridge Image")
    index(old)
    return catalog | {"old": old}


def test_archived_and_deprecated_entries_are_left_out_of_the_default_results_with_their_assets(retiring):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery())
    assert set(names(results)) == {"Kafka Connect Toolkit", "Payments Ledger", "Ledger Python SDK"}
    assert results.total == 3
    # The facets count what is shown; the include_retired facet counts what is left out.
    assert {f.value for f in results.facets["lifecycle"]} == {"active"}
    assert sum(f.count for f in results.facets["kind"]) == 3
    assert [(f.value, f.count, f.selected) for f in results.facets["include_retired"]] == [("1", 3, False)]
    assert results.retired_left_out == 3


def test_the_include_retired_filter_brings_them_back_and_counts_follow(retiring):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(include_retired=True))
    assert set(names(results)) == {
        "Kafka Connect Toolkit",
        "Payments Ledger",
        "Ledger Python SDK",
        "Feature Flags",
        "Old Kafka Bridge",
        "Old Kafka Bridge Image",
    }
    assert results.total == 6
    lifecycles = {f.value: f.count for f in results.facets["lifecycle"]}
    assert lifecycles == {"active": 3, "deprecated": 1, "archived": 2}
    assert [(f.count, f.selected) for f in results.facets["include_retired"]] == [(3, True)]
    assert results.retired_left_out == 0


def test_a_lifecycle_filter_naming_archived_shows_archived_entries(retiring):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(lifecycles=["archived"]))
    assert set(names(results)) == {"Old Kafka Bridge", "Old Kafka Bridge Image"}


def test_an_exact_name_search_of_an_archived_project_says_it_is_there(client, retiring):
    # Words rank instead of filter (issue 17): the active entries holding one of its words ("kafka") are
    # shown (before: 0 results, every word had to match), and the page says the archived ones are there.
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="Old Kafka Bridge"))
    assert set(names(results)) == {"Kafka Connect Toolkit", "Payments Ledger"}
    assert results.retired_left_out == 2

    html = client.get(reverse("catalog:search"), {"q": "Old Kafka Bridge"}).content.decode()
    assert "2 results" in html
    assert (
        '2 archived or deprecated entries match: <a href="/catalog/?q=Old+Kafka+Bridge&amp;include_retired=1"'
        in html
    )
    shown = client.get(reverse("catalog:search"), {"q": "Old Kafka Bridge", "include_retired": "1"})
    assert "Old Kafka Bridge Image" in shown.content.decode()
    assert "archived or deprecated entr" not in shown.content.decode()


def test_a_search_with_results_also_says_how_many_archived_entries_match(client, retiring):
    html = client.get(reverse("catalog:search"), {"q": "kafka"}).content.decode()
    assert "Also 2 archived or deprecated entries match:" in html
    single = client.get(reverse("catalog:search"), {"q": "feature flags"}).content.decode()
    assert "1 archived or deprecated entry matches:" in single
    assert ">show it</a>" in single


def chips(html: str) -> dict[str, str]:
    """The active filter chips of a page: each link's text (tags stripped) and its href."""
    import re

    found = {}
    assert html.count('<ul class="chips" aria-label="Active filters">') <= 1
    for href, inner in re.findall(r'<a class="chip" href="([^"]*)"[^>]*>(.*?)</a>', html):
        found[re.sub(r"<[^>]+>", "", inner).replace("×", "").strip()] = href.replace("&amp;", "&")
    return found


def test_each_active_filter_is_a_chip_linking_to_the_search_without_it(client, retiring):
    params = {
        "q": "ledger",
        "language": "Python",
        "business_unit": "payments",
        "kind": "library",
        "include_retired": "1",
        "sort": "name",
        "page": "1",
    }
    html = client.get(reverse("catalog:search"), params).content.decode()
    rest = "sort=name"
    assert chips(html) == {
        "Remove filter: Search “ledger”": f"/catalog/?kind=library&language=Python&business_unit=payments&include_retired=1&{rest}",
        "Remove filter: Kind Library": f"/catalog/?q=ledger&language=Python&business_unit=payments&include_retired=1&{rest}",
        "Remove filter: Language Python": f"/catalog/?q=ledger&kind=library&business_unit=payments&include_retired=1&{rest}",
        "Remove filter: Business unit Payments": f"/catalog/?q=ledger&kind=library&language=Python&include_retired=1&{rest}",
        "Remove filter: Include archived and deprecated": f"/catalog/?q=ledger&kind=library&language=Python&business_unit=payments&{rest}",
    }
    assert 'aria-label="Active filters"' in html
    # "Clear all" keeps the sort: it is not a filter.
    assert '<a class="chips__clear" href="/catalog/?sort=name"' in html
    # The same links update the results in place with htmx.
    assert (
        'hx-get="/catalog/?q=ledger&amp;kind=library&amp;language=Python&amp;include_retired=1&amp;sort=name"'
        in html
    )

    # Following a chip's link gives the search without that filter, and its chip is gone.
    without = client.get(chips(html)["Remove filter: Language Python"]).content.decode()
    assert "Remove filter: Language Python" not in chips(without)
    assert "Remove filter: Search “ledger”" in chips(without)


def test_a_search_without_filters_has_no_chips(client, catalog):
    html = client.get(reverse("catalog:search")).content.decode()
    assert chips(html) == {}
    assert "Clear all" not in html


def test_the_catalog_page_has_one_search_box_and_a_skip_to_results_link(client, catalog):
    html = client.get(reverse("catalog:search"), {"q": "kafka"}).content.decode()
    assert 'id="topbar-q"' not in html
    assert html.count('type="search"') == 1
    _, after = html.split('id="catalog-q"', 1)
    assert after.index('href="#results">Skip to results</a>') < after.index("catalog-sort")
    assert 'id="results" tabindex="-1"' in html
    # Every other page keeps the header's search box.
    assert 'id="topbar-q"' in client.get(reverse("community:guidelines")).content.decode()


def test_the_filters_are_a_disclosure_rendered_open(client, catalog):
    html = client.get(reverse("catalog:search"), {"language": "Python"}).content.decode()
    assert '<details class="filters" id="catalog-filters" open>' in html
    assert 'Filters <span class="filters__count">(1 chosen)</span>' in html
    # The words searched are a chip, not a chosen filter.
    html = client.get(reverse("catalog:search"), {"q": "kafka"}).content.decode()
    assert "filters__count" not in html
