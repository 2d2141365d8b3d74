"""What a catalog search asks, as it travels in the URL (CatalogQuery), and the filters and order it
sets, which the page, the API and both backends go through."""

from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Q, QuerySet

from catalog.models import Language, Lifecycle, SearchEntry, Topic
from catalog.search_index import uses_postgres

SORTS = {
    "relevance": "Relevance",
    "activity": "Activity score",
    "adopted": "Most adopted",
    "newest": "Newest",
    "name": "Name",
}

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

# The order of a search without words, and of the exact name matches a broad search puts first.
STATIC_ORDER = ("-featured", "-activity_score", "name", "pk")
# The relevance order of the words' matches (annotated by catalog.selectors.words.text_match).
TEXT_ORDER = ("-exact", "-score", "-rank", "-featured", "-activity_score", "pk")


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


def filter_condition(query: CatalogQuery) -> Q | None:
    """Every filter of the query as one condition on an index row (None when nothing is filtered), for a
    statement that reads rows whether or not they pass and says which do (catalog.selectors.fused). On
    SQLite a language or topic filter goes through the relation, whose join would repeat a row: it is
    asked as a subquery of the rows passing it."""
    combined: Q | None = None
    for name, condition in filter_conditions(query).items():
        if condition is None:
            continue
        if name in {"language", "topic"} and not uses_postgres():
            condition = Q(pk__in=SearchEntry.objects.filter(condition).values("pk"))
        combined = condition if combined is None else combined & condition
    return combined


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
        return entries.order_by(*TEXT_ORDER)
    return entries.order_by(*STATIC_ORDER)


# The columns of an index row that only the search reads, never a page showing it.
SEARCH_ONLY_FIELDS = (
    "search_vector",
    "meaning_vector",
    "meaning_hash",
    "topic_ids",
    "language_ids",
    "keywords",
)


def displayed(entries: QuerySet) -> QuerySet:
    """Index rows as a list of results shows them: with their business unit and project, without the
    columns only searching reads (the vectors: a page of 20 rows of the meaning's 512 bytes and the
    words' tsvector, which psycopg would otherwise read and Django convert for nothing)."""
    return entries.select_related("business_unit", "project").defer(*SEARCH_ONLY_FIELDS)
