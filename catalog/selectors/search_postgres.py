"""Catalog search on PostgreSQL: exact counts and relevance for selective searches, estimates from a
random sample and a static order for broad ones."""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.utils.text import slugify

from catalog.models import (
    SAMPLE_KEY_RANGE,
    BusinessUnit,
    Language,
    SearchEntry,
    Topic,
)
from catalog.selectors.facets import FACET_TITLES, FacetRows, facet_values, rounded_estimate
from catalog.selectors.fused import MEANING_CANDIDATES, FusedRanking, meaning_found, with_meaning
from catalog.selectors.query import (
    RETIRED_LIFECYCLES,
    STATIC_ORDER,
    TEXT_ORDER,
    CatalogQuery,
    displayed,
    filter_condition,
    filter_conditions,
    filter_entries,
    order_entries,
)
from catalog.selectors.search import SearchResults, results_page, visible_entries
from catalog.selectors.spelling import corrected_query, hides_restricted, word_suggestions
from catalog.selectors.words import text_filter, text_match, word_plan

# A broad search puts its exact name or slug matches first; beyond this many, the others keep their place.
EXACT_NAMES_MAX = 100
# A broad search's filtered total is scaled up from its sample when the sample holds at least this many
# filtered rows (within about 10 %), else counted on its own.
FILTERED_SAMPLE_MIN = 100
# The share estimate of _Sample pays when the matches are a large share of the index (a broad word), and
# then few index rows lie below the largest sampled key: they are counted up to this many times the sample.
KEYS_BELOW_FACTOR = 5


@dataclass(kw_only=True)
class _Sample:
    """What one pass over a search's matches (the first `limit` in sample-key order) counted."""

    rows: int  # matches read: all of them when fewer than the limit
    limit: int
    last_key: int  # the largest sample key read
    # The ids of the matches read, when that is all of them (complete): the later statements of a
    # selective search look them up by id rather than evaluate the words again.
    ids: list[int] | None = None
    total: int  # rows passing every filter
    facets: FacetRows
    # Index rows, matching or not, with a key up to last_key (counted up to KEYS_BELOW_FACTOR times the
    # limit), and in all (PostgreSQL's estimate, kept by ANALYZE and autovacuum; not positive when the
    # table was never analysed).
    keys_below: int = 0
    table_rows: float = 0.0
    # With `lexical` asked (a fused search's union): (id, exact) of the words' matches passing every
    # filter, in the words' relevance order (order_entries), as FusedRanking takes them.
    lexical: list[tuple[int, int]] | None = None

    @property
    def complete(self) -> bool:
        return self.rows < self.limit

    @property
    def estimate(self) -> float:
        """The number of matches: exact when complete, else estimated from the k matches read.

        The k smallest of n uniform keys cover about k/n of the key range, so n ≈ (k - 1) / (largest key /
        range) (the k-minimum-values estimate, within about 1/sqrt(k)). Better still, when few index rows
        lie in that part of the range: the matches are that share of them, scaled to the whole table,
        which takes out the luck of how the keys fell (a broad search's estimate is then within about
        sqrt((1 - share) / k))."""
        if self.complete:
            return self.rows
        if 0 < self.keys_below < KEYS_BELOW_FACTOR * self.limit and self.table_rows > 0:
            estimate = self.rows * self.table_rows / self.keys_below
        else:
            estimate = (self.rows - 1) * SAMPLE_KEY_RANGE / (self.last_key + 1)
        return max(self.rows, estimate)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _key_statistics(*, limit: int) -> str:
    """SQL for the `keys_below` and `table_rows` of a _Sample of the rows of CTE m, as text: an
    index-only count, bounded, and the table's size as PostgreSQL estimates it.

    Counted only when m holds `limit` rows (an estimate needs it; a complete sample does not), and read
    in key order: the largest key is a parameter the planner cannot see, and guessing it large it chose
    a scan of the whole table, stopped only by the LIMIT, which for an empty or small m read every row
    (145 ms at 100,000 entries)."""
    table = _quoted(SearchEntry._meta.db_table)
    below = (
        f"SELECT 1 FROM {table} k WHERE k.sample_key <= (SELECT max(m.sample_key) FROM m)"
        f" ORDER BY k.sample_key LIMIT {KEYS_BELOW_FACTOR * limit}"
    )
    full = f"(SELECT count(*) FROM m) >= {int(limit)}"
    return f"""(CASE WHEN {full} THEN (SELECT count(*) FROM ({below}) b) ELSE 0 END)::text,
               (SELECT c.reltuples FROM pg_class c WHERE c.oid = '{table}'::regclass)::text"""


def _sample(matched: QuerySet, query: CatalogQuery, *, limit: int, lexical: bool = False) -> _Sample:
    """Count the total and every facet in one statement over the first `limit` matches in sample-key
    order (PostgreSQL): all the matches of a selective search, a uniform random sample of a broad one.

    Each row carries a flag per filter, so that each facet is counted with the other filters (not its
    own) in the same pass; languages and topics are counted from the array copies of the relations.

    `lexical`: `matched` is a fused search's union, annotated by text_match (exact, score, rank) and
    with `by_words` (whether the words match the row); the same statement then lists the words' matches
    passing every filter in the words' relevance order (_Sample.lexical)."""
    empty = _Sample(
        rows=0, limit=limit, last_key=0, total=0, facets={name: [] for name, _ in FACET_TITLES}, ids=[]
    )
    if matched.query.is_empty():
        return empty
    conditions = filter_conditions(query)
    flags = {
        f"f_{name}": ExpressionWrapper(condition, output_field=BooleanField())
        if condition is not None
        else Value(True)
        for name, condition in conditions.items()
    }
    columns = ["pk", "sample_key", "kind", "business_unit_id", "lifecycle", "wants_contributions"]
    if lexical:
        columns += ["by_words", *(name for name in LEXICAL_COLUMNS if name not in columns)]
    rows = matched.annotate(**flags).order_by("sample_key")
    rows = rows.values(*columns, "language_ids", "topic_ids", *flags)[:limit]
    sql, params = rows.query.sql_with_params()

    def others(skip: str) -> str:
        return " AND ".join(f"f_{name}" for name in conditions if name != skip)

    flag_columns = ", ".join(flags)
    retired = ", ".join(f"'{value}'" for value in RETIRED_LIFECYCLES)  # constants, not input
    unit, language, topic = (_quoted(m._meta.db_table) for m in (BusinessUnit, Language, Topic))
    statement = f"""
        WITH m AS MATERIALIZED ({sql})
        SELECT 'kind', m.kind, '', count(*) FILTER (WHERE {others("kind")}) FROM m GROUP BY m.kind
        UNION ALL
        SELECT 'business_unit', u.slug, u.name, count(*) FILTER (WHERE {others("business_unit")})
          FROM m JOIN {unit} u ON u.id = m.business_unit_id GROUP BY u.slug, u.name
        UNION ALL
        SELECT 'lifecycle', m.lifecycle, '', count(*) FILTER (WHERE {others("lifecycle")})
          FROM m GROUP BY m.lifecycle
        UNION ALL
        SELECT 'language', o.name, o.name, a.n FROM (
          SELECT x.id, count(*) FILTER (WHERE {others("language")}) AS n
          FROM (SELECT unnest(m.language_ids) AS id, {flag_columns} FROM m) x GROUP BY x.id
        ) a JOIN {language} o ON o.id = a.id
        UNION ALL
        SELECT 'topic', o.name, o.name, a.n FROM (
          SELECT x.id, count(*) FILTER (WHERE {others("topic")}) AS n
          FROM (SELECT unnest(m.topic_ids) AS id, {flag_columns} FROM m) x GROUP BY x.id
        ) a JOIN {topic} o ON o.id = a.id
        UNION ALL
        SELECT 'wants_contributions', '1', '',
               count(*) FILTER (WHERE m.wants_contributions AND {others("wants_contributions")}) FROM m
        UNION ALL
        SELECT 'include_retired', '1', '',
               count(*) FILTER (WHERE m.lifecycle IN ({retired}) AND {others("include_retired")}) FROM m
        UNION ALL
        SELECT 'total', '', '', count(*) FILTER (WHERE {others("")}) FROM m
        UNION ALL
        SELECT 'rows', coalesce(max(m.sample_key), 0)::text, '', count(*) FROM m
        UNION ALL
        SELECT 'ids', CASE WHEN count(*) < {int(limit)} THEN coalesce(string_agg(m.pk::text, ','), '') END, '', 0
          FROM m
        UNION ALL
        SELECT 'keys', {_key_statistics(limit=limit)}, 0
        {_lexical_part(others("")) if lexical else ""}
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        counted = cursor.fetchall()
    sample = empty
    for facet, value, label, n in counted:
        if facet == "keys":
            sample.keys_below, sample.table_rows = int(value), float(label)
        elif facet == "ids":
            sample.ids = [int(pk) for pk in value.split(",") if pk] if value is not None else None
        elif facet == "rows":
            sample.rows, sample.last_key = n, int(value)
        elif facet == "total":
            sample.total = n
        elif facet == "lexical":
            pairs = (pair.split(":") for pair in value.split(",")) if value else ()
            sample.lexical = [(int(pk), int(exact)) for pk, exact in pairs]
        else:
            sample.facets[facet].append((value, label, n))
    return sample


# The columns of the words' relevance order (TEXT_ORDER), which a _Sample's rows carry to be ordered.
LEXICAL_COLUMNS = [name.lstrip("-") for name in TEXT_ORDER]


def _lexical_part(passes: str) -> str:
    """SQL: the (id:exact) of the rows of CTE m the words match and that pass (`passes`), comma-separated
    in the words' relevance order, the one order_entries sets (TEXT_ORDER)."""
    ordering = ", ".join(f"m.{name[1:]} DESC" if name.startswith("-") else f"m.{name}" for name in TEXT_ORDER)
    return f"""UNION ALL
        SELECT 'lexical', string_agg(m.pk::text || ':' || m.exact::text, ',' ORDER BY {ordering}), '', 0
          FROM m WHERE m.by_words AND {passes}"""


def _sampled_count(filtered: QuerySet, *, limit: int) -> _Sample:
    """The number of rows passing every filter, exact up to `limit`, else estimated likewise."""
    keys = filtered.order_by("sample_key").values("sample_key")[:limit]
    sql, params = keys.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH m AS MATERIALIZED ({sql})
                SELECT count(*), coalesce(max(m.sample_key), 0), {_key_statistics(limit=limit)} FROM m""",
            params,
        )
        rows, last_key, keys_below, table_rows = cursor.fetchone()
    return _Sample(
        rows=rows,
        limit=limit,
        last_key=last_key,
        total=rows,
        facets={},
        keys_below=int(keys_below),
        table_rows=float(table_rows),
    )


class _KnownCountPaginator(Paginator):
    """A paginator told its count (exact, or estimated for a broad search) instead of counting again."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page, allow_empty_first_page=True)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


class _BroadRanking:
    """The matches of a broad search in order, sliced a page at a time (PostgreSQL): exact name or slug
    matches first, then the static order (featured, activity, name).

    A word that matches most of the catalog carries almost no information (its inverse document
    frequency is near zero), so ranking tens of thousands of rows by ts_rank would be wasted work; in
    the static order PostgreSQL walks an index (searchentry_static_order) and stops after the page, and
    a deep page costs its offset rows only. The name-prefix bonus of selective searches is left out
    too: for a broad word, thousands of names start with it."""

    def __init__(self, filtered: QuerySet, *, q: str) -> None:
        self.filtered = displayed(filtered)
        named = self.filtered.filter(Q(name__iexact=q) | Q(slug=slugify(q))).order_by(*STATIC_ORDER)
        self.named = list(named[:EXACT_NAMES_MAX])

    def __getitem__(self, page: slice) -> list[SearchEntry]:
        start, stop = page.start or 0, page.stop
        entries = self.named[start:stop]
        wanted = stop - start - len(entries)
        if wanted > 0:
            offset = max(0, start - len(self.named))
            rest = self.filtered.exclude(pk__any_of=[e.pk for e in self.named]).order_by(*STATIC_ORDER)
            entries += list(rest[offset : offset + wanted])
        prefetch_related_objects(entries, "languages")
        return entries


def search_postgres(*, query: CatalogQuery, viewer, page_size: int, by_meaning: bool = True) -> SearchResults:
    """Selective searches are counted and ranked exactly; broad ones are estimated (see _Sample)."""
    # A search matching at most `limit` index rows is counted exactly (its total and every facet) and
    # ranked by ts_rank; a broader one is estimated from a uniform random sample of `limit` of its
    # matches and ranked by exact name, then featured and activity. One pass over 1,000 rows costs a few
    # milliseconds; a broad total is then within a few per cent (see _Sample.estimate), a facet value
    # seen c times within 1/sqrt(c).
    limit = max(2, settings.CATALOG_SEARCH_EXACT_MAX)
    entries = visible_entries(viewer)
    searched = query.q
    fixed = ""
    suggestions: list[str] = []
    # The pass that counts also says whether anything matched: no separate EXISTS, and a typo costs one
    # more pass only once it is corrected to a word that matches.
    plan = word_plan(entries, searched)
    sample = _sample(text_filter(entries, searched, plan=plan), query, limit=limit)
    if query.q and not sample.rows:
        verify = hides_restricted(entries)
        fixed = corrected_query(query.q, entries=entries, verify=verify)
        fixed_plan = word_plan(entries, fixed) if fixed else None
        retry = _sample(text_filter(entries, fixed, plan=fixed_plan), query, limit=limit) if fixed else None
        if retry and retry.rows:
            sample, searched, plan = retry, fixed, fixed_plan
        elif fixed:
            suggestions, fixed = [fixed], ""
        else:
            suggestions = word_suggestions(query.q, entries=entries, verify=verify)
    if sample.complete:
        # The matches by id: the words' index is not searched again for each statement below.
        found = entries.filter(pk__any_of=sample.ids) if sample.ids is not None else entries
        matched = (
            text_match(found, searched, plan=plan, known_matches=sample.ids is not None)
            if searched
            else entries
        )
        ordered = order_entries(filter_entries(matched, query), query.sort, has_text=bool(searched))
        listing: FusedRanking | QuerySet = displayed(ordered).prefetch_related("languages")
        found_by_meaning = []
        if by_meaning and query.q and query.sort == "relevance":
            found_by_meaning = meaning_found(entries, query.q, passes=filter_condition(query))
        if found_by_meaning and sample.ids is not None:
            # Counted again over the union: the words' matches (fewer than `limit`) and at most
            # MEANING_CANDIDATES more, all of them within the larger limit, so exactly; the same
            # statement orders the words' matches (fused_ranking reads them in a statement of its own).
            meaning = [pk for pk, _ in found_by_meaning]
            union = with_meaning(matched, entries, meaning, matched_ids=sample.ids)
            union = text_match(union, searched, plan=plan, known_matches=True).annotate(
                by_words=ExpressionWrapper(Q(pk__any_of=sample.ids), output_field=BooleanField())
            )
            sample = _sample(union, query, limit=limit + MEANING_CANDIDATES + 1, lexical=True)
            listing = FusedRanking(
                lexical=sample.lexical or [],
                meaning=[pk for pk, passed in found_by_meaning if passed],
                rows=text_match(entries, searched, plan=plan, known_matches=True),
            )
        paginator = _KnownCountPaginator(listing, page_size, count=sample.total)
        return results_page(
            paginator,
            query=query,
            facets=facet_values(sample.facets, query),
            corrected_query=fixed,
            suggestions=suggestions,
        )
    # A broad search (more than CATALOG_SEARCH_EXACT_MAX matches of its words) keeps to its words: its
    # counts are estimated from a sample of those matches and its order is static (_BroadRanking), and
    # fifty entries found by meaning would change neither the estimate nor, among thousands of matches
    # in activity order, what a reader sees first. Meaning is not searched.
    filtered = filter_entries(text_filter(entries, searched, plan=plan), query)
    scale = sample.estimate / sample.rows
    if sample.total >= FILTERED_SAMPLE_MIN or sample.total == sample.rows:
        total, total_is_estimate = sample.total * scale, True
    else:
        # The filters leave few of the sampled matches, too few to scale up (a handful of rows would make
        # a rough estimate): count the filtered matches on their own, exactly when there are few. They
        # are then a small part of the matches, which PostgreSQL finds by combining indexes.
        counted = _sampled_count(filtered, limit=limit)
        total, total_is_estimate = counted.estimate, not counted.complete
    total = rounded_estimate(total) if total_is_estimate else int(total)
    ranked: _BroadRanking | QuerySet
    if searched and query.sort == "relevance":
        ranked = _BroadRanking(filtered, q=searched)
    else:
        ranked = order_entries(filtered, query.sort, has_text=False)
        ranked = displayed(ranked).prefetch_related("languages")
    # Pages follow the estimate: off by a few per cent, the last page may come out short or empty.
    return results_page(
        _KnownCountPaginator(ranked, page_size, count=total),
        query=query,
        facets=facet_values(sample.facets, query, scale=scale),
        corrected_query=fixed,
        suggestions=suggestions,
        total_is_estimate=total_is_estimate,
        facet_counts_are_estimates=True,
    )
