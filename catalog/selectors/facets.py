"""The facets of a catalog search: each value counted with every other filter applied (here by the
ORM, exactly; PostgreSQL's sampled counts are in search_postgres), and the values a search shows."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from catalog.models import AssetKind, EntryType, Lifecycle, SearchEntry
from catalog.selectors.query import RETIRED_LIFECYCLES, CatalogQuery, filter_entries

FACET_TITLES = [
    ("wants_contributions", "Contributions"),
    ("kind", "Kind"),
    ("language", "Language"),
    ("topic", "Topic"),
    ("business_unit", "Business unit"),
    ("lifecycle", "Lifecycle"),
    ("include_retired", "Archived and deprecated"),
]

KIND_LABELS = {EntryType.PROJECT.value: "Project", **dict(AssetKind.choices)}


@dataclass
class FacetValue:
    param: str
    value: str
    label: str
    count: int
    selected: bool


# Per facet, the (value, label, count) of each value, as either backend counts them.
FacetRows = dict[str, list[tuple[str, str, int]]]


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
