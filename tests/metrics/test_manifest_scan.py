"""Which manifests the sync reads and how much of them (metrics.sync.manifest_scan), whatever the forge."""

import pytest

from catalog.models import Repository
from metrics.models import ManifestFile
from metrics.services import activity_upsert
from metrics.sync import manifest_scan as scan_module
from metrics.sync.manifest_scan import Blob, manifest_blobs, manifest_scan
from metrics.sync.records import ActivityBatch, RepositoryStatsRecord
from tests.factories import ProjectFactory

REQUIREMENTS = b"acme-retry==2.1.0\n"


def test_vendored_folders_at_any_depth_and_other_files_are_not_read():
    blobs = [
        Blob("package.json", "1"),
        Blob("node_modules/x/package.json", "2"),
        Blob("web/node_modules/@acme/y/package.json", "3"),
        Blob("vendor/github.com/z/go.mod", "4"),
        Blob("libs/third_party/q/requirements.txt", "5"),
        Blob("third_party.txt", "6"),
        Blob("src/vendors/package.json", "7"),  # not a vendored folder: a folder of that name
        Blob("README.md", "8"),
    ]
    assert [blob.path for blob in manifest_blobs(blobs)] == ["package.json", "src/vendors/package.json"]


def test_at_most_max_files_are_read_nearest_the_root_first(monkeypatch):
    monkeypatch.setattr(scan_module, "MAX_FILES", 3)
    blobs = [
        Blob(path, path) for path in ["b/c/go.mod", "z/Dockerfile", "a/pom.xml", "pom.xml", "a/b/go.mod"]
    ]

    assert [blob.path for blob in manifest_blobs(blobs)] == ["pom.xml", "a/pom.xml", "z/Dockerfile"]
    assert manifest_blobs(reversed(blobs)) == manifest_blobs(blobs), (
        "the same files whatever the listing's order"
    )


def test_a_path_too_long_to_keep_is_not_read():
    long_path = "a/" * 200 + "package.json"
    assert manifest_blobs([Blob(long_path, "1"), Blob("package.json", "2")]) == [Blob("package.json", "2")]


@pytest.fixture
def repository(db):
    return Repository.objects.create(project=ProjectFactory(), forge="git", url="https://git.example/a/b.git")


def write(repository, scan) -> None:
    activity_upsert(repository=repository, batch=ActivityBatch(stats=RepositoryStatsRecord(manifests=scan)))


def test_a_file_over_the_size_limit_is_not_fetched_and_says_so(repository):
    fetched = []

    def fetch(blob):
        fetched.append(blob.path)
        return REQUIREMENTS

    scan = manifest_scan(
        repository=repository,
        blobs=[
            Blob("requirements.txt", "1", 100),
            Blob("big/requirements.txt", "2", scan_module.MAX_BYTES + 1),
        ],
        fetch=fetch,
    )

    assert fetched == ["requirements.txt"]
    assert scan is not None
    assert {record.path: record.error for record in scan.read} == {
        "requirements.txt": "",
        "big/requirements.txt": "big/requirements.txt: larger than 2 MB, not read",
    }


def test_an_unchanged_listing_reads_and_writes_nothing(repository, django_assert_num_queries):
    blobs = [Blob("requirements.txt", "1"), Blob("svc/Dockerfile", "2")]
    files = {"requirements.txt": REQUIREMENTS, "svc/Dockerfile": b"FROM acme/base:1\n"}
    write(
        repository,
        manifest_scan(repository=repository, blobs=blobs, fetch=lambda b: files[b.path]),
    )
    assert ManifestFile.objects.filter(repository=repository).count() == 2

    def no_fetch(blob):
        raise AssertionError(f"{blob.path} is unchanged: it must not be fetched")

    with django_assert_num_queries(1):  # the stored blob ids
        assert manifest_scan(repository=repository, blobs=blobs, fetch=no_fetch) is None


def test_writing_the_same_scan_twice_changes_nothing(repository):
    blobs = [Blob("requirements.txt", "1")]
    scan = manifest_scan(repository=repository, blobs=blobs, fetch=lambda blob: REQUIREMENTS)
    write(repository, scan)
    first = list(ManifestFile.objects.values("pk", "path", "blob_sha", "dependencies", "error"))

    write(repository, scan)

    assert list(ManifestFile.objects.values("pk", "path", "blob_sha", "dependencies", "error")) == first
    assert first[0]["dependencies"] == [{"purl": "pkg:pypi/acme-retry", "version": "==2.1.0", "line": 1}]


def test_a_cleared_blob_id_makes_the_next_scan_read_the_file_again(repository):
    """How a data migration has every manifest parsed again when a parser changes."""
    blobs = [Blob("requirements.txt", "1")]
    write(repository, manifest_scan(repository=repository, blobs=blobs, fetch=lambda blob: REQUIREMENTS))
    ManifestFile.objects.update(blob_sha="")
    fetched = []

    def fetch(blob):
        fetched.append(blob.path)
        return REQUIREMENTS

    scan = manifest_scan(repository=repository, blobs=blobs, fetch=fetch)

    assert fetched == ["requirements.txt"] and scan is not None
    write(repository, scan)
    assert ManifestFile.objects.get().blob_sha == "1"


def test_the_admin_lists_the_manifests_read_only_with_kind_and_error(repository, client, office_admin):
    ManifestFile.objects.create(
        repository=repository,
        path="svc/requirements-dev.txt",
        dependencies=[{"purl": "pkg:pypi/acme-retry", "version": "==2.1.0", "line": 1}],
    )
    broken = ManifestFile.objects.create(
        repository=repository, path="infra/main.tf", error="line 3: unexpected '}'\nmore detail"
    )
    client.force_login(office_admin)
    listing = client.get("/admin/metrics/manifestfile/")
    assert listing.status_code == 200, "the program office reads them"
    page = listing.content.decode()
    assert "svc/requirements-dev.txt" in page and "requirements*.txt" in page
    assert "infra/main.tf" in page and "*.tf" in page and "line 3: unexpected" in page
    assert repository.url in page
    detail = client.get(f"/admin/metrics/manifestfile/{broken.pk}/change/").content.decode()
    assert "more detail" in detail and 'name="_save"' not in detail, "read-only"
    assert client.get("/admin/metrics/manifestfile/add/").status_code == 403
    response = client.post(f"/admin/metrics/manifestfile/{broken.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and ManifestFile.objects.filter(pk=broken.pk).exists()
