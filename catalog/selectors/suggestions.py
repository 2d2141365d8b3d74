"""What the catalog offers as someone types: project names for a picker (projects_named) and the search
boxes' suggestions of names and topics (search_suggestions)."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from catalog.models import EntryType, SearchEntry, Topic
from catalog.selectors.facets import KIND_LABELS
from catalog.selectors.query import CatalogQuery, filter_entries, order_entries
from catalog.selectors.search import visible_entries
from catalog.selectors.words import query_tokens, text_match


def projects_named(*, text: str, viewer, exclude_id: int | None = None, limit: int = 10) -> list[SearchEntry]:
    """Listed projects the viewer sees whose name (or description, topics, slug) matches `text`, exact
    names first: what a picker offers as someone types a project's name. Read from the search index
    (indexed on PostgreSQL), at most `limit` rows."""
    if not query_tokens(text):
        return []
    entries = visible_entries(viewer).filter(entry_type=EntryType.PROJECT)
    if exclude_id is not None:
        entries = entries.exclude(project_id=exclude_id)
    matched = order_entries(text_match(entries, text), "relevance", has_text=True)
    return list(matched.select_related("business_unit")[:limit])


@dataclass(frozen=True, kw_only=True)
class SearchSuggestion:
    label: str
    kind: str  # "Project", an asset kind's label, or "Topic"
    url: str


SUGGESTED_NAMES = 6
SUGGESTED_TOPICS = 3


def search_suggestions(*, text: str, viewer) -> list[SearchSuggestion]:
    """What the catalog's search box offers as someone types: the entries whose names match best (as the
    default results rank them, so nothing the results would leave out) and the topics that start with
    the words, each with the page it opens. Two bounded queries."""
    if len(text.strip()) < 2 or not query_tokens(text):
        return []
    entries = filter_entries(visible_entries(viewer), CatalogQuery())
    named = order_entries(text_match(entries, text), "relevance", has_text=True)[:SUGGESTED_NAMES]
    suggestions = [
        SearchSuggestion(label=entry.name, kind=KIND_LABELS.get(entry.kind, entry.kind), url=entry.path)
        for entry in named
    ]
    topics = Topic.objects.filter(name__istartswith=text.strip()).order_by("name")[:SUGGESTED_TOPICS]
    search = reverse("catalog:search")
    suggestions += [
        SearchSuggestion(label=topic.name, kind="Topic", url=f"{search}?{urlencode({'topic': topic.name})}")
        for topic in topics
    ]
    return suggestions
