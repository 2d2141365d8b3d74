"""The vector index behind search by meaning at scale: it proposes, the database decides.

catalog.selectors.similar.nearest scans every candidate's vector while the catalog is small (below
CATALOG_MEANING_INDEX_MIN vectors, no index is built: the demo and most tests stay exact). Beyond, a
snapshot of an HNSW index (usearch) proposes the keys of the nearest entries; the candidates queryset,
filtered to those keys, applies visibility and filters in the database, and the stored float16 vectors
of what it returns are scored exactly. The index never decides what a viewer sees nor the score shown.

Why usearch (Apache-2.0, 2.26 here, released often): its small wheel (numpy its only dependency) has an
HNSW index with int8 and float16 quantisation, saves it to a file that a process maps into memory
(`Index.restore(path, view=True)`) rather than reads into its heap, so that the web processes of a host
share one copy in the page cache and a process's own memory stays small. hnswlib's last release (0.8.0)
is from December 2023 and it keeps float32 vectors (about 120 MB with the graph at 100,000 entries of 256
dimensions, in each process's heap). faiss-cpu is a far larger wheel, and it maps from disk only its IVF
indexes (its maintainers in facebookresearch/faiss#1403): an HNSW index would be read into every process.
pgvector would do all this in the database but is not packaged for the PostgreSQL here, and the portal
also runs on SQLite. Measured here (`benchmark --scale large --only meaning`, 2 shared cores): the
100,000 WordLlama vectors of the benchmark's catalog build in about a minute into 39 MB, a search takes
about 1 ms, and a web worker with the index mapped stays near 230 MB.

Keys are stable across index rebuilds (SearchEntry rows are deleted and re-created by entries_rebuild,
their ids change): a project's entry is 2 * project id, an asset's 2 * asset id + 1.

Freshness: a worker task builds a snapshot (snapshot_build) of every vector computed before it started,
and stores it in the database in parts (MeaningIndex, MeaningIndexPart): web and worker share no disk in
the documented deployment (docker-compose.yml), but they share the database. Each process copies the
newest snapshot to CATALOG_MEANING_INDEX_DIR a part at a time (never holding the 85 MB in a bytes
object beside the mapped index) and maps it; it looks for a newer one at most every CHECK_SECONDS. The
vectors computed after the snapshot (SearchEntry.meaning_at) are the delta, scanned exactly and merged:
a changed entry is found by its new vector at once, a deleted or hidden one is dropped by the database.
When the delta passes DELTA_MAX the snapshot is rebuilt (catalog.tasks, debounced), and nightly.
"""

import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.lookups import IsNull
from django.utils import timezone
from usearch.index import Index

from catalog.meaning import embedder
from catalog.models import MeaningIndex, MeaningIndexPart, SearchEntry

__all__ = [
    "CHECK_SECONDS",
    "DELTA_MAX",
    "EXPANSION_SEARCH",
    "LoadedIndex",
    "SnapshotLoader",
    "delta_size",
    "entry_key",
    "keys_filter",
    "loaded",
    "loader_reset",
    "snapshot_build",
    "snapshot_due",
]

logger = logging.getLogger(__name__)

# int8 keeps 256 dimensions in 256 bytes (a quarter of float32): the index of 100,000 entries is about
# 85 MB with its graph. The order of the proposals hardly suffers, and their scores are recomputed
# exactly from the stored float16 vectors anyway.
QUANTISATION = "i8"
# Links per node in the graph (usearch's default): more cost memory and build time; the answers' recall is
# measured by the benchmark (portal/bench).
CONNECTIVITY = 16
# Candidates a search keeps while walking the graph (usearch's default is 64): at 100,000 WordLlama
# vectors, 256 raises the share of the exact nearest 10 among the first 40 proposed from 0.87 to 0.97,
# for about 1 ms a search (measured with the benchmark's catalog); int8 rounding bounds the rest.
EXPANSION_SEARCH = 256
# Bytes per stored part of a snapshot (MeaningIndexPart).
PART_BYTES = 8 * 1024 * 1024
# See snapshot_build: longer than entries_embed takes from stamping vectors to committing them (one bulk
# update, or the rebuild of a few projects' entries when tasks run inline).
BUILD_OVERLAP = timedelta(seconds=30)
# How often a process looks for a newer snapshot: one small query per process at most this often.
CHECK_SECONDS = 30.0
# Vectors computed since the snapshot beyond which it is rebuilt: every nearest scans them exactly, with
# the viewer's filters, which cost about 75 ms for 2,000 at 100,000 entries on PostgreSQL (benchmark).
DELTA_MAX = 1_000


def entry_key(project_id: int, asset_id: int | None) -> int:
    """An entry's key in the index, stable across rebuilds of the search index."""
    return 2 * project_id if asset_id is None else 2 * asset_id + 1


def keys_filter(keys: list[int]) -> Q:
    """The index rows whose keys (entry_key) are among `keys`.

    A project's entry is the row of its project without an asset: `(asset_id IS NULL) IS TRUE`, the
    same rows as `asset_id IS NULL`, which PostgreSQL cannot answer from an index. Written plainly, it
    combined the index of asset ids (its null entries: a quarter of the table at 100,000 entries) with
    that of project ids (about 2.5 ms of a 4 ms statement); so written, the project ids' index finds
    a project's few rows and the condition is checked on them."""
    project_ids = [key // 2 for key in keys if key % 2 == 0]
    asset_ids = [key // 2 for key in keys if key % 2 == 1]
    no_asset = IsTrue(IsNull(F("asset_id"), True))
    return Q(asset_id__any_of=asset_ids) | (Q(no_asset) & Q(project_id__any_of=project_ids))


class IsTrue(Func):
    """`(condition) IS TRUE`: the condition's rows (never NULL here), but a condition the planner does not
    match against an index (see keys_filter)."""

    template = "(%(expressions)s) IS TRUE"
    output_field = BooleanField()


def _vectors_with_model(model_name: str) -> QuerySet:
    return SearchEntry.objects.filter(meaning_model=model_name, meaning_vector__isnull=False)


def _index_add(index: Index, batch: list[tuple[int, int | None, bytes]]) -> None:
    keys = np.fromiter((entry_key(p, a) for p, a, _ in batch), dtype=np.uint64, count=len(batch))
    vectors = np.frombuffer(b"".join(bytes(v) for _, _, v in batch), dtype=np.float16)
    index.add(keys, vectors.reshape(len(batch), -1).astype(np.float32))


def snapshot_build(*, force: bool = False) -> MeaningIndex | None:
    """Build and store a snapshot of every vector of the configured model, replacing the previous one;
    None (and no snapshot kept) while there are fewer than CATALOG_MEANING_INDEX_MIN vectors, where the
    exact scan is cheap and exact, unless `force`. Runs in a worker (about a minute at 100,000 entries
    on 2 shared cores)."""
    model = embedder()
    minimum = settings.CATALOG_MEANING_INDEX_MIN
    rows = _vectors_with_model(model.name)
    if not force and (minimum < 1 or rows.values("pk")[:minimum].count() < minimum):
        MeaningIndex.objects.all().delete()
        return None
    # Every vector committed before the read begins is in the index; the ones stamped after are the delta.
    built_at = timezone.now()
    started = time.perf_counter()
    index = Index(ndim=model.dimensions, metric="cos", dtype=QUANTISATION, connectivity=CONNECTIVITY)
    batch: list[tuple[int, int | None, bytes]] = []
    for row in rows.values_list("project_id", "asset_id", "meaning_vector").iterator(chunk_size=5_000):
        batch.append(row)
        if len(batch) == 10_000:
            _index_add(index, batch)
            batch = []
    if batch:
        _index_add(index, batch)
    # meaning_at is stamped just before its transaction commits: a vector stamped shortly before the read
    # began may have been committed after, unseen by the read. Read again now (committed by now), those
    # replace what the index holds for their keys.
    recent = list(
        rows.filter(meaning_at__gte=built_at - BUILD_OVERLAP).values_list(
            "project_id", "asset_id", "meaning_vector"
        )
    )
    if recent:
        index.remove(np.fromiter((entry_key(p, a) for p, a, _ in recent), dtype=np.uint64, count=len(recent)))
        _index_add(index, recent)
    seconds = time.perf_counter() - started
    entries = len(index)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "index.usearch"
        index.save(str(path))
        size = path.stat().st_size
        index.reset()  # the worker need not hold the graph while it stores the file
        with transaction.atomic():
            MeaningIndex.objects.all().delete()
            snapshot = MeaningIndex.objects.create(
                model=model.name,
                dimensions=model.dimensions,
                built_at=built_at,
                entries=entries,
                size=size,
                build_seconds=round(seconds, 2),
            )
            with path.open("rb") as file:
                number = 0
                while part := file.read(PART_BYTES):
                    MeaningIndexPart.objects.create(snapshot=snapshot, number=number, data=part)
                    number += 1
    return snapshot


def delta_size(snapshot: MeaningIndex) -> int:
    """How many vectors of the snapshot's model were computed since it was built (bounded by DELTA_MAX+1)."""
    fresh = _vectors_with_model(snapshot.model).filter(meaning_at__gte=snapshot.built_at)
    return fresh.values("pk")[: DELTA_MAX + 1].count()


def snapshot_due() -> bool:
    """Whether a snapshot should be (re)built now: there are at least CATALOG_MEANING_INDEX_MIN vectors
    and no snapshot of the configured model, or its delta passed DELTA_MAX. A bounded count or two."""
    model = embedder()
    snapshot = MeaningIndex.objects.order_by("-pk").first()
    if snapshot is not None and snapshot.model == model.name:
        return delta_size(snapshot) > DELTA_MAX
    minimum = settings.CATALOG_MEANING_INDEX_MIN
    if minimum < 1:
        return False
    return _vectors_with_model(model.name).values("pk")[:minimum].count() >= minimum


@dataclass(frozen=True)
class LoadedIndex:
    """A snapshot mapped into this process: `index` proposes keys (entry_key) of vectors of `model`
    computed before `built_at`."""

    snapshot_id: int
    model: str
    built_at: datetime
    index: Index


class SnapshotLoader:
    """One process's view of the newest snapshot: looks for a newer one at most every `check_seconds`,
    copies it to `directory` (once per host: the file is named by the snapshot) and maps it."""

    def __init__(self, *, check_seconds: float = CHECK_SECONDS) -> None:
        self.check_seconds = check_seconds
        self._lock = threading.Lock()
        self._current: LoadedIndex | None = None
        self._checked = -float("inf")

    def get(self) -> LoadedIndex | None:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return self._current
        with self._lock:
            if now - self._checked >= self.check_seconds:
                self._current = self._refreshed()
                self._checked = time.monotonic()
            return self._current

    def _refreshed(self) -> LoadedIndex | None:
        latest = (
            MeaningIndex.objects.order_by("-pk").only("pk", "model", "built_at", "size", "dimensions").first()
        )
        if latest is None:
            return None
        if self._current is not None and self._current.snapshot_id == latest.pk:
            return self._current
        try:
            path = self._copied(latest)
            if path is None:
                return None  # replaced while being read: the next check finds the newer one
            index = Index.restore(str(path), view=True)
        except (OSError, RuntimeError, ValueError):
            logger.exception("meaning index snapshot %s could not be loaded; scanning exactly", latest.pk)
            return None
        if index is None or index.ndim != latest.dimensions:
            return None
        index.expansion_search = EXPANSION_SEARCH
        return LoadedIndex(snapshot_id=latest.pk, model=latest.model, built_at=latest.built_at, index=index)

    def _copied(self, snapshot: MeaningIndex) -> Path | None:
        directory = Path(settings.CATALOG_MEANING_INDEX_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"snapshot-{snapshot.pk}.usearch"
        if path.exists() and path.stat().st_size == snapshot.size:
            return path
        # Written aside and renamed: another process on this host never maps a half-written file.
        handle, scratch = tempfile.mkstemp(dir=directory, prefix=".snapshot-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                parts = MeaningIndexPart.objects.filter(snapshot_id=snapshot.pk).order_by("number")
                # One part in memory at a time.
                for part_id in parts.values_list("pk", flat=True):
                    data = MeaningIndexPart.objects.filter(pk=part_id).values_list("data", flat=True).first()
                    if data is None:
                        return None
                    file.write(bytes(data))
            if os.path.getsize(scratch) != snapshot.size:
                return None
            os.replace(scratch, path)
        finally:
            if os.path.exists(scratch):
                os.unlink(scratch)
        # Older snapshots' files: a process still mapping one keeps it until it moves on (POSIX).
        for old in directory.glob("snapshot-*.usearch"):
            if old != path:
                old.unlink(missing_ok=True)
        return path


_loader = SnapshotLoader()


def loaded() -> LoadedIndex | None:
    """This process's snapshot of the configured model, or None (then nearest scans exactly)."""
    current = _loader.get()
    if current is None or current.model != embedder().name:
        return None
    return current


def loader_reset(*, check_seconds: float = CHECK_SECONDS) -> None:
    """Forget the loaded snapshot, as a newly started process would (tests)."""
    global _loader
    _loader = SnapshotLoader(check_seconds=check_seconds)
