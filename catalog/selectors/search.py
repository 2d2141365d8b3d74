"""Catalog search: the embedded (SQLite) search, what a viewer may find, and the page of results both
backends answer (the query and its filters: query.py; facets: facets.py; PostgreSQL: search_postgres.py;
typo correction: spelling.py)."""

from dataclasses import dataclass, field
from typing import cast

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet

from catalog.models import Project, SearchEntry, Visibility
from catalog.permissions import is_program_office
from catalog.selectors.facets import FacetValue, count_facet_rows, facet_values
from catalog.selectors.fused import FusedRanking, meaning_found, with_meaning
from catalog.selectors.query import CatalogQuery, displayed, filter_condition, filter_entries, order_entries
from catalog.selectors.spelling import corrected_query, hides_restricted, word_suggestions
from catalog.selectors.words import text_match, word_plan


@dataclass
class SearchResults:
    query: CatalogQuery
    entries: list[SearchEntry]
    total: int
    page: object
    facets: dict[str, list[FacetValue]]
    corrected_query: str = ""
    suggestions: list[str] = field(default_factory=list)
    # A broad search (PostgreSQL) estimates its counts from a sample, rounded to two significant figures.
    total_is_estimate: bool = False
    facet_counts_are_estimates: bool = False

    @property
    def retired_left_out(self) -> int:
        """The archived and deprecated entries that match but are left out (0 when the search shows them)."""
        if self.query.shows_retired:
            return 0
        return sum(f.count for f in self.facets.get("include_retired", []))


def results_page(
    paginator: Paginator,
    *,
    query: CatalogQuery,
    facets: dict[str, list[FacetValue]],
    corrected_query: str,
    suggestions: list[str],
    total_is_estimate: bool = False,
    facet_counts_are_estimates: bool = False,
) -> SearchResults:
    """The page the query asks for; the paginator's count (exact or estimated) is the total."""
    page = paginator.get_page(query.page)
    return SearchResults(
        query=query,
        entries=list(page.object_list),
        total=paginator.count,
        page=page,
        facets=facets,
        corrected_query=corrected_query,
        suggestions=suggestions,
        total_is_estimate=total_is_estimate,
        facet_counts_are_estimates=facet_counts_are_estimates,
    )


def visible_entries(viewer) -> QuerySet:
    """Index rows this person may find: all company-wide ones, and those of restricted projects they see.

    The restricted projects they see (ProjectQuerySet.visible_to, the rule) are read once, here, as ids:
    each statement of a search then carries `restricted = false OR project_id = ANY(ids)` rather than
    the rule's subquery, which Django compiled and PostgreSQL planned again in each of them."""
    entries = SearchEntry.objects.all()
    if is_program_office(viewer):
        return entries
    restricted = Project.objects.filter(visibility=Visibility.UNITS).visible_to(viewer)
    seen = list(restricted.values_list("pk", flat=True))
    if not seen:
        return entries.filter(restricted=False)
    return entries.filter(Q(restricted=False) | Q(project_id__any_of=seen))


def search_embedded(*, query: CatalogQuery, viewer, page_size: int, by_meaning: bool = True) -> SearchResults:
    """SQLite (embedded mode): a small catalog, always counted exactly by the ORM."""
    entries = visible_entries(viewer)
    searched = query.q
    plan = word_plan(entries, searched) if searched else None
    matched = text_match(entries, searched, plan=plan) if searched else entries
    fixed = ""
    suggestions: list[str] = []
    if query.q and not matched.exists():
        verify = hides_restricted(entries)
        fixed = corrected_query(query.q, entries=entries, verify=verify)
        fixed_plan = word_plan(entries, fixed) if fixed else None
        retried = text_match(entries, fixed, plan=fixed_plan) if fixed else None
        if retried is not None and retried.exists():
            matched, searched, plan = retried, fixed, fixed_plan
        elif fixed:
            suggestions, fixed = [fixed], ""
        else:
            suggestions = word_suggestions(query.q, entries=entries, verify=verify)
    filtered = filter_entries(matched, query)
    if query.languages or query.topics:
        filtered = filtered.distinct()
    ordered = order_entries(filtered, query.sort, has_text=bool(query.q))
    counted = matched
    ranked: FusedRanking | QuerySet = displayed(ordered).prefetch_related("languages")
    if by_meaning and query.q and query.sort == "relevance":
        rows = text_match(entries, searched, plan=plan, known_matches=True)
        fused = fused_ranking(ordered, matched=matched, entries=entries, rows=rows, query=query)
        if fused is not None:
            ranked, counted = fused
    # A FusedRanking is sliced a page at a time and has a length: all that the paginator reads.
    paginator = Paginator(cast("QuerySet", ranked), page_size, allow_empty_first_page=True)
    return results_page(
        paginator,
        query=query,
        facets=facet_values(count_facet_rows(counted, query), query),
        corrected_query=fixed,
        suggestions=suggestions,
    )


def fused_ranking(
    ordered: QuerySet,
    *,
    matched: QuerySet,
    entries: QuerySet,
    rows: QuerySet,
    query: CatalogQuery,
    matched_ids: list[int] | None = None,
) -> tuple[FusedRanking, QuerySet] | None:
    """The relevance order fusing the words' matches (`ordered`: `matched` filtered, in the words' order)
    with the entries of `entries` (the viewer's) nearest in meaning to the text as typed, and the union
    of `matched` and those to count; None when meaning finds nothing (see fused.meaning_found). `rows`:
    `entries` annotated as the words' matches are (text_match), where the pages are read from;
    `matched_ids`: the ids of `matched`, when the caller has them.

    The entries found by meaning are chosen as the words' matches are, from everything the viewer may
    find, and the filters then apply to both alike (filter_condition: read with their vectors): each
    facet is counted exactly over the union with the other filters, so that a facet's count is what
    choosing it shows. Only the relevance order fuses: sorted by name, date, activity or adoptions the
    catalog is a filtered listing of what the words match, where an entry found by meaning would have
    no reason to stand."""
    found = meaning_found(entries, query.q, passes=filter_condition(query))
    if not found:
        return None
    meaning = [pk for pk, _ in found]
    lexical = list(ordered.values_list("pk", "exact"))
    ranking = FusedRanking(lexical=lexical, meaning=[pk for pk, passed in found if passed], rows=rows)
    return ranking, with_meaning(matched, entries, meaning, matched_ids=matched_ids)
