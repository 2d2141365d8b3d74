"""Reads of the catalog that several views need: search with facets, suggestions, duplicates, similar
entries by meaning."""

from django.conf import settings

from catalog.search_index import uses_postgres
from catalog.selectors.adoptions import ADOPTION_RELATED, adoptions_shown
from catalog.selectors.chips import ActiveFilter, FilterLinks, filter_links
from catalog.selectors.consumption import Consumed, project_consumption, versions_in_use
from catalog.selectors.facets import FACET_TITLES, FacetValue
from catalog.selectors.projects import (
    LatestRelease,
    asset_for_viewer,
    assets_visible_to,
    home_highlights,
    latest_release,
    project_for_viewer,
)
from catalog.selectors.query import SORTS, CatalogQuery
from catalog.selectors.registrations import (
    HIDDEN_PROJECT,
    Registration,
    RegistrationCheck,
    project_duplicates,
    registration_check,
    registrations_duplicates,
)
from catalog.selectors.search import SearchResults, search_embedded, visible_entries
from catalog.selectors.search_postgres import search_postgres
from catalog.selectors.similar import SimilarEntry, similar_entries
from catalog.selectors.spelling import corrected_query, suggest_words
from catalog.selectors.suggestions import SearchSuggestion, projects_named, search_suggestions

__all__ = [
    "Consumed",
    "project_consumption",
    "versions_in_use",
    "ADOPTION_RELATED",
    "adoptions_shown",
    "FACET_TITLES",
    "HIDDEN_PROJECT",
    "SORTS",
    "ActiveFilter",
    "CatalogQuery",
    "FacetValue",
    "FilterLinks",
    "LatestRelease",
    "SearchResults",
    "SimilarEntry",
    "asset_for_viewer",
    "assets_visible_to",
    "catalog_search",
    "corrected_query",
    "filter_links",
    "latest_release",
    "home_highlights",
    "project_duplicates",
    "registration_check",
    "Registration",
    "RegistrationCheck",
    "project_for_viewer",
    "projects_named",
    "SearchSuggestion",
    "search_suggestions",
    "registrations_duplicates",
    "similar_entries",
    "suggest_words",
    "visible_entries",
]


def catalog_search(
    *, query: CatalogQuery, viewer, page_size: int | None = None, by_meaning: bool = True
) -> SearchResults:
    """Ranked, faceted, paginated search over listed projects and their assets.

    An entry matches by its words when it holds one of the words searched (see
    catalog.selectors.words.word_plan), ranked with exact name or slug matches first, then the entries
    holding more and rarer words, then full-text rank (PostgreSQL: weighted tsvector), then featured and
    activity. A search with no result is retried with the closest vocabulary words. Sorted by relevance,
    a search with text (`by_meaning`, unless told not to) also takes the entries nearest in meaning and
    fuses the two rankings, exact names still first (see catalog.selectors.fused); the entries found by
    meaning alone carry `matched_by_meaning`. On PostgreSQL a broad search (more than
    CATALOG_SEARCH_EXACT_MAX matches) keeps to its words, estimates its counts and ranks by exact name,
    then featured and activity (see search_postgres).
    """
    page_size = min(page_size or settings.CATALOG_PAGE_SIZE, settings.CATALOG_MAX_PAGE_SIZE)
    if uses_postgres():
        return search_postgres(query=query, viewer=viewer, page_size=page_size, by_meaning=by_meaning)
    return search_embedded(query=query, viewer=viewer, page_size=page_size, by_meaning=by_meaning)
