"""Words and meaning fused: the catalog search's relevance order when it has text.

The candidates are the entries matching the words (catalog.selectors.words) and the entries nearest in
meaning to the text as typed (catalog.meaning, found by catalog.selectors.similar.nearest). Both sets
are drawn from the rows the viewer may find (visible_entries) and pass the same facet filters
(filter_conditions); the totals and facets count their union. Exact names come first, as they always
did; then reciprocal rank fusion of the words' rank and the meaning's rank orders the rest.
"""

from collections.abc import Hashable, Sequence

from django.conf import settings
from django.db.models import Q, QuerySet, prefetch_related_objects

from catalog import meaning_index
from catalog.meaning import embedder
from catalog.models import SearchEntry
from catalog.selectors.query import displayed
from catalog.selectors.similar import nearest_flagged, with_vectors

__all__ = [
    "MEANING_CANDIDATES",
    "MEANING_FLOOR",
    "RRF_K",
    "FusedRanking",
    "meaning_found",
    "meaning_matches",
    "reciprocal_rank_fusion",
    "rrf_scores",
]

# Reciprocal rank fusion's constant (Cormack, Clarke and Büttcher, 2009): a rank r adds 1 / (RRF_K + r).
RRF_K = 60
# How many entries a search takes by meaning at most, nearest first: more would add only entries that
# share little with the text (on WordLlama's scale the 50th nearest of a few hundred one-line
# descriptions is already below 0.2), and RRF gives each of them little weight anyway.
MEANING_CANDIDATES = 50
# Below this cosine an entry is not taken by meaning: a short text typed as a need scores lower against a
# description than two descriptions do (similar.MIN_SIMILARITY, 0.3, is for those), and on the portal's
# relevance set a quarter of the relevant entries score below 0.25 (measured with search_eval).
MEANING_FLOOR = 0.2


def rrf_scores[T: Hashable](rankings: Sequence[Sequence[T]], *, k: int = RRF_K) -> dict[T, float]:
    """Each item's reciprocal rank fusion score: the sum of 1 / (k + its rank) over the rankings it is in
    (ranks from 1; an item repeated in a ranking counts at its first place)."""
    scores: dict[T, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(dict.fromkeys(ranking), start=1):
            scores[item] = scores.get(item, 0.0) + 1 / (k + rank)
    return scores


def reciprocal_rank_fusion[T: Hashable](rankings: Sequence[Sequence[T]], *, k: int = RRF_K) -> list[T]:
    """One ranking from several by rrf_scores, best first; ties keep the order in which items were first
    met."""
    scores = rrf_scores(rankings, k=k)
    return sorted(scores, key=lambda item: -scores[item])


def meaning_matches(entries: QuerySet, text: str) -> list[int]:
    """The ids of the index rows among `entries` nearest in meaning to `text`, nearest first: at most
    MEANING_CANDIDATES, at least MEANING_FLOOR alike (see meaning_found)."""
    return [pk for pk, _ in meaning_found(entries, text)]


def meaning_found(entries: QuerySet, text: str, *, passes: Q | None = None) -> list[tuple[int, bool]]:
    """The ids of the index rows among `entries` nearest in meaning to `text`, nearest first: at most
    MEANING_CANDIDATES, at least MEANING_FLOOR alike, each with whether it meets `passes` (a search's
    filters: read with the vectors, in the same statement). One model call (about 0.1 ms) and `nearest`.

    With no vector index loaded (catalog.meaning_index: none is built below CATALOG_MEANING_INDEX_MIN
    vectors), `nearest` reads every vector: then empty when `entries` hold more vectors than
    CATALOG_MEANING_SEARCH_MAX (counting them, in the statement that reads the vectors, reads at most
    that many index rows), and the search keeps to its words until the first index snapshot is built."""
    bound = settings.CATALOG_MEANING_SEARCH_MAX
    if bound < 1 and meaning_index.loaded() is None:
        return []
    vector = embedder().embed([text])[0]
    found = nearest_flagged(
        vector,
        with_vectors(entries),
        limit=MEANING_CANDIDATES,
        floor=MEANING_FLOOR,
        flag=passes,
        scan_bound=bound,
    )
    return [(pk, passed) for pk, _, passed in found]


def with_meaning(
    matched: QuerySet, entries: QuerySet, meaning_ids: list[int], *, matched_ids: list[int] | None = None
) -> QuerySet:
    """The index rows of `entries` that match the words (`matched`) or were found by meaning: the union
    the totals and facets count. `matched_ids`: the ids of `matched`, when the caller read them.

    The words' matches are read as ids when they are at most CATALOG_SEARCH_EXACT_MAX (as on the exact
    path): PostgreSQL plans `pk IN (subquery) OR pk IN (ids)` as a scan of every row the viewer may find
    (about 230 ms for the facets at 100,000 entries), and a list of ids as index lookups."""
    if not meaning_ids:
        return matched
    bound = settings.CATALOG_SEARCH_EXACT_MAX
    if matched_ids is None:
        matched_ids = list(matched.order_by().values_list("pk", flat=True)[: bound + 1])
    if len(matched_ids) <= bound:
        return entries.filter(pk__any_of=sorted({*matched_ids, *meaning_ids}))
    return entries.filter(Q(pk__in=matched.values("pk")) | Q(pk__any_of=meaning_ids))


class FusedRanking:
    """The union of the words' matches and the meaning's, in the fused order, sliced a page at a time (a
    sequence for the paginator).

    `lexical`: (id, exact) of the entries matching the words and the filters, in the words' relevance
    order (order_entries), `exact` 2 for an exact name or slug, 1 for a name starting with the text.
    `meaning`: the ids found by meaning that pass the filters, nearest first. Order: `exact` (exact names
    first, as the words alone order them), then the RRF score of the two ranks (an entry in both ranks
    above one in a single ranking at the same rank), then the words' order, then the meaning's. Entries
    found by meaning alone carry `matched_by_meaning = True`, the others False."""

    def __init__(self, *, lexical: Sequence[tuple[int, int]], meaning: Sequence[int], rows: QuerySet) -> None:
        exact = dict(lexical)  # an id repeated by a join keeps its first place below: same exact value
        found_by_words = list(dict.fromkeys(pk for pk, _ in lexical))
        scores = rrf_scores([found_by_words, meaning])
        met = list(dict.fromkeys([*found_by_words, *meaning]))
        self.order = sorted(met, key=lambda pk: (-exact.get(pk, 0), -scores[pk]))
        self.meaning_only = set(meaning) - set(found_by_words)
        # Where a page is read from, by id, in one statement: the rows the viewer may find annotated as
        # the words annotate their matches (exact, score, rank: text_match), so that the entries found
        # by meaning alone carry them too, computed alike. Required: a page never reads past what the
        # viewer may find.
        self.rows = rows

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, page: slice) -> list[SearchEntry]:
        ids = self.order[page]
        found = {entry.pk: entry for entry in displayed(self.rows.filter(pk__any_of=ids)).order_by()}
        entries = [found[pk] for pk in ids if pk in found]
        for entry in entries:
            entry.matched_by_meaning = entry.pk in self.meaning_only
        prefetch_related_objects(entries, "languages")
        return entries
