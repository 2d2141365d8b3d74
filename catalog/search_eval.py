"""Measuring the catalog search against a relevance set: needs typed as people ask, with the entries that
answer them (`python manage.py search_eval FILE`).

A relevance set is one JSON file:
    {"catalog": [{"slug", "name", "description", "kind", "topics": [...], "business_unit"}, ...],
     "needs": [{"need": "text as typed", "relevant": ["slug", ...]}, ...]}
`kind` is "project" or an asset kind (library, service, tool, …). The portal's own set is
tests/fixtures/search_eval/relevance.json.

A search mode is a function (need text, viewer) -> entry slugs, best first, registered in MODES; a mode
whose function is None is reported as not available. The figures come from one pure function,
search_metrics."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.utils.text import slugify

from catalog.meaning import embedder, entries_embed, vector_from_bytes
from catalog.models import (
    Asset,
    AssetKind,
    BusinessUnit,
    EntryType,
    Lifecycle,
    Project,
    ReviewStatus,
    SearchEntry,
    SearchTerm,
    Topic,
    Visibility,
)
from catalog.search_index import entries_rebuild
from catalog.selectors import CatalogQuery, catalog_search
from catalog.selectors.fused import reciprocal_rank_fusion

KINDS = (EntryType.PROJECT.value, *AssetKind.values)
MAX_SET_BYTES = 20 * 1024 * 1024


class RelevanceSetError(ValueError):
    """A relevance set that cannot be used, said in one line."""


@dataclass(frozen=True, kw_only=True)
class CatalogItem:
    slug: str
    name: str
    description: str
    kind: str
    topics: tuple[str, ...]
    business_unit: str


@dataclass(frozen=True, kw_only=True)
class Need:
    text: str
    relevant: frozenset[str]


@dataclass(frozen=True, kw_only=True)
class RelevanceSet:
    catalog: tuple[CatalogItem, ...]
    needs: tuple[Need, ...]


@dataclass(frozen=True, kw_only=True)
class Metrics:
    """How well one mode answered the needs (each figure a mean over the needs, 0 to 1)."""

    k: int
    recall: float  # recall@k: the share of each need's relevant entries found in its first k results
    mrr: float  # mean reciprocal rank of the first relevant entry within the first k (0 when none)
    top3: float  # the share of needs with a relevant entry among the first 3 results
    misses: tuple[int, ...]  # the needs (by index) with no relevant entry in the first k


def search_metrics(
    rankings: Sequence[Sequence[str]], relevant: Sequence[frozenset[str]], *, k: int
) -> Metrics:
    """recall@k, MRR (over the first k) and the top-3 share of ranked results, one ranking per need.

    A ranking repeating a slug counts it once, at its first place."""
    if len(rankings) != len(relevant):
        raise ValueError("one ranking per need")
    if k < 1:
        raise ValueError("k must be at least 1")
    if not rankings:
        return Metrics(k=k, recall=0.0, mrr=0.0, top3=0.0, misses=())
    recall_sum = mrr_sum = 0.0
    top3 = 0
    misses = []
    for index, (ranking, wanted) in enumerate(zip(rankings, relevant, strict=True)):
        if not wanted:
            raise ValueError(f"need {index + 1} has no relevant entry")
        ranked = list(dict.fromkeys(ranking))
        first_k = ranked[:k]
        found = wanted.intersection(first_k)
        recall_sum += len(found) / len(wanted)
        first = next((place for place, slug in enumerate(first_k, start=1) if slug in wanted), None)
        if first is None:
            misses.append(index)
        else:
            mrr_sum += 1 / first
        if wanted.intersection(ranked[:3]):
            top3 += 1
    n = len(rankings)
    return Metrics(k=k, recall=recall_sum / n, mrr=mrr_sum / n, top3=top3 / n, misses=tuple(misses))


def _text(value, where: str, field: str, *, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RelevanceSetError(f"{where}: '{field}' must be a non-empty string")
    if len(value) > limit:
        raise RelevanceSetError(f"{where}: '{field}' is longer than {limit} characters")
    return value.strip()


def relevance_set_parse(data, *, source: str = "the set") -> RelevanceSet:
    """A relevance set from decoded JSON; RelevanceSetError names the first thing wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("catalog"), list):
        raise RelevanceSetError(f"{source}: expected an object with a 'catalog' list and a 'needs' list")
    if not isinstance(data.get("needs"), list) or not data["needs"]:
        raise RelevanceSetError(f"{source}: expected a non-empty 'needs' list")
    items: list[CatalogItem] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["catalog"], start=1):
        where = f"{source}: catalog entry {number}"
        if not isinstance(raw, dict):
            raise RelevanceSetError(f"{where}: expected an object")
        slug = _text(raw.get("slug"), where, "slug", limit=120)
        if slug != slugify(slug):
            raise RelevanceSetError(f"{where}: slug {slug!r} is not a slug (lower-case letters, digits, -)")
        if slug in seen:
            raise RelevanceSetError(f"{where}: slug {slug!r} appears twice")
        seen.add(slug)
        kind = raw.get("kind", EntryType.PROJECT.value)
        if kind not in KINDS:
            raise RelevanceSetError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
        topics = raw.get("topics", [])
        if not isinstance(topics, list) or not all(isinstance(t, str) and 0 < len(t) <= 60 for t in topics):
            raise RelevanceSetError(f"{where}: 'topics' must be a list of names of 1 to 60 characters")
        items.append(
            CatalogItem(
                slug=slug,
                name=_text(raw.get("name"), where, "name", limit=120),
                description=_text(raw.get("description"), where, "description", limit=300),
                kind=kind,
                topics=tuple(dict.fromkeys(t.strip().lower() for t in topics if t.strip())),
                business_unit=_text(raw.get("business_unit"), where, "business_unit", limit=120),
            )
        )
    needs: list[Need] = []
    for number, raw in enumerate(data["needs"], start=1):
        where = f"{source}: need {number}"
        if not isinstance(raw, dict):
            raise RelevanceSetError(f"{where}: expected an object")
        text = _text(raw.get("need"), where, "need", limit=200)
        relevant = raw.get("relevant")
        if not isinstance(relevant, list) or not relevant or not all(isinstance(s, str) for s in relevant):
            raise RelevanceSetError(f"{where} ({text!r}): 'relevant' must be a non-empty list of slugs")
        unknown = sorted(set(relevant) - seen)
        if unknown:
            raise RelevanceSetError(f"{where} ({text!r}): unknown slug {unknown[0]!r} (not in the catalog)")
        needs.append(Need(text=text, relevant=frozenset(relevant)))
    return RelevanceSet(catalog=tuple(items), needs=tuple(needs))


def relevance_set_read(path: str) -> RelevanceSet:
    file = Path(path)
    if not file.is_file():
        raise RelevanceSetError(f"{path}: no such file")
    if file.stat().st_size > MAX_SET_BYTES:
        raise RelevanceSetError(f"{path}: the file is larger than 20 MB")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise RelevanceSetError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise RelevanceSetError(f"{path}: invalid JSON (line {error.lineno}, column {error.colno})") from None
    return relevance_set_parse(data, source=path)


def relevance_set_load(relevance_set: RelevanceSet) -> None:
    """Make the set's catalog the only thing the search finds: to be called inside a transaction that is
    rolled back (the command's), as it sets the database's own index rows and vocabulary aside (deletes
    them) and renames its projects whose slugs clash with the set's, then writes the set's entries as
    approved, company-wide projects (an entry of another kind gets an asset of that kind, of the same
    slug) and indexes them."""
    SearchEntry.objects.all().delete()
    SearchTerm.objects.all().delete()
    slugs = [item.slug for item in relevance_set.catalog]
    for project in Project.objects.filter(slug__in=slugs).only("pk", "slug"):
        Project.objects.filter(pk=project.pk).update(slug=f"{project.slug[:90]}-set-aside-{project.pk}")
    units: dict[str, BusinessUnit] = {}
    topics: dict[str, Topic] = {}
    for item in relevance_set.catalog:
        name = item.business_unit
        if name not in units:
            found = BusinessUnit.objects.filter(Q(name=name) | Q(slug=slugify(name)[:120])).first()
            units[name] = found or BusinessUnit.objects.create(name=name, slug=slugify(name)[:120])
        for topic in item.topics:
            if topic not in topics:
                topics[topic] = Topic.objects.get_or_create(name=topic)[0]
    projects = Project.objects.bulk_create(
        Project(
            name=item.name,
            slug=item.slug,
            description=item.description,
            business_unit=units[item.business_unit],
            lifecycle=Lifecycle.ACTIVE,
            review_status=ReviewStatus.APPROVED,
            visibility=Visibility.COMPANY,
        )
        for item in relevance_set.catalog
    )
    Project.topics.through.objects.bulk_create(
        Project.topics.through(project_id=project.pk, topic_id=topics[topic].pk)
        for project, item in zip(projects, relevance_set.catalog, strict=True)
        for topic in item.topics
    )
    Asset.objects.bulk_create(
        Asset(project=project, name=item.name, slug=item.slug, kind=item.kind, description=item.description)
        for project, item in zip(projects, relevance_set.catalog, strict=True)
        if item.kind != EntryType.PROJECT.value
    )
    project_ids = [project.pk for project in projects]
    entries_rebuild(project_ids=project_ids)
    # Inline, whatever the mode: a worker task queued for after the commit would never run, the
    # transaction being rolled back.
    entries_embed(project_ids=project_ids)


def _catalog_ranking(need: str, viewer, *, by_meaning: bool) -> list[str]:
    params = QueryDict(mutable=True)
    params["q"] = need
    query = CatalogQuery.from_params(params)
    results = catalog_search(
        query=query, viewer=viewer, page_size=settings.CATALOG_MAX_PAGE_SIZE, by_meaning=by_meaning
    )
    return list(dict.fromkeys(entry.slug for entry in results.entries))


def words_ranking(need: str, viewer) -> list[str]:
    """The catalog search by its words alone, as the page runs it for this text (the first page of the
    largest size): the slugs of the entries found, best first, each once (a project and its asset share
    a slug)."""
    return _catalog_ranking(need, viewer, by_meaning=False)


def catalog_ranking(need: str, viewer) -> list[str]:
    """The catalog search as the page runs it: words and meaning fused (catalog.selectors.fused), with
    its bounds (exact names first, the nearest MEANING_CANDIDATES above MEANING_FLOOR)."""
    return _catalog_ranking(need, viewer, by_meaning=True)


def meaning_ranking(need: str, viewer) -> list[str]:
    """The entries the viewer may find, nearest in meaning to the need first (cosine of the configured
    model's vectors), at most CATALOG_MAX_PAGE_SIZE, each slug once."""
    model = embedder()
    query = model.embed([need])[0]
    visible = Project.objects.listed().visible_to(viewer).values("pk")
    rows = list(
        SearchEntry.objects.filter(
            project_id__in=visible, meaning_model=model.name, meaning_vector__isnull=False
        ).values_list("slug", "meaning_vector")
    )
    if not rows or not query.any():
        return []
    stored = np.stack([vector_from_bytes(vector) for _, vector in rows if vector]).astype(np.float32)
    order = np.argsort(-(stored @ query), kind="stable")
    return list(dict.fromkeys(rows[i][0] for i in order))[: settings.CATALOG_MAX_PAGE_SIZE]


def fused_ranking(need: str, viewer) -> list[str]:
    """Words and meaning fused by reciprocal rank fusion with no bound: every entry by meaning, no floor,
    no exact names first (the reference the catalog mode, which has them, is measured against)."""
    return reciprocal_rank_fusion([words_ranking(need, viewer), meaning_ranking(need, viewer)])


# The search modes, by name: a function (need text, viewer) -> entry slugs, best first; None while the
# mode has no implementation (reported as not available).
Ranking = Callable[[str, object], list[str]]
MODES: dict[str, Ranking | None] = {
    "words": words_ranking,
    "meaning": meaning_ranking,
    "fused": fused_ranking,
    "catalog": catalog_ranking,
}
