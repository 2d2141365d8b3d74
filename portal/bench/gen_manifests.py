"""The dependency manifests of the manifest-scan measurement (issue 18): for each repository a default
branch listing of source files and eleven manifests of nine kinds, naming some of fifty shared libraries
that the catalog holds as assets (so that adoptions are found) and packages from outside it."""

import hashlib
import json

from portal.bench.forge import manifests as forge_manifests

LIBRARIES = 50
# Files of a listing that are no manifest: the scan looks at each path and reads none of them.
OTHER_FILES = 150


def blob_id(text: str) -> str:
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def library_package_urls(n: int) -> list[str]:
    """The package URLs of shared library n, as its asset gives them (one per ecosystem it is built for)."""
    return [f"pkg:npm/%40bench/lib-{n}", f"pkg:pypi/bench-lib-{n}", f"pkg:maven/com.bench/lib-{n}"][
        : 1 + n % 3
    ]


def manifest_files(index: int) -> dict[str, str]:
    """Repository `index`'s manifests: the sync benchmark's two (forge.manifests) and nine more."""
    a, b, c = index % LIBRARIES, (index * 7 + 1) % LIBRARIES, (index * 13 + 5) % LIBRARIES
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": f"web-{index}"},
            f"node_modules/@bench/lib-{a}": {"version": f"1.{index % 9}.0"},
            "node_modules/left-pad": {"version": "1.3.0"},
        },
    }
    return {
        **forge_manifests(index),
        "web/package-lock.json": json.dumps(lock, indent=2),
        "svc/pyproject.toml": (
            f'[project]\nname = "svc-{index}"\ndependencies = [\n  "bench-lib-{b}>=2.0",\n  "httpx>=0.27",\n]\n'
        ),
        "svc/uv.lock": (
            f'version = 1\n\n[[package]]\nname = "bench-lib-{b}"\nversion = "2.{index % 7}.1"\n\n'
            '[[package]]\nname = "httpx"\nversion = "0.27.2"\n'
        ),
        "ledger/pom.xml": (
            '<?xml version="1.0"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <dependencies>\n'
            f"    <dependency>\n      <groupId>com.bench</groupId>\n      <artifactId>lib-{c}</artifactId>\n"
            f"      <version>3.{index % 5}.0</version>\n    </dependency>\n  </dependencies>\n</project>\n"
        ),
        "app/build.gradle.kts": f'dependencies {{\n    implementation("com.bench:lib-{a}:3.1.0")\n}}\n',
        "api/go.mod": f"module git.bench.example/api-{index}\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
        "Dockerfile": "FROM python:3.12-slim AS base\nRUN true\n",
        ".github/workflows/ci.yml": (
            "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
        ),
        "infra/main.tf": 'module "network" {\n  source  = "bench/network/aws"\n  version = "~> 2.1"\n}\n',
    }


def listing(index: int) -> dict[str, str]:
    """Every file of the repository's default branch: its manifests and OTHER_FILES source files."""
    files = {f"src/module_{n:03d}.py": f"# module {n} of {index}\n" for n in range(OTHER_FILES)}
    return {"README.md": "# Bench\n", **files, **manifest_files(index)}
