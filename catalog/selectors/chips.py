"""A search's active filters as removable chips, with "Clear all" and the link that brings back the
archived and deprecated entries: the links that change what a search asks."""

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlencode

from catalog.models import Lifecycle
from catalog.selectors.facets import FACET_TITLES, KIND_LABELS
from catalog.selectors.search import SearchResults


@dataclass(frozen=True, kw_only=True)
class ActiveFilter:
    """One thing a search asks (its words, a facet value, a flag), and the search without it."""

    title: str  # what it filters on ("Language"); empty for a flag, whose label says it all
    label: str  # "Python", "“kafka”", "Wants contributions"
    without: str  # the query string of the same search without this filter (and from its first page)


@dataclass(frozen=True, kw_only=True)
class FilterLinks:
    """The links that change what a search asks: one per active filter, clear all, show the retired."""

    active: list[ActiveFilter]
    clear_all: str  # the query string with no filter (the sort kept)
    show_retired: str  # the query string that brings back the archived and deprecated entries

    @property
    def chosen(self) -> int:
        """How many filters are chosen in the facets (the words searched are not one of them)."""
        return sum(1 for f in self.active if f.title != "Search")


def filter_links(*, results: SearchResults) -> FilterLinks:
    """The active filters of a search as removable chips, labelled as its facets label their values."""
    query = results.query
    titles = dict(FACET_TITLES)
    labels = {(f.param, f.value): f.label for values in results.facets.values() for f in values if f.label}
    fallback = {"kind": KIND_LABELS, "lifecycle": dict(Lifecycle.choices)}
    pairs = query.to_params()

    def without(pair: tuple[str, str]) -> str:
        return urlencode([p for p in pairs if p != pair])

    active = []
    for name, value in pairs:
        if name == "sort":
            continue
        if name == "q":
            title, label = "Search", f"“{value}”"
        elif name in {"wants_contributions", "include_retired"}:
            title, label = "", labels.get((name, value), titles[name])
        else:
            title = titles[name]
            label = labels.get((name, value)) or fallback.get(name, {}).get(value, value)
        active.append(ActiveFilter(title=title, label=label, without=without((name, value))))
    retired = dataclasses.replace(query, include_retired=True, page=1)
    return FilterLinks(
        active=active,
        clear_all=urlencode([p for p in pairs if p[0] == "sort"]),
        show_retired=urlencode(retired.to_params()),
    )
