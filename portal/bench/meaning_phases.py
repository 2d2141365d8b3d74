"""The meaning phases of the benchmark (issue 17), each run in a worker process: embedding every entry,
building the vector index, nearest entries, the radar's full run."""

import time

from portal.bench.stats import peak_rss_mb, percentiles


def meaning_embed(args: dict) -> dict:
    """Embed every search entry (as embeddings_rebuild --no-index does): time and peak memory."""
    from catalog.meaning import entries_embed
    from catalog.models import SearchEntry

    project_ids = sorted(set(SearchEntry.objects.values_list("project_id", flat=True)))
    started = time.perf_counter()
    embedded = sum(
        entries_embed(project_ids=project_ids[i : i + 500]) for i in range(0, len(project_ids), 500)
    )
    return {
        "entries": embedded,
        "seconds": round(time.perf_counter() - started, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def meaning_index(args: dict) -> dict:
    """Build the vector index's snapshot (catalog.meaning_index), as the worker task does."""
    from catalog.meaning_index import snapshot_build

    started = time.perf_counter()
    snapshot = snapshot_build()
    return {
        "entries": snapshot.entries if snapshot else 0,
        "seconds": round(time.perf_counter() - started, 1),
        "index_seconds": snapshot.build_seconds if snapshot else None,
        "size_mb": round(snapshot.size / 2**20, 1) if snapshot else None,
        "size_bytes": snapshot.size if snapshot else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def meaning_nearest(args: dict) -> dict:
    """In one process, as a web worker: similar entries of projects and the nearest entries to needs typed
    as text (what the registration check and the search's meaning ask `nearest`), timed after a warm-up,
    and the recall of the index's answers against the exact scan's."""
    from django.contrib.auth.models import AnonymousUser

    from catalog import meaning_index as index_module
    from catalog.meaning import embedder
    from catalog.models import Project, SearchEntry
    from catalog.selectors import similar
    from catalog.selectors.fused import MEANING_CANDIDATES, MEANING_FLOOR

    anyone = AnonymousUser()
    projects = list(Project.objects.listed().order_by("pk")[:: max(1, Project.objects.count() // 200)][:200])
    texts = [p.description for p in projects]
    candidates = similar.with_vectors(SearchEntry.objects.filter(restricted=False))
    model = embedder()
    loaded = index_module.loaded()
    similar.similar_entries(viewer=anyone, project=projects[0])  # warm-up: model and index loaded
    timings: dict[str, list[float]] = {"similar_entries": [], "nearest_text": []}
    for project, text in zip(projects, texts, strict=True):
        started = time.perf_counter()
        similar.similar_entries(viewer=anyone, project=project)
        timings["similar_entries"].append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        similar.nearest(model.embed([text])[0], candidates, limit=MEANING_CANDIDATES, floor=MEANING_FLOOR)
        timings["nearest_text"].append((time.perf_counter() - started) * 1000)
    # Recall@10 of the index against the exact scan (the scan reads every vector: 40 needs suffice).
    found = total = 0
    for text in texts[:40]:
        query = model.embed([text])[0]
        exact = similar._scored(query, candidates.values_list("pk", "meaning_vector"), limit=10, floor=0)
        answer = similar.nearest(query, candidates, limit=10, floor=0)
        found += len({pk for pk, _ in exact} & {pk for pk, _ in answer})
        total += len(exact)
    return {
        "index_loaded": loaded is not None,
        **{name: percentiles(samples) for name, samples in timings.items()},
        "recall_at_10": round(found / total, 3) if total else None,
        "peak_rss_mb": peak_rss_mb(),
    }


def meaning_radar(args: dict) -> dict:
    """The radar of re-built wheels, computed in full from every listed entry (the nightly task)."""
    from catalog.radar.services import radar_run

    run = radar_run()
    return {
        "entries": run.entries,
        "clusters": run.clusters,
        "seconds": run.seconds,
        "peak_rss_mb": peak_rss_mb(),
    }
