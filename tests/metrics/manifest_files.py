"""Dependency manifests of several kinds, in subfolders, as the manifest sync tests put them in a
repository (git, or the fake forge's trees and blobs), with what each declares: the texts and figures are
in tests/fixtures/manifest_tree.yaml."""

from pathlib import Path

import yaml

from catalog.models import Adoption, AdoptionSource, Asset
from metrics.models import ManifestFile
from metrics.sync import manifest_scan
from metrics.sync.runner import repository_sync
from tests.factories import AssetFactory

# The tree (tests/fixtures/manifest_tree.yaml): {path: text}; {path: [(purl, version, line)]} of its
# manifests; and what the catalog finds in that code when it holds an asset of each package (one per
# manifest kind): {package URL: (version in use, file, line)}, a lock file's exact version winning over a
# manifest's range.
_TREE = yaml.safe_load((Path(__file__).parents[1] / "fixtures" / "manifest_tree.yaml").read_text())
FILES: dict[str, str] = {file["path"]: file["text"] for file in _TREE["files"]}
EXPECTED = {file["path"]: [tuple(d) for d in file["found"]] for file in _TREE["files"] if "found" in file}
FOUND = {purl: tuple(in_use) for purl, in_use in _TREE["in_use"].items()}
# The requirements after a change: one pin moved, one dependency added.
CHANGED_REQUIREMENTS = "# the service\nacme-retry==2.4.0\nrequests>=2.31\nacme-pdf==1.0\n"
CHANGED_EXPECTED = [
    ("pkg:pypi/acme-retry", "==2.4.0", 2),
    ("pkg:pypi/requests", ">=2.31", 3),
    ("pkg:pypi/acme-pdf", "==1.0", 4),
]
BROKEN_PACKAGE_JSON = '{\n  "dependencies": {\n    "@acme/design-tokens": \n'


def stored(repository) -> dict[str, tuple[list[tuple[str, str, int]], str]]:
    """{path: ([(purl, version, line)], error)} of the repository's stored manifests."""
    return {
        row.path: ([(d["purl"], d["version"], d["line"]) for d in row.dependencies], row.error)
        for row in ManifestFile.objects.filter(repository=repository)
    }


def expected(**changes) -> dict[str, tuple[list[tuple[str, str, int]], str]]:
    return {path: (dependencies, "") for path, dependencies in {**EXPECTED, **changes}.items()}


def read_times(repository) -> dict[str, object]:
    return dict(ManifestFile.objects.filter(repository=repository).values_list("path", "read_at"))


def assets_for_each_kind() -> dict[str, Asset]:
    """An asset in the catalog for each package of FOUND, each of its own project."""
    return {purl: AssetFactory(package_url=purl) for purl in FOUND}


def found_in_code(repository) -> dict[str, tuple[str, str, int]]:
    """{package URL: (version, file, line)} of the repository's adoptions found in code, in use now."""
    return {
        adoption.asset.package_url: (adoption.version, adoption.manifest_path, adoption.manifest_line)
        for adoption in Adoption.objects.active()
        .filter(source=AdoptionSource.DETECTED, repository=repository)
        .select_related("asset")
    }


def parsing(monkeypatch) -> list[str]:
    """The paths the sync parses from now on, in order (the scan's call of metrics.manifests)."""
    parsed: list[str] = []
    real = manifest_scan.dependencies_in

    def counted(*, path: str, text: str):
        parsed.append(path)
        return real(path=path, text=text)

    monkeypatch.setattr(manifest_scan, "dependencies_in", counted)
    return parsed


def first_sync(repository, monkeypatch) -> tuple[dict[str, object], list[str]]:
    """A sync of the repository's FILES (served already) with an asset in the catalog for each kind: each
    found in use. Returns the manifests' read times and the paths parsed from then on (parsing())."""
    assets_for_each_kind()
    repository_sync(repository=repository)
    assert found_in_code(repository) == FOUND
    return read_times(repository), parsing(monkeypatch)


def changed_files() -> dict[str, str]:
    """FILES after a push that changed the requirements (CHANGED_REQUIREMENTS) and removed go.mod."""
    files = {**FILES, "svc/requirements.txt": CHANGED_REQUIREMENTS}
    del files["services/api/go.mod"]
    return files


def assert_the_change_read(repository, parsed: list[str]) -> None:
    """After a sync of changed_files() (`parsed` by parsing()): the changed requirements parsed alone,
    stored with the rest, and the removed go.mod's manifest and adoption gone."""
    wanted = expected(**{"svc/requirements.txt": CHANGED_EXPECTED})
    del wanted["services/api/go.mod"]
    assert stored(repository) == wanted
    assert parsed == ["svc/requirements.txt"]
    found = {**FOUND, "pkg:pypi/acme-retry": ("==2.4.0", "svc/requirements.txt", 2)}
    del found["pkg:golang/git.acme.example/platform/auth"]
    assert found_in_code(repository) == found, "the removed go.mod's dependency ended"
