"""Dependency manifests of several kinds, in subfolders, as the manifest sync tests put them in a
repository (git, or the fake forge's trees and blobs), with what each declares."""

from catalog.models import Adoption, AdoptionSource, Asset
from metrics.models import ManifestFile
from metrics.sync import manifest_scan
from metrics.sync.runner import repository_sync
from tests.factories import AssetFactory

FILES = {
    "web/package.json": '{\n  "name": "web",\n  "dependencies": {\n    "@acme/design-tokens": "^2.1.0"\n  }\n}\n',
    "svc/requirements.txt": "# the service\nacme-retry==2.1.0\nrequests>=2.31\n",
    "services/api/go.mod": (
        "module git.acme.example/api\n\ngo 1.22\n\nrequire (\n\tgit.acme.example/platform/auth v1.4.0\n)\n"
    ),
    "Dockerfile": "FROM acme/base-python:3.12 AS build\nRUN true\n",
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/setup-build@v3\n"
    ),
    "web/package-lock.json": (
        '{\n "lockfileVersion": 3,\n "packages": {\n  "": {"name": "web"},\n'
        '  "node_modules/@acme/design-tokens": {\n   "version": "2.4.0"\n  }\n }\n}\n'
    ),
    "svc/pyproject.toml": '[project]\nname = "svc"\ndependencies = [\n  "acme-auth>=1.2",\n]\n',
    "svc/uv.lock": 'version = 1\n\n[[package]]\nname = "acme-auth"\nversion = "1.3.0"\n',
    "tools/poetry.lock": '[[package]]\nname = "acme-cli"\nversion = "0.9.1"\n',
    "ledger/pom.xml": (
        '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <dependencies>\n'
        "    <dependency>\n      <groupId>com.acme</groupId>\n      <artifactId>ledger-client</artifactId>\n"
        "      <version>2.1.0</version>\n    </dependency>\n  </dependencies>\n</project>\n"
    ),
    "android/build.gradle": "dependencies {\n    implementation 'com.acme:mobile-kit:1.1'\n}\n",
    "jvm/build.gradle.kts": 'dependencies {\n    implementation("com.acme:audit:3.0.1")\n}\n',
    "infra/main.tf": 'module "network" {\n  source  = "acme/network/aws"\n  version = "~> 2.1"\n}\n',
    ".gitlab-ci.yml": (
        "include:\n  - project: acme/platform/ci-templates\n    ref: v3.1\n    file: /templates/build.yml\n"
    ),
    # Another project's manifest, vendored: not read.
    "web/node_modules/left-pad/package.json": '{"name": "left-pad", "dependencies": {"x": "1"}}\n',
    "src/app.py": "print('not a manifest')\n",
}
EXPECTED = {
    "web/package.json": [("pkg:npm/%40acme/design-tokens", "^2.1.0", 4)],
    "svc/requirements.txt": [("pkg:pypi/acme-retry", "==2.1.0", 2), ("pkg:pypi/requests", ">=2.31", 3)],
    "services/api/go.mod": [("pkg:golang/git.acme.example/platform/auth", "v1.4.0", 6)],
    "Dockerfile": [("pkg:docker/acme/base-python", "3.12", 1)],
    ".github/workflows/ci.yml": [("pkg:github/acme/setup-build", "v3", 6)],
    "web/package-lock.json": [("pkg:npm/%40acme/design-tokens", "2.4.0", 5)],
    "svc/pyproject.toml": [("pkg:pypi/acme-auth", ">=1.2", 4)],
    "svc/uv.lock": [("pkg:pypi/acme-auth", "1.3.0", 4)],
    "tools/poetry.lock": [("pkg:pypi/acme-cli", "0.9.1", 2)],
    "ledger/pom.xml": [("pkg:maven/com.acme/ledger-client", "2.1.0", 6)],
    "android/build.gradle": [("pkg:maven/com.acme/mobile-kit", "1.1", 2)],
    "jvm/build.gradle.kts": [("pkg:maven/com.acme/audit", "3.0.1", 2)],
    "infra/main.tf": [("pkg:terraform/acme/network/aws", "~> 2.1", 1)],
    ".gitlab-ci.yml": [("pkg:gitlab/acme/platform/ci-templates#templates/build.yml", "v3.1", 2)],
}
# What the catalog finds in that code when it holds an asset of each package (one per manifest kind):
# {package URL: (version in use, file, line)}. A lock file's exact version wins over a manifest's range.
FOUND = {
    "pkg:npm/%40acme/design-tokens": ("2.4.0", "web/package-lock.json", 5),
    "pkg:pypi/acme-retry": ("==2.1.0", "svc/requirements.txt", 2),
    "pkg:pypi/acme-auth": ("1.3.0", "svc/uv.lock", 4),
    "pkg:pypi/acme-cli": ("0.9.1", "tools/poetry.lock", 2),
    "pkg:maven/com.acme/ledger-client": ("2.1.0", "ledger/pom.xml", 6),
    "pkg:maven/com.acme/mobile-kit": ("1.1", "android/build.gradle", 2),
    "pkg:maven/com.acme/audit": ("3.0.1", "jvm/build.gradle.kts", 2),
    "pkg:golang/git.acme.example/platform/auth": ("v1.4.0", "services/api/go.mod", 6),
    "pkg:docker/acme/base-python": ("3.12", "Dockerfile", 1),
    "pkg:terraform/acme/network/aws": ("~> 2.1", "infra/main.tf", 1),
    "pkg:github/acme/setup-build": ("v3", ".github/workflows/ci.yml", 6),
    "pkg:gitlab/acme/platform/ci-templates#templates/build.yml": ("v3.1", ".gitlab-ci.yml", 2),
}
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
