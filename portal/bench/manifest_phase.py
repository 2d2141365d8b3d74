"""The manifest-scan measurement (issue 18), a phase of portal.bench.worker: N repositories' default
branches (portal.bench.gen_manifests) scanned as the sync scans them (metrics.sync.manifest_scan: which
files are manifests, which changed, their parsing; then the write and the match with the catalog's
assets, metrics.services), first with nothing stored, then again unchanged. The listing and the files'
bytes are in memory: the forge's answers are the sync measurement's part, not this one's."""

import time


def manifests(args: dict) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from catalog.models import (
        Adoption,
        AdoptionSource,
        Asset,
        AssetKind,
        BusinessUnit,
        Project,
        Repository,
        ReviewStatus,
    )
    from metrics.models import ManifestFile
    from metrics.services import activity_upsert
    from metrics.sync import manifest_scan as scan_module
    from metrics.sync.manifest_scan import Blob, manifest_scan
    from metrics.sync.records import ActivityBatch, RepositoryStatsRecord
    from portal.bench import gen_manifests
    from portal.bench.stats import peak_rss_mb, percentiles

    n = args["repositories"]
    unit = BusinessUnit.objects.order_by("pk").first()
    # The shared libraries, each an asset of a listed project of its own, with its package URLs.
    for library in range(gen_manifests.LIBRARIES):
        project, _ = Project.objects.get_or_create(
            slug=f"bench-lib-{library:02d}",
            defaults={"name": f"Bench library {library}", "description": "A shared library", "business_unit": unit,
                      "review_status": ReviewStatus.APPROVED},
        )  # fmt: skip
        for purl in gen_manifests.library_package_urls(library):
            Asset.objects.get_or_create(
                project=project,
                slug=f"lib-{library}-{purl.split(':')[1].split('/')[0]}",
                defaults={"name": purl, "kind": AssetKind.LIBRARY, "description": "A library", "package_url": purl},
            )  # fmt: skip
    Project.objects.bulk_create(
        [
            Project(name=f"Bench consumer {i}", slug=f"bench-consumer-{i:05d}", description="Uses libraries",
                    business_unit=unit, review_status=ReviewStatus.APPROVED)
            for i in range(n)
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    projects = dict(Project.objects.filter(slug__startswith="bench-consumer-").values_list("slug", "pk"))
    Repository.objects.bulk_create(
        [
            Repository(project_id=projects[f"bench-consumer-{i:05d}"], forge="github",
                       full_name=f"bench-consumer/repo-{i:05d}", url=f"https://github.com/bench-consumer/repo-{i:05d}")
            for i in range(n)
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    repositories = list(Repository.objects.filter(full_name__startswith="bench-consumer/").order_by("pk"))

    parsed: list[str] = []
    parse = scan_module.dependencies_in

    def counted(*, path: str, text: str):
        parsed.append(path)
        return parse(path=path, text=text)

    scan_module.dependencies_in = counted

    def scan_pass() -> dict:
        parsed.clear()
        samples, written = [], 0
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            for index, repository in enumerate(repositories):
                files = gen_manifests.listing(index)
                # The forge's listing, as the sync receives it (not timed).
                blobs = [
                    Blob(path, gen_manifests.blob_id(text), len(text.encode()))
                    for path, text in files.items()
                ]
                one = time.perf_counter()
                scan = manifest_scan(
                    repository=repository,
                    blobs=blobs,
                    fetch=lambda blob, files=files: files[blob.path].encode(),
                )
                if scan is not None:
                    activity_upsert(
                        repository=repository,
                        batch=ActivityBatch(stats=RepositoryStatsRecord(manifests=scan)),
                        announce=False,
                    )
                    written += 1
                samples.append((time.perf_counter() - one) * 1000)
        seconds = time.perf_counter() - started
        return {
            "seconds": seconds,
            "ms_per_repository": percentiles(samples),
            "files_parsed": len(parsed),
            "repositories_written": written,
            "queries_per_repository": len(queries.captured_queries) / max(1, len(repositories)),
        }

    first = scan_pass()
    first["manifests_stored"] = ManifestFile.objects.filter(repository__in=repositories).count()
    first["adoptions_found"] = (
        Adoption.objects.active().filter(source=AdoptionSource.DETECTED, repository__in=repositories).count()
    )
    resync = scan_pass()
    scan_module.dependencies_in = parse
    return {
        "repositories": len(repositories),
        "files_per_repository": len(gen_manifests.listing(0)),
        "manifests_per_repository": len(gen_manifests.manifest_files(0)),
        "first": first,
        "resync": resync,
        "peak_rss_mb": peak_rss_mb(),
    }
