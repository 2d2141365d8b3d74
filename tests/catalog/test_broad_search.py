"""Broad searches on PostgreSQL: past CATALOG_SEARCH_EXACT_MAX matches, the counts are estimated from a
sample of the matches (and say so), and results come in the static order after exact name matches.

The threshold is lowered here so that a small catalog is "broad"; sample keys are spread evenly over
the key range, so that the estimates are close and the tests deterministic."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import SAMPLE_KEY_RANGE, Language, SearchEntry, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory

pytestmark = pytest.mark.postgres

ANYONE = AnonymousUser()
PROJECTS = 40  # each with one asset: 80 entries matching "payments"


def spread_sample_keys() -> None:
    """Evenly spaced keys, in an order unrelated to names or scores, and an analysed table (so that
    PostgreSQL knows its size, as autovacuum keeps it in production)."""
    ids = list(SearchEntry.objects.order_by("pk").values_list("pk", flat=True))
    step = SAMPLE_KEY_RANGE // (len(ids) + 1)
    for position, pk in enumerate(ids):
        # Every 7th id in turn (7 and the count are coprime), so that neighbours are far apart.
        slot = (position * 7) % len(ids)
        SearchEntry.objects.filter(pk=pk).update(sample_key=(slot + 1) * step)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_searchentry")


@pytest.fixture
def broad(db, settings):
    settings.CATALOG_SEARCH_EXACT_MAX = 12
    unit = BusinessUnitFactory(name="Payments", slug="payments")
    python, go = Language.objects.create(name="Python"), Language.objects.create(name="Go")
    projects = []
    for n in range(PROJECTS):
        project = ProjectFactory(
            name=f"Payments thing {n:02d}",
            slug=f"payments-thing-{n:02d}",
            description="Moves payments.",
            business_unit=unit,
            activity_score=10 * n,
            featured=n in (5, 6),
            contributions_wanted="Reviews" if n % 4 == 0 else "",
        )
        project.languages.add(python if n % 2 else go)
        AssetFactory(project=project, name=f"Payments asset {n:02d}", slug=f"payments-asset-{n:02d}")
        projects.append(project)
    # The one named exactly like the search, with the lowest score of all.
    exact = ProjectFactory(name="Payments", description="The payments hub.", business_unit=unit)
    entries_rebuild(project_ids=[p.pk for p in [*projects, exact]])
    spread_sample_keys()
    return {"python": python, "exact": exact}


def test_a_broad_search_says_its_counts_are_estimates_and_they_are_close(broad):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments"))
    assert results.total_is_estimate and results.facet_counts_are_estimates
    true_total = SearchEntry.objects.count()
    assert true_total == 2 * PROJECTS + 1
    assert abs(results.total - true_total) <= 0.15 * true_total
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert set(kinds) == {"project", "library"}
    assert abs(kinds["project"] - (PROJECTS + 1)) <= 0.3 * PROJECTS
    languages = {f.value: f.count for f in results.facets["language"]}
    # Scaled up from the sample: more than the 12 rows it read, near the true 40 of each.
    assert all(20 <= n <= 60 for n in languages.values()) and set(languages) == {"Python", "Go"}
    wanted = results.facets["wants_contributions"][0].count
    assert abs(wanted - 20) <= 10


def test_a_selective_search_stays_exact(broad):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="hub"))
    assert not results.total_is_estimate and not results.facet_counts_are_estimates
    assert results.total == 1


def test_a_broad_search_puts_the_exact_name_first_then_featured_then_activity(broad):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments"), page_size=8)
    names = [entry.name for entry in results.entries]
    assert names[0] == "Payments"
    # Featured first (by score), then by activity score, then by name: projects and assets share scores.
    assert names[1:] == [
        "Payments asset 06",
        "Payments thing 06",
        "Payments asset 05",
        "Payments thing 05",
        "Payments asset 39",
        "Payments thing 39",
        "Payments asset 38",
    ]


def test_the_pages_of_a_broad_search_follow_each_other_without_gaps_or_repeats(broad):
    seen = []
    page_number = 1
    while True:
        results = catalog_search(
            viewer=ANYONE, query=CatalogQuery(q="payments", page=page_number), page_size=7
        )
        seen += [entry.pk for entry in results.entries]
        if not results.page.has_next():
            break
        page_number += 1
    assert len(seen) == len(set(seen))
    ordered = SearchEntry.objects.exclude(pk=seen[0]).order_by("-featured", "-activity_score", "name", "pk")
    # As far as the estimate lets the pages go: it is close, so (nearly) everything is reachable.
    assert seen[1:] == list(ordered.values_list("pk", flat=True))[: len(seen) - 1]
    assert len(seen) >= 0.85 * SearchEntry.objects.count()


def test_a_deep_page_of_a_broad_search_has_the_rows_at_its_offset(broad):
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments", page=3), page_size=10)
    ordered = SearchEntry.objects.exclude(slug="payments").order_by(
        "-featured", "-activity_score", "name", "pk"
    )
    # Page 3 holds rows 21 to 30; the exact name match took the first place of page 1.
    assert [e.pk for e in results.entries] == list(ordered.values_list("pk", flat=True)[19:29])


def test_a_broad_search_narrowed_by_filters_to_few_rows_counts_them_exactly(broad):
    query = CatalogQuery(q="payments", languages=["Python"], kinds=["project"], wants_contributions=True)
    results = catalog_search(viewer=ANYONE, query=query)
    # Odd numbers (Python) that are multiples of 4 (wanting contributions): none.
    assert results.total == 0 and not results.total_is_estimate
    assert results.facet_counts_are_estimates
    query = CatalogQuery(q="payments", languages=["Go"], kinds=["project"], wants_contributions=True)
    results = catalog_search(viewer=ANYONE, query=query)
    assert results.total == len(results.entries) == 10
    assert not results.total_is_estimate
    assert {e.name for e in results.entries} == {f"Payments thing {n:02d}" for n in range(0, PROJECTS, 4)}


def test_a_restricted_project_stays_out_of_a_broad_search_and_its_estimates(broad):
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    secret = ProjectFactory(
        name="Payments", slug="payments-secret", business_unit=defence, visibility=Visibility.UNITS
    )
    entries_rebuild(project_ids=[secret.pk])
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments"), page_size=100)
    assert secret.pk not in {entry.project_id for entry in results.entries}
    assert "defence" not in {f.value for f in results.facets["business_unit"]}


def test_a_typo_in_a_broad_search_is_corrected_with_one_more_pass(broad):
    with CaptureQueriesContext(connection) as queries:
        results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="paymnets"))
    assert results.corrected_query == "payments"
    assert results.total_is_estimate
    passes = [q for q in queries.captured_queries if "MATERIALIZED" in q["sql"]]
    assert len(passes) == 2  # the typo, then the corrected word; no EXISTS before either


def test_the_page_and_the_api_show_that_the_counts_are_estimates(broad, client, outsider):
    body = client.get(reverse("catalog:search"), {"q": "payments"}).content.decode()
    assert "About " in body and "≈" in body and 'id="estimate-note"' in body
    api = APIClient()
    api.force_authenticate(outsider)
    data = api.get("/api/v1/search/?q=payments").json()
    assert data["total_is_estimate"] is True and data["facet_counts_are_estimates"] is True
    assert data["results"][0]["slug"] == "payments"
    exact = api.get("/api/v1/search/?q=hub").json()
    assert exact["total_is_estimate"] is False and exact["count"] == 1


def test_index_rows_carry_their_topics_and_languages_as_arrays(broad):
    entry = SearchEntry.objects.get(slug="payments-thing-01")
    assert entry.language_ids == [broad["python"].pk]
    assert SearchEntry.objects.filter(Q(language_ids__overlap=[broad["python"].pk])).count() == PROJECTS


def test_a_broad_search_leaves_out_archived_and_deprecated_entries_and_estimates_how_many(broad):
    from catalog.models import Lifecycle

    # A quarter of the projects (and their assets) on their way out: 20 of the 81 entries.
    for n in range(1, PROJECTS, 4):
        lifecycle = Lifecycle.ARCHIVED if n % 8 == 1 else Lifecycle.DEPRECATED
        SearchEntry.objects.filter(name__endswith=f" {n:02d}").update(lifecycle=lifecycle)
    retired = SearchEntry.objects.filter(lifecycle__in=[Lifecycle.ARCHIVED, Lifecycle.DEPRECATED]).count()
    assert retired == 20
    shown = SearchEntry.objects.count() - retired

    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments"))
    assert results.total_is_estimate
    assert abs(results.total - shown) <= 0.2 * shown
    assert {f.value for f in results.facets["lifecycle"]} == {"active"}
    assert abs(results.retired_left_out - retired) <= 0.5 * retired
    kinds = {f.value: f.count for f in results.facets["kind"]}
    assert abs(sum(kinds.values()) - shown) <= 0.3 * shown

    everything = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments", include_retired=True))
    assert abs(everything.total - SearchEntry.objects.count()) <= 0.15 * SearchEntry.objects.count()
    assert {f.value for f in everything.facets["lifecycle"]} >= {"active", "archived"}
    assert everything.retired_left_out == 0
    # The pages of the default search hold no retired entry; a selective one is exact as ever.
    page = catalog_search(viewer=ANYONE, query=CatalogQuery(q="payments"), page_size=50)
    assert all(entry.lifecycle == Lifecycle.ACTIVE for entry in page.entries)
    hub = catalog_search(viewer=ANYONE, query=CatalogQuery(q="hub"))
    assert hub.total == 1 and hub.retired_left_out == 0


def test_an_exact_name_search_of_a_retired_project_on_postgres_says_it_is_there(broad):
    from catalog.models import Lifecycle

    SearchEntry.objects.filter(slug="payments-thing-07").update(lifecycle=Lifecycle.DEPRECATED)
    results = catalog_search(viewer=ANYONE, query=CatalogQuery(q="Payments thing 07"))
    assert "Payments thing 07" not in [entry.name for entry in results.entries]
    assert results.retired_left_out == 1
    shown = catalog_search(viewer=ANYONE, query=CatalogQuery(q="Payments thing 07", include_retired=True))
    assert shown.entries[0].name == "Payments thing 07"
