"""Similar entries: what already does the job of a project or an asset, by meaning (catalog.meaning)."""

from dataclasses import dataclass

import numpy as np
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from catalog import meaning_index
from catalog.meaning import embedder, meaning_text, similarity_words, vector_from_bytes
from catalog.models import Asset, Project, SearchEntry
from catalog.selectors.query import displayed

__all__ = [
    "INDEX_WIDEST",
    "MIN_SIMILARITY",
    "SimilarEntry",
    "nearest",
    "nearest_flagged",
    "similar_entries",
    "with_vectors",
]

# Below this cosine two descriptions share little more than common words (on WordLlama's scale): such an
# entry is no answer to "before you build this, look at…".
MIN_SIMILARITY = 0.3


@dataclass(frozen=True)
class SimilarEntry:
    entry: SearchEntry
    similarity: float  # 0 to 1

    @property
    def similarity_words(self) -> str:
        return similarity_words(self.similarity)


def with_vectors(entries: QuerySet) -> QuerySet:
    """The index rows among `entries` holding a vector of the configured model (vectors of another
    model, or of none yet, are never compared)."""
    return entries.filter(meaning_model=embedder().name, meaning_vector__isnull=False)


def nearest(query: np.ndarray, candidates: QuerySet, *, limit: int, floor: float) -> list[tuple[int, float]]:
    """The ids of the `limit` rows of `candidates` (index rows with vectors: see with_vectors) nearest in
    meaning to the vector `query`, each with its cosine (at most 1), most similar first, at least `floor`.

    Below CATALOG_MEANING_INDEX_MIN vectors every candidate's vector is read and compared (exact, about
    3 ms per 1,000 entries). Beyond, a vector index (catalog.meaning_index) proposes entries; the
    database keeps those among `candidates` (visibility and filters are the queryset's, never the
    index's) and their stored vectors are scored exactly, with the vectors computed since the index was
    built (its delta), read in the same statement. When the candidates keep too few of the proposals (a
    narrow filter), the index is asked for four times more, up to INDEX_WIDEST, and past that the
    candidates are scanned exactly."""
    return [(pk, score) for pk, score, _ in nearest_flagged(query, candidates, limit=limit, floor=floor)]


def nearest_flagged(
    query: np.ndarray,
    candidates: QuerySet,
    *,
    limit: int,
    floor: float,
    flag: Q | None = None,
    scan_bound: int | None = None,
) -> list[tuple[int, float, bool]]:
    """`nearest`, each row with whether it meets `flag` (a condition on the row, True when none), read
    in the statement that reads its vector: which of the nearest pass a search's filters, without a
    statement of their own. The rows found are the same whatever the flag.

    `scan_bound`: with no vector index loaded, nothing is found when the candidates are more than this
    many (none when it is below 1); counted (at most scan_bound + 1 index rows) in the statement that
    scans them, which then reads no vector."""
    if not query.any() or limit < 1:
        return []
    passes = ExpressionWrapper(flag, output_field=BooleanField()) if flag else Value(True)
    rows = candidates.annotate(passes_flag=passes).values_list("pk", "meaning_vector", "passes_flag")
    index = meaning_index.loaded()
    if index is None:
        if scan_bound is not None:
            if scan_bound < 1:
                return []
            bounded, params = candidates.order_by().values("pk")[: scan_bound + 1].query.sql_with_params()
            within = RawSQL(
                f"(SELECT count(*) FROM ({bounded}) bounded) <= %s",
                (*params, scan_bound),
                output_field=BooleanField(),
            )
            rows = rows.filter(within)
        return _scored_flagged(query, rows, limit=limit, floor=floor)
    return _nearest_indexed(query, rows, index=index, limit=limit, floor=floor)


# The most proposals asked of the index before the candidates are scanned exactly instead: a filter
# that keeps fewer than `limit` of the 4,096 nearest of the whole catalog leaves few candidates.
INDEX_WIDEST = 4_096
# int8 vectors move a cosine by up to about this much: proposals scored that far below the floor may
# still reach it exactly, so the index is asked for more until its proposals fall below floor - margin.
QUANTISATION_MARGIN = 0.05


def _scored(query: np.ndarray, rows, *, limit: int, floor: float) -> list[tuple[int, float]]:
    """The best `limit` of (pk, float16 vector bytes) rows by cosine with `query`, at least `floor`."""
    flagged = ((pk, vector, True) for pk, vector in rows)
    return [(pk, score) for pk, score, _ in _scored_flagged(query, flagged, limit=limit, floor=floor)]


def _scored_flagged(query: np.ndarray, rows, *, limit: int, floor: float) -> list[tuple[int, float, bool]]:
    """_scored of (pk, vector, flag) rows, each kept with its flag."""
    rows = list(rows)
    if not rows:
        return []
    ids = np.fromiter((pk for pk, _, _ in rows), dtype=np.int64, count=len(rows))
    stored = np.frombuffer(b"".join(bytes(vector or b"") for _, vector, _ in rows), dtype=np.float16)
    scores = stored.reshape(len(rows), -1).astype(np.float32) @ query
    # Ties (the same vector, a common case) go to the oldest row: the same answer whichever way the rows
    # were read (the scan's order, or the index's proposals).
    ranked = np.lexsort((ids, -scores))[:limit]
    return [
        (int(ids[i]), round(float(min(scores[i], 1.0)), 3), bool(rows[i][2]))
        for i in ranked
        if scores[i] >= floor
    ]


def _nearest_indexed(
    query: np.ndarray, rows: QuerySet, *, index: meaning_index.LoadedIndex, limit: int, floor: float
) -> list[tuple[int, float, bool]]:
    """`rows`: the candidates' (pk, vector, flag). The index's proposals and the delta are read in one
    statement."""
    # Computed after the snapshot: not in the index, or there with an older vector.
    delta = Q(meaning_at__gte=index.built_at)
    # At least 64: a few more proposals cost little (one query by key) and make the answers of a small
    # `limit` (similar entries show 5) as good as a larger one's.
    wanted = min(max(limit * 4, 64), INDEX_WIDEST)
    while True:
        matches = index.index.search(query, wanted)
        keys = [int(key) for key in matches.keys]
        read = rows.filter(delta | meaning_index.keys_filter(keys)) if keys else rows.filter(delta)
        best = _scored_flagged(query, read, limit=limit, floor=floor)
        exhausted = len(keys) < wanted
        # Cosine distance: 1 - cosine. Beyond the last proposal nothing is nearer than it.
        beyond_floor = bool(keys) and 1 - float(matches.distances[-1]) < floor - QUANTISATION_MARGIN
        if len(best) >= limit or exhausted or beyond_floor:
            return best
        if wanted >= INDEX_WIDEST:
            return _scored_flagged(query, rows, limit=limit, floor=floor)
        wanted = min(wanted * 4, INDEX_WIDEST)


def _vector_of(*, project: Project, asset: Asset | None) -> tuple[np.ndarray, int | None]:
    """The stored vector of the project's (or asset's) entry and the entry's id; embedded now when there
    is no entry (a project waiting for review) or its vector is not computed yet."""
    model = embedder()
    entry = (
        SearchEntry.objects.filter(project=project, asset=asset)
        .only("pk", "meaning_vector", "meaning_model")
        .first()
    )
    if entry is not None and entry.meaning_vector is not None and entry.meaning_model == model.name:
        return vector_from_bytes(entry.meaning_vector), entry.pk
    topics = list(asset.topics.all()) if asset else []
    topics = topics or list(project.topics.all())
    text = meaning_text(project=project, asset=asset, topic_names=[topic.name for topic in topics])
    return model.embed([text])[0], entry.pk if entry else None


def similar_entries(
    *, viewer, project: Project | None = None, asset: Asset | None = None, limit: int = 5
) -> list[SimilarEntry]:
    """The entries nearest in meaning to a project (or an asset) among those `viewer` may find
    (ProjectQuerySet.visible_to), most similar first, at least MIN_SIMILARITY alike. Never the entry
    itself; never its own project or that project's other assets for a project, never its own project
    for an asset. Found by `nearest` (exact scan, or vector index with exact scores at scale)."""
    if asset is not None:
        project = asset.project
    if project is None:
        raise ValueError("similar_entries needs a project or an asset")
    query, own_pk = _vector_of(project=project, asset=asset)
    # The one rule of who sees what (ProjectQuerySet.visible_to), read from the projects themselves rather
    # than from the index row's copy of it, so that a row not yet rebuilt after a change shows nothing.
    visible = Project.objects.listed().visible_to(viewer).values("pk")
    candidates = with_vectors(SearchEntry.objects.filter(project_id__in=visible))
    if asset is None:
        candidates = candidates.exclude(project=project)
    else:
        candidates = candidates.exclude(Q(project=project, asset__isnull=True) | Q(asset=asset))
    if own_pk is not None:
        candidates = candidates.exclude(pk=own_pk)
    best = nearest(query, candidates, limit=max(limit, 0), floor=MIN_SIMILARITY)
    entries = displayed(SearchEntry.objects.all()).in_bulk([pk for pk, _ in best])
    return [SimilarEntry(entry=entries[pk], similarity=score) for pk, score in best if pk in entries]
