"""Dependency manifests of several kinds, in subfolders, as the manifest sync tests put them in a
repository (git, or the fake forge's trees and blobs), with what each declares."""

from metrics.models import ManifestFile

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
