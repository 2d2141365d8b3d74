"""Reads of the catalog that several views need: search with facets, suggestions, duplicates."""

import difflib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils.text import slugify

from catalog.models import (
    Adoption,
    AssetKind,
    BusinessUnit,
    EntryType,
    Lifecycle,
    Project,
    ReviewStatus,
    SearchEntry,
    SearchTerm,
    Visibility,
    sees_everything,
)
from catalog.search_index import uses_postgres

TOKEN_RE = re.compile(r"[\w+#]+", re.UNICODE)

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
]

KIND_LABELS = {EntryType.PROJECT.value: "Project", **dict(AssetKind.choices)}


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
            wants_contributions=params.get("wants_contributions") in {"1", "on", "true"},
            sort=sort if sort in SORTS else "relevance",
            page=page,
        )


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


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in TOKEN_RE.findall(text)][:10]


def _text_match(entries: QuerySet, q: str) -> QuerySet:
    """Entries matching the words of q, annotated with `exact` and `rank` for ordering."""
    tokens = _tokens(q)
    if not tokens:
        return entries.annotate(exact=Value(0, output_field=IntegerField()), rank=Value(0.0))
    exact = Case(
        When(Q(name__iexact=q) | Q(slug=slugify(q)), then=Value(2)),
        When(name__istartswith=q, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    if uses_postgres():
        # Prefix matching on every word, so that results follow the user as they type.
        words = [w for w in (re.sub(r"\W", "", t) for t in tokens) if w]
        if not words:
            return entries.none()
        tsquery = SearchQuery(" & ".join(f"{w}:*" for w in words), search_type="raw", config="english")
        return entries.filter(search_vector=tsquery).annotate(
            exact=exact, rank=SearchRank(F("search_vector"), tsquery)
        )
    condition = Q()
    for token in tokens:
        condition &= Q(name__icontains=token) | Q(summary__icontains=token) | Q(keywords__icontains=token)
    in_name = Case(When(name__icontains=tokens[0], then=Value(1.0)), default=Value(0.0))
    return entries.filter(condition).annotate(exact=exact, rank=in_name)


def _filtered(entries: QuerySet, query: CatalogQuery, *, skip: str = "") -> QuerySet:
    if query.kinds and skip != "kind":
        entries = entries.filter(kind__in=query.kinds)
    if query.languages and skip != "language":
        entries = entries.filter(languages__name__in=query.languages)
    if query.topics and skip != "topic":
        entries = entries.filter(topics__name__in=query.topics)
    if query.business_units and skip != "business_unit":
        entries = entries.filter(business_unit__slug__in=query.business_units)
    if query.lifecycles and skip != "lifecycle":
        entries = entries.filter(lifecycle__in=query.lifecycles)
    if query.wants_contributions and skip != "wants_contributions":
        entries = entries.filter(wants_contributions=True)
    return entries


def _ordered(entries: QuerySet, sort: str, *, has_text: bool) -> QuerySet:
    if sort == "activity":
        return entries.order_by("-activity_score", "name", "pk")
    if sort == "adopted":
        return entries.order_by("-adoption_count", "-activity_score", "pk")
    if sort == "newest":
        return entries.order_by("-created_at", "pk")
    if sort == "name":
        return entries.order_by("name", "pk")
    if has_text:
        return entries.order_by("-exact", "-rank", "-featured", "-activity_score", "pk")
    return entries.order_by("-featured", "-activity_score", "name", "pk")


def _facets(matched: QuerySet, query: CatalogQuery) -> dict[str, list[FacetValue]]:
    """Counts for each facet value, each facet counted with every other filter applied (not its own)."""
    facets: dict[str, list[FacetValue]] = {}

    kind_counts = _filtered(matched, query, skip="kind").values("kind").annotate(n=Count("pk", distinct=True))
    facets["kind"] = sorted(
        (
            FacetValue(
                "kind",
                row["kind"],
                KIND_LABELS.get(row["kind"], row["kind"]),
                row["n"],
                row["kind"] in query.kinds,
            )
            for row in kind_counts
        ),
        key=lambda f: (-f.count, f.label),
    )
    for param, relation, through_field in (
        ("language", "languages", "language"),
        ("topic", "topics", "topic"),
    ):
        ids = _filtered(matched, query, skip=param).values("pk")
        through = getattr(SearchEntry, relation).through
        rows = (
            through.objects.filter(searchentry_id__in=ids)
            .values(f"{through_field}__name")
            .annotate(n=Count("searchentry_id", distinct=True))
            .order_by("-n", f"{through_field}__name")[:15]
        )
        selected = query.languages if param == "language" else query.topics
        values = [
            FacetValue(param, r[f"{through_field}__name"], r[f"{through_field}__name"], r["n"], False)
            for r in rows
        ]
        shown = {v.value for v in values}
        values += [FacetValue(param, s, s, 0, True) for s in selected if s not in shown]
        for value in values:
            value.selected = value.value in selected
        facets[param] = values
    unit_rows = (
        _filtered(matched, query, skip="business_unit")
        .values("business_unit__slug", "business_unit__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "business_unit__name")
    )
    facets["business_unit"] = [
        FacetValue(
            "business_unit",
            r["business_unit__slug"],
            r["business_unit__name"],
            r["n"],
            r["business_unit__slug"] in query.business_units,
        )
        for r in unit_rows
    ]
    lifecycle_rows = (
        _filtered(matched, query, skip="lifecycle").values("lifecycle").annotate(n=Count("pk", distinct=True))
    )
    labels = dict(Lifecycle.choices)
    order = list(labels)
    facets["lifecycle"] = sorted(
        (
            FacetValue(
                "lifecycle",
                r["lifecycle"],
                labels.get(r["lifecycle"], r["lifecycle"]),
                r["n"],
                r["lifecycle"] in query.lifecycles,
            )
            for r in lifecycle_rows
        ),
        key=lambda f: order.index(f.value) if f.value in order else 99,
    )
    wanted = _filtered(matched, query, skip="wants_contributions").filter(wants_contributions=True)
    facets["wants_contributions"] = [
        FacetValue(
            "wants_contributions",
            "1",
            "Wants contributions",
            wanted.values("pk").distinct().count(),
            query.wants_contributions,
        )
    ]
    return facets


def suggest_words(token: str, *, limit: int = 5) -> list[str]:
    """Vocabulary words close to a (possibly misspelt) word."""
    token = token.lower()[:60]
    if len(token) < 3:
        return []
    if uses_postgres():
        return list(
            SearchTerm.objects.filter(word__trigram_similar=token)
            .annotate(similarity=TrigramSimilarity("word", token))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)[:limit]
        )
    # SQLite (embedded mode): compare with the words sharing the first letter, a bounded set.
    candidates = list(
        SearchTerm.objects.filter(word__startswith=token[0]).values_list("word", flat=True)[:5000]
    )
    return difflib.get_close_matches(token, candidates, n=limit, cutoff=0.6)


def corrected_query(q: str) -> str:
    """q with each word that is not in the vocabulary replaced by its closest word ("" when nothing changes)."""
    tokens = _tokens(q)
    if not tokens:
        return ""
    known = set(SearchTerm.objects.filter(word__in=tokens).values_list("word", flat=True))
    corrected = []
    for token in tokens:
        if token in known:
            corrected.append(token)
            continue
        close = suggest_words(token, limit=1)
        corrected.append(close[0] if close else token)
    result = " ".join(corrected)
    return "" if result == " ".join(tokens) else result


def visible_entries(viewer) -> QuerySet:
    """Index rows this person may find: all company-wide ones, and those of restricted projects they see."""
    entries = SearchEntry.objects.all()
    if sees_everything(viewer):
        return entries
    restricted_seen = Project.objects.filter(visibility=Visibility.UNITS).visible_to(viewer).values("pk")
    return entries.filter(Q(restricted=False) | Q(project_id__in=restricted_seen))


def catalog_search(*, query: CatalogQuery, viewer, page_size: int | None = None) -> SearchResults:
    """Ranked, faceted, paginated search over listed projects and their assets.

    Exact name or slug matches come first, then full-text rank (PostgreSQL: weighted tsvector),
    then featured and activity. A search with no result is retried with the closest vocabulary words.
    """
    page_size = min(page_size or settings.CATALOG_PAGE_SIZE, settings.CATALOG_MAX_PAGE_SIZE)
    entries = visible_entries(viewer)
    matched = _text_match(entries, query.q) if query.q else entries
    fixed = ""
    suggestions: list[str] = []
    if query.q and not matched.exists():
        fixed = corrected_query(query.q)
        if fixed and _text_match(entries, fixed).exists():
            matched = _text_match(entries, fixed)
        elif fixed:
            suggestions, fixed = [fixed], ""
        else:
            suggestions = [w for t in _tokens(query.q) for w in suggest_words(t, limit=3)][:5]
    filtered = _filtered(matched, query)
    if query.languages or query.topics:
        filtered = filtered.distinct()
    ordered = _ordered(filtered, query.sort, has_text=bool(query.q))
    paginator = Paginator(
        ordered.select_related("business_unit", "project").prefetch_related("languages"),
        page_size,
        allow_empty_first_page=True,
    )
    page = paginator.get_page(query.page)
    return SearchResults(
        query=query,
        entries=list(page.object_list),
        total=paginator.count,
        page=page,
        facets=_facets(matched, query),
        corrected_query=fixed,
        suggestions=suggestions,
    )


HIDDEN_PROJECT = "a project restricted to other business units (ask the program office)"


def project_duplicates(
    *, name: str, repository_urls: list[str], viewer, exclude_pk: int | None = None
) -> list[dict]:
    """Projects that look like the one being registered: the same repository, or a very similar name.

    A restricted project the person does not see still blocks its repository, without being named;
    it is never offered as a similar name."""
    from catalog.services import normalise_repository_url

    found: dict[int, dict] = {}
    urls = [normalise_repository_url(u) for u in repository_urls if u.strip()]
    live = Project.objects.exclude(review_status=ReviewStatus.REJECTED).filter(merged_into__isnull=True)
    if exclude_pk:
        live = live.exclude(pk=exclude_pk)
    if urls:
        seen = set(live.visible_to(viewer).filter(repositories__url__in=urls).values_list("pk", flat=True))
        for project in live.filter(repositories__url__in=urls).distinct()[:10]:
            shown = project.pk in seen
            found[project.pk] = {
                "project": project if shown else None,
                "name": project.name if shown else HIDDEN_PROJECT,
                "reason": "registers the same repository",
                "blocking": True,
            }
    live = live.visible_to(viewer)
    name = name.strip()
    if len(name) >= 3:
        if uses_postgres():
            similar = (
                live.filter(Q(name__trigram_similar=name) | Q(slug=slugify(name)))
                .annotate(similarity=TrigramSimilarity("name", name))
                .filter(Q(similarity__gte=0.5) | Q(slug=slugify(name)))
                .order_by("-similarity")[:5]
            )
        else:
            candidates = list(live.only("pk", "name", "slug", "description", "review_status")[:5000])
            similar = [
                p
                for p in candidates
                if p.slug == slugify(name)
                or difflib.SequenceMatcher(None, p.name.lower(), name.lower()).ratio() >= 0.75
            ][:5]
        for project in similar:
            found.setdefault(
                project.pk,
                {
                    "project": project,
                    "name": project.name,
                    "reason": "has a very similar name",
                    "blocking": False,
                },
            )
    return list(found.values())


def home_highlights() -> dict:
    """What the home page shows: featured and new projects, most adopted assets, the catalog in figures."""
    # The home page is the same for everyone (and cacheable): restricted projects are never on it.
    listed = Project.objects.listed().filter(visibility=Visibility.COMPANY)
    entries = (
        SearchEntry.objects.filter(restricted=False)
        .select_related("business_unit")
        .prefetch_related("languages")
    )
    return {
        "featured": list(
            entries.filter(entry_type=EntryType.PROJECT, featured=True).order_by("-activity_score")[:6]
        ),
        "newest": list(entries.filter(entry_type=EntryType.PROJECT).order_by("-created_at")[:4]),
        "most_adopted": list(
            entries.filter(entry_type=EntryType.ASSET).order_by("-adoption_count", "name")[:5]
        ),
        "wanting_help": list(
            entries.filter(entry_type=EntryType.PROJECT, wants_contributions=True).order_by(
                "-activity_score"
            )[:4]
        ),
        "figures": {
            "projects": listed.count(),
            "assets": entries.filter(entry_type=EntryType.ASSET).count(),
            "adoptions": Adoption.objects.active().filter(asset__project__in=listed).count(),
            "business_units": BusinessUnit.objects.count(),
        },
    }
