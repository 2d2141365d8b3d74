"""Catalog search: the query, its filters and facets, and the embedded (SQLite) search (typo correction:
spelling.py)."""

from dataclasses import dataclass, field
from typing import cast

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Q,
    QuerySet,
)

from catalog.models import (
    AssetKind,
    EntryType,
    Language,
    Lifecycle,
    Project,
    SearchEntry,
    Topic,
    Visibility,
)
from catalog.permissions import is_program_office
from catalog.search_index import uses_postgres
from catalog.selectors.fused import FusedRanking, meaning_matches, with_meaning
from catalog.selectors.spelling import corrected_query, hides_restricted, word_suggestions
from catalog.selectors.words import text_match

SORTS = {
    "relevance": "Relevance",
    "activity": "Activity score",
    "adopted": "Most adopted",
    "newest": "Newest",
    "name": "Name",
}

FACET_TITLES = [
    ("wants_contributions", "Contributions"),
    ("kind", "Kind"),
    ("language", "Language"),
    ("topic", "Topic"),
    ("business_unit", "Business unit"),
    ("lifecycle", "Lifecycle"),
    ("include_retired", "Archived and deprecated"),
]

# Projects on their way out, and their assets (an asset's index row carries its project's lifecycle): left
# out of a search unless it asks for them, with the include_retired flag or a lifecycle filter naming one.
# The one place that says so: filter_conditions, which the page, the API and both backends go through.
RETIRED_LIFECYCLES = (Lifecycle.DEPRECATED.value, Lifecycle.ARCHIVED.value)

# The URL parameters holding several values, and the CatalogQuery fields they fill.
LIST_PARAMS = (
    ("kind", "kinds"),
    ("language", "languages"),
    ("topic", "topics"),
    ("business_unit", "business_units"),
    ("lifecycle", "lifecycles"),
)
FLAG_VALUES = {"1", "on", "true"}

KIND_LABELS = {EntryType.PROJECT.value: "Project", **dict(AssetKind.choices)}

# A broad search puts its exact name or slug matches first; beyond this many, the others keep their place.
EXACT_NAMES_MAX = 100
STATIC_ORDER = ("-featured", "-activity_score", "name", "pk")
# A broad search's filtered total is scaled up from its sample when the sample holds at least this many
# filtered rows (within about 10 %), else counted on its own.
FILTERED_SAMPLE_MIN = 100


@dataclass(kw_only=True)
class CatalogQuery:
    """Everything a catalog search can ask, as it travels in the URL."""

    q: str = ""
    kinds: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    business_units: list[str] = field(default_factory=list)
    lifecycles: list[str] = field(default_factory=list)
    wants_contributions: bool = False
    include_retired: bool = False
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_params(cls, params) -> "CatalogQuery":
        def many(name: str) -> list[str]:
            return [v.strip() for v in params.getlist(name) if v.strip()][:20]

        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        sort = params.get("sort", "relevance")
        return cls(
            q=params.get("q", "").strip()[:200],
            kinds=many("kind"),
            languages=many("language"),
            topics=many("topic"),
            business_units=many("business_unit"),
            lifecycles=many("lifecycle"),
            wants_contributions=params.get("wants_contributions") in FLAG_VALUES,
            include_retired=params.get("include_retired") in FLAG_VALUES,
            sort=sort if sort in SORTS else "relevance",
            page=page,
        )

    @property
    def shows_retired(self) -> bool:
        """Whether archived and deprecated entries are searched: asked for, or named by a lifecycle filter."""
        return self.include_retired or any(value in RETIRED_LIFECYCLES for value in self.lifecycles)

    def to_params(self) -> list[tuple[str, str]]:
        """The search as URL parameters (name, value), without the page: what from_params reads back."""
        pairs = [("q", self.q)] if self.q else []
        for param, attr in LIST_PARAMS:
            pairs += [(param, value) for value in getattr(self, attr)]
        if self.wants_contributions:
            pairs.append(("wants_contributions", "1"))
        if self.include_retired:
            pairs.append(("include_retired", "1"))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        return pairs


@dataclass
class FacetValue:
    param: str
    value: str
    label: str
    count: int
    selected: bool


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


# Per facet, the (value, label, count) of each value, as either backend counts them.
FacetRows = dict[str, list[tuple[str, str, int]]]


def filter_conditions(query: CatalogQuery) -> dict[str, Q | None]:
    """Each facet's filter (None when not filtered), by facet name."""
    if uses_postgres():
        # The array copies of the relations: no join, no duplicate rows, and a GIN index to combine.
        languages = ArraySubquery(Language.objects.filter(name__in=query.languages).values("pk"))
        topics = ArraySubquery(Topic.objects.filter(name__in=query.topics).values("pk"))
        language = Q(language_ids__overlap=languages)
        topic = Q(topic_ids__overlap=topics)
    else:
        language = Q(languages__name__in=query.languages)
        topic = Q(topics__name__in=query.topics)
    return {
        "kind": Q(kind__in=query.kinds) if query.kinds else None,
        "language": language if query.languages else None,
        "topic": topic if query.topics else None,
        "business_unit": Q(business_unit__slug__in=query.business_units) if query.business_units else None,
        "lifecycle": Q(lifecycle__in=query.lifecycles) if query.lifecycles else None,
        "wants_contributions": Q(wants_contributions=True) if query.wants_contributions else None,
        "include_retired": None if query.shows_retired else ~Q(lifecycle__in=RETIRED_LIFECYCLES),
    }


def filter_entries(entries: QuerySet, query: CatalogQuery, *, skip: str = "") -> QuerySet:
    for name, condition in filter_conditions(query).items():
        if condition is not None and name != skip:
            entries = entries.filter(condition)
    return entries


def order_entries(entries: QuerySet, sort: str, *, has_text: bool) -> QuerySet:
    if sort == "activity":
        return entries.order_by("-activity_score", "name", "pk")
    if sort == "adopted":
        return entries.order_by("-adoption_count", "-activity_score", "pk")
    if sort == "newest":
        return entries.order_by("-created_at", "pk")
    if sort == "name":
        return entries.order_by("name", "pk")
    if has_text:
        return entries.order_by("-exact", "-score", "-rank", "-featured", "-activity_score", "pk")
    return entries.order_by(*STATIC_ORDER)


def count_facet_rows(matched: QuerySet, query: CatalogQuery) -> FacetRows:
    """Exact counts for each facet value by the ORM (SQLite), each facet counted with every other
    filter applied (not its own)."""
    rows: FacetRows = {}
    kinds = filter_entries(matched, query, skip="kind").values("kind").annotate(n=Count("pk", distinct=True))
    rows["kind"] = [(r["kind"], "", r["n"]) for r in kinds]
    for param, relation, through_field in (
        ("language", "languages", "language"),
        ("topic", "topics", "topic"),
    ):
        ids = filter_entries(matched, query, skip=param).values("pk")
        through = getattr(SearchEntry, relation).through
        name = f"{through_field}__name"
        counted = (
            through.objects.filter(searchentry_id__in=ids)
            .values(name)
            .annotate(n=Count("searchentry_id", distinct=True))
            .order_by("-n", name)[:15]
        )
        rows[param] = [(r[name], r[name], r["n"]) for r in counted]
    units = (
        filter_entries(matched, query, skip="business_unit")
        .values("business_unit__slug", "business_unit__name")
        .annotate(n=Count("pk", distinct=True))
    )
    rows["business_unit"] = [(r["business_unit__slug"], r["business_unit__name"], r["n"]) for r in units]
    lifecycles = (
        filter_entries(matched, query, skip="lifecycle")
        .values("lifecycle")
        .annotate(n=Count("pk", distinct=True))
    )
    rows["lifecycle"] = [(r["lifecycle"], "", r["n"]) for r in lifecycles]
    wanted = filter_entries(matched, query, skip="wants_contributions").filter(wants_contributions=True)
    rows["wants_contributions"] = [("1", "", wanted.values("pk").distinct().count())]
    retired = filter_entries(matched, query, skip="include_retired").filter(lifecycle__in=RETIRED_LIFECYCLES)
    rows["include_retired"] = [("1", "", retired.values("pk").distinct().count())]
    return rows


def rounded_estimate(estimate: float) -> int:
    """An estimate rounded to two significant figures (84,312 becomes 84,000): no more precise than it is."""
    n = round(estimate)
    return n if n < 100 else round(n, 2 - len(str(n)))


def facet_values(
    rows: FacetRows, query: CatalogQuery, *, scale: float | None = None
) -> dict[str, list[FacetValue]]:
    """The facets to show from counted rows; with a scale, the rows counted a sample, and are scaled up."""

    def count(n: int) -> int:
        return n if scale is None else rounded_estimate(n * scale)

    facets: dict[str, list[FacetValue]] = {}
    facets["kind"] = sorted(
        (
            FacetValue("kind", value, KIND_LABELS.get(value, value), count(n), value in query.kinds)
            for value, _label, n in rows["kind"]
            if n
        ),
        key=lambda f: (-f.count, f.label),
    )
    for param, selected in (("language", query.languages), ("topic", query.topics)):
        counted = sorted(((value, n) for value, _label, n in rows[param] if n), key=lambda r: (-r[1], r[0]))
        values = [FacetValue(param, value, value, count(n), value in selected) for value, n in counted[:15]]
        shown = {v.value for v in values}
        values += [FacetValue(param, s, s, 0, True) for s in selected if s not in shown]
        facets[param] = values
    facets["business_unit"] = [
        FacetValue("business_unit", slug, name, count(n), slug in query.business_units)
        for slug, name, n in sorted(rows["business_unit"], key=lambda r: (-r[2], r[1]))
        if n
    ]
    labels = dict(Lifecycle.choices)
    order = list(labels)
    facets["lifecycle"] = sorted(
        (
            FacetValue("lifecycle", value, labels.get(value, value), count(n), value in query.lifecycles)
            for value, _label, n in rows["lifecycle"]
            if n
        ),
        key=lambda f: order.index(f.value) if f.value in order else 99,
    )
    wanted = sum(n for _value, _label, n in rows["wants_contributions"])
    # Like every facet value: not shown when nothing has it, unless it is selected (to be unselected).
    facets["wants_contributions"] = []
    if wanted or query.wants_contributions:
        facets["wants_contributions"].append(
            FacetValue(
                "wants_contributions", "1", "Wants contributions", count(wanted), query.wants_contributions
            )
        )
    # The archived and deprecated entries that match: how many the default search leaves out.
    retired = sum(n for _value, _label, n in rows["include_retired"])
    facets["include_retired"] = []
    if retired or query.include_retired:
        facets["include_retired"].append(
            FacetValue(
                "include_retired",
                "1",
                "Include archived and deprecated",
                count(retired),
                query.include_retired,
            )
        )
    return facets


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
    """Index rows this person may find: all company-wide ones, and those of restricted projects they see."""
    entries = SearchEntry.objects.all()
    if is_program_office(viewer):
        return entries
    restricted_seen = Project.objects.filter(visibility=Visibility.UNITS).visible_to(viewer).values("pk")
    return entries.filter(Q(restricted=False) | Q(project_id__in=restricted_seen))


def search_embedded(*, query: CatalogQuery, viewer, page_size: int, by_meaning: bool = True) -> SearchResults:
    """SQLite (embedded mode): a small catalog, always counted exactly by the ORM."""
    entries = visible_entries(viewer)
    matched = text_match(entries, query.q) if query.q else entries
    fixed = ""
    suggestions: list[str] = []
    if query.q and not matched.exists():
        verify = hides_restricted(entries)
        fixed = corrected_query(query.q, entries=entries, verify=verify)
        retried = text_match(entries, fixed) if fixed else None
        if retried is not None and retried.exists():
            matched = retried
        elif fixed:
            suggestions, fixed = [fixed], ""
        else:
            suggestions = word_suggestions(query.q, entries=entries, verify=verify)
    filtered = filter_entries(matched, query)
    if query.languages or query.topics:
        filtered = filtered.distinct()
    ordered = order_entries(filtered, query.sort, has_text=bool(query.q))
    counted = matched
    ranked: FusedRanking | QuerySet = ordered.select_related("business_unit", "project").prefetch_related(
        "languages"
    )
    if by_meaning and query.q and query.sort == "relevance":
        fused = fused_ranking(ordered, matched=matched, entries=entries, query=query)
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
    ordered: QuerySet, *, matched: QuerySet, entries: QuerySet, query: CatalogQuery
) -> tuple[FusedRanking, QuerySet] | None:
    """The relevance order fusing the words' matches (`ordered`: `matched` filtered, in the words' order)
    with the entries of `entries` (the viewer's) nearest in meaning to the text as typed, and the union
    of `matched` and those to count; None when meaning finds nothing (see fused.meaning_matches).

    The entries found by meaning are chosen as the words' matches are, from everything the viewer may
    find, and the filters then apply to both alike (filter_entries): each facet is counted exactly over
    the union with the other filters, so that a facet's count is what choosing it shows. Only the
    relevance order fuses: sorted by name, date, activity or adoptions the catalog is a filtered listing
    of what the words match, where an entry found by meaning would have no reason to stand."""
    meaning = meaning_matches(entries, query.q)
    if not meaning:
        return None
    kept = set(filter_entries(entries.filter(pk__any_of=meaning), query).values_list("pk", flat=True))
    lexical = list(ordered.values_list("pk", "exact"))
    ranking = FusedRanking(lexical=lexical, meaning=[pk for pk in meaning if pk in kept], words=ordered)
    return ranking, with_meaning(matched, entries, meaning)
