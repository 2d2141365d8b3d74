"""The radar's arithmetic: from the entries' vectors (and what marks a renamed copy) to groups of entries
that do the same job. Pure: no database, so that it is calibrated and tested on its own.

How: each entry's nearest neighbours by meaning (exact while the catalog is small, else a usearch HNSW
index built for the run) give the candidate pairs at least LINK_SIMILARITY alike; pairs are merged strongest
first into groups, complete-linkage style: two groups join only when every pair across them is at least
LINK_SIMILARITY alike, the joined group holds at most MAX_MEMBERS entries and no project twice (a project
and its own assets never count as duplicates of each other). Chains (A like B, B like C, C unlike A)
therefore never join unrelated jobs. Renamed copies (the same description, or a cosine of at least
RENAMED_SIMILARITY: the same text under another name) are joined first, whatever the rest says. A
repository belongs to one project only (Repository.url is unique), so a copy never shares one.

Calibrated with the real model (WordLlama l2_supercat 256, vectors of meaning_text as stored) on
tests/fixtures/search_eval/relevance.json: 294 projects of 14 business units, 190 with an asset of the
same description. Its jobs are the smallest answer sets of its needs holding two entries or more (39 jobs
built 2 to 4 times); a pair is judged wrong when both entries answer needs of the set but never the same
one (pairs with an entry no need names cannot be judged). By LINK_SIMILARITY:
  - 0.40: 82 clusters, 18 of 39 jobs with two entries or more together, 18 pairs right, 8 wrong;
  - 0.45: 62 clusters, 15 of 39 jobs, 15 right, 6 wrong (by eye, many of its 61 unjudged pairs too);
  - 0.50: 33 clusters, 8 of 39 jobs, 8 right, 1 wrong (the choice);
  - 0.55: 20 clusters, 6 of 39 jobs, 6 right, 0 wrong.
With a renamed copy of each of the 294 projects added (another name, the same description and topics),
all 294 copies are found with their originals.
WordLlama averages token vectors: two descriptions of one job in other words score 0.22 to 0.53 (median
0.37), two of different jobs up to 0.45 (99.9th percentile), so no threshold both finds most re-built
wheels and keeps wrong pairs rare. 0.50 keeps the page trustworthy (a wrong cluster costs a program
officer's attention and the owners' if told); renamed copies are found whatever the threshold. A better
model behind catalog.meaning's interface raises the recall without a change here.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EXACT_UP_TO",
    "LINK_SIMILARITY",
    "MAX_MEMBERS",
    "NEIGHBOURS",
    "RENAMED_SIMILARITY",
    "Group",
    "Item",
    "description_key",
    "groups_of",
    "neighbour_pairs",
]

# Two projects at least this alike (cosine on WordLlama's scale) may be one job built twice (see above);
# the radar reads it from the CATALOG_RADAR_SIMILARITY setting, whose default this is.
LINK_SIMILARITY = 0.50
# At least this alike: the same text under another name, a renamed copy, always clustered.
RENAMED_SIMILARITY = 0.95
# A job is rarely rebuilt more than a handful of times; a bigger group is a theme (everything "data"),
# not a duplicate, and no one can act on it.
MAX_MEMBERS = 8
# Neighbours looked at per entry: enough to fill a group of MAX_MEMBERS with room for a project's own
# assets, which are skipped.
NEIGHBOURS = 16
# Up to this many entries the neighbours are found exactly (matrix products by blocks: 1.5 s at 5,000,
# 20 s at 20,000, measured on this shared 2-core machine); beyond, by a usearch HNSW index built for the
# run (approximate, 4 s at 5,000, but its cost grows as n log n where the exact search's grows as n²).
EXACT_UP_TO = 10_000
# Descriptions shorter than this are too generic ("Internal tool") to call two projects copies.
MIN_DESCRIPTION_KEY = 24


@dataclass(frozen=True, kw_only=True)
class Item:
    """One search entry as the radar sees it."""

    key: str  # "p<project id>" for a project's entry, "a<asset id>" for an asset's
    project_id: int
    description: str = ""


@dataclass(kw_only=True)
class Group:
    """Entries (indexes into the items, one per project) that look like one job built more than once."""

    members: list[int]
    similarity: float  # the mean cosine of its pairs, 0 to 1
    same_description: bool = False
    renamed: bool = False  # joined as a renamed copy (same description or near-identical text)
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)


def description_key(text: str) -> str:
    """A description as copies share it: lower case, words only; empty when too short to tell."""
    key = " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())
    return key if len(key) >= MIN_DESCRIPTION_KEY else ""


def neighbour_pairs(
    vectors: np.ndarray, *, floor: float = LINK_SIMILARITY, neighbours: int = NEIGHBOURS
) -> dict[tuple[int, int], float]:
    """Each row's nearest rows at least `floor` alike, as {(i, j): cosine} with i < j. Rows are unit
    vectors (or zeros: a text with no known word, which matches nothing)."""
    count = len(vectors)
    if count < 2:
        return {}
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    k = min(count, neighbours + 1)
    keys, scores = (_exact if count <= EXACT_UP_TO else _approximate)(vectors, k)
    empty = ~vectors.any(axis=1)
    pairs: dict[tuple[int, int], float] = {}
    for i in np.flatnonzero(~empty):
        for found, similarity in zip(keys[i], scores[i], strict=True):
            j = int(found)
            if j == i or j < 0 or j >= count or empty[j] or similarity < floor:
                continue
            pair = (int(i), j) if i < j else (j, int(i))
            pairs[pair] = max(pairs.get(pair, 0.0), min(float(similarity), 1.0))
    return pairs


def _exact(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest rows of every row, by blocks of matrix products (BLAS): a few seconds at 20,000."""
    keys = np.empty((len(vectors), k), dtype=np.int64)
    scores = np.empty((len(vectors), k), dtype=np.float32)
    for start in range(0, len(vectors), 1024):
        block = vectors[start : start + 1024] @ vectors.T
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        keys[start : start + len(block)] = top
        scores[start : start + len(block)] = np.take_along_axis(block, top, axis=1)
    return keys, scores


def _approximate(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k nearest rows of every row by a usearch HNSW index built for the run (cosine)."""
    from usearch.index import Index

    index = Index(ndim=vectors.shape[1], metric="cos", dtype="f32")
    index.add(np.arange(len(vectors), dtype=np.uint64), vectors)
    matches = index.search(vectors, k)
    keys = np.asarray(matches.keys, dtype=np.int64).reshape(len(vectors), -1)
    scores = 1.0 - np.asarray(matches.distances, dtype=np.float32).reshape(len(vectors), -1)
    return keys, scores


def _copies(items: Sequence[Item]) -> dict[tuple[int, int], str]:
    """Pairs of entries of different projects with the same (long enough) description."""
    holders: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if key := description_key(item.description):
            holders.setdefault(key, []).append(i)
    found: dict[tuple[int, int], str] = {}
    for indexes in holders.values():
        for a in indexes:
            for b in indexes:
                if a < b and items[a].project_id != items[b].project_id:
                    found[(a, b)] = "description"
    return found


def groups_of(
    items: Sequence[Item],
    vectors: np.ndarray,
    *,
    floor: float = LINK_SIMILARITY,
    max_members: int = MAX_MEMBERS,
    pairs: dict[tuple[int, int], float] | None = None,
) -> list[Group]:
    """The groups of two projects or more, strongest first, each member being the project's entry (its
    own, or one of its assets') most alike the others. Projects are linked by their most alike entries:
    a platform whose retry asset re-builds another unit's retry library is found through that asset.
    `pairs` (from neighbour_pairs) may be given when the caller found the neighbours otherwise."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if pairs is None:
        pairs = neighbour_pairs(vectors, floor=floor)
    copies = _copies(items)
    entries_of: dict[int, list[int]] = {}
    for i, item in enumerate(items):
        entries_of.setdefault(item.project_id, []).append(i)

    def cosine(a: int, b: int) -> float:
        return float(min(max(vectors[a] @ vectors[b], 0.0), 1.0))

    # Project pairs, by their most alike entries (never a project with itself).
    linked: dict[tuple[int, int], float] = {}
    for (a, b), similarity in [*pairs.items(), *((pair, cosine(*pair)) for pair in copies)]:
        pa, pb = items[a].project_id, items[b].project_id
        if pa != pb:
            key = (min(pa, pb), max(pa, pb))
            linked[key] = max(linked.get(key, 0.0), similarity)
    renamed = {key for key, similarity in linked.items() if similarity >= RENAMED_SIMILARITY}
    renamed |= {
        (min(p, q), max(p, q)) for p, q in ((items[a].project_id, items[b].project_id) for a, b in copies)
    }
    # Renamed copies first, then the strongest pairs.
    order = sorted(linked, key=lambda key: (key not in renamed, -linked[key], key))

    def least_alike(left: list[int], right: list[int]) -> float:
        """The least alike pair of projects across two groups, each pair by its most alike entries."""
        return min(
            float((vectors[entries_of[p]] @ vectors[entries_of[q]].T).max()) for p in left for q in right
        )

    group_of = {project: project for project in entries_of}
    members: dict[int, list[int]] = {project: [project] for project in entries_of}
    forced: dict[int, bool] = {}
    for pa, pb in order:
        ga, gb = group_of[pa], group_of[pb]
        if ga == gb:
            continue
        left, right = members[ga], members[gb]
        if len(left) + len(right) > max_members:
            continue
        is_copy = (pa, pb) in renamed
        if not is_copy and least_alike(left, right) < floor:
            continue
        for project in right:
            group_of[project] = ga
        left.extend(right)
        del members[gb]
        forced[ga] = forced.get(ga, False) or forced.pop(gb, False) or is_copy

    groups = []
    for root, projects in members.items():
        if len(projects) < 2:
            continue
        chosen = sorted(_representative(project, projects, entries_of, vectors) for project in projects)
        inside = {(a, b): cosine(a, b) for n, a in enumerate(chosen) for b in chosen[n + 1 :]}
        kinds = {copies[pair] for pair in inside if pair in copies}
        groups.append(
            Group(
                members=chosen,
                similarity=round(sum(inside.values()) / len(inside), 3),
                same_description="description" in kinds,
                renamed=forced.get(root, False),
                pairs=inside,
            )
        )
    groups.sort(key=lambda group: (-group.similarity, group.members))
    return groups


def _representative(project: int, projects: list[int], entries_of: dict, vectors: np.ndarray) -> int:
    """The project's entry most alike the other projects' entries."""
    own = entries_of[project]
    if len(own) == 1:
        return own[0]
    others = [i for other in projects if other != project for i in entries_of[other]]
    scores = (vectors[own] @ vectors[others].T).max(axis=1)
    return own[int(np.argmax(scores))]
