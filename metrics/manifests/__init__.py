"""Dependencies read from the manifests of a repository's default branch, as Package URLs, so that an
asset (catalog Asset.package_url) can be found where it is used (issue 18: adoptions detected in code).

`dependencies_in(path=..., text=...)` reads one file by its path's kind (MANIFEST_KINDS) and returns its
dependencies, each with the version as written (a pin, a range, a tag), its file and its line. Every
parser is a well-kept library's where one exists: packaging for Python requirements, tomllib for TOML,
defusedxml for Maven's XML (no entities, no external fetches), python-hcl2 for Terraform, dockerfile-parse
for Dockerfiles, the portal's bounded loaders for JSON and YAML (catalog.parsing). Gradle's and go.mod's
formats have no such library in Python: they are read line by line, for the declarations written the
usual way (said in their modules).

A file that cannot be read raises ManifestError with a one-line reason; its dependencies are then unknown,
never guessed.
"""

from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import PurePosixPath

from metrics.manifests.common import Dependency, ManifestError
from metrics.manifests.containers import dockerfile_dependencies
from metrics.manifests.golang import go_mod_dependencies
from metrics.manifests.javascript import (
    package_json_dependencies,
    package_lock_dependencies,
    pnpm_lock_dependencies,
    yarn_lock_dependencies,
)
from metrics.manifests.jvm import gradle_catalog_dependencies, gradle_dependencies, pom_dependencies
from metrics.manifests.pipelines import github_workflow_dependencies, gitlab_ci_dependencies
from metrics.manifests.python import (
    lock_dependencies,
    pyproject_dependencies,
    requirements_dependencies,
)
from metrics.manifests.terraform import terraform_dependencies

__all__ = [
    "MANIFEST_KINDS",
    "Dependency",
    "ManifestError",
    "dependencies_in",
    "is_manifest",
    "manifest_kind",
]

# (pattern of the file's path in the repository, parser). A pattern without a slash matches the file's
# name in any folder; with one, the whole path.
MANIFEST_KINDS: list[tuple[str, Callable[[str, str], list[Dependency]]]] = [
    ("package.json", package_json_dependencies),
    ("package-lock.json", package_lock_dependencies),
    ("npm-shrinkwrap.json", package_lock_dependencies),
    ("pnpm-lock.yaml", pnpm_lock_dependencies),
    ("yarn.lock", yarn_lock_dependencies),
    ("requirements*.txt", requirements_dependencies),
    ("pyproject.toml", pyproject_dependencies),
    ("poetry.lock", lock_dependencies),
    ("uv.lock", lock_dependencies),
    ("pom.xml", pom_dependencies),
    ("build.gradle", gradle_dependencies),
    ("build.gradle.kts", gradle_dependencies),
    ("*.versions.toml", gradle_catalog_dependencies),
    ("go.mod", go_mod_dependencies),
    ("Dockerfile", dockerfile_dependencies),
    ("*.Dockerfile", dockerfile_dependencies),
    ("*.tf", terraform_dependencies),
    (".github/workflows/*.yml", github_workflow_dependencies),
    (".github/workflows/*.yaml", github_workflow_dependencies),
    (".gitlab-ci.yml", gitlab_ci_dependencies),
]


def _kind(path: str) -> tuple[str, Callable[[str, str], list[Dependency]]] | None:
    name = PurePosixPath(path).name
    for pattern, parser in MANIFEST_KINDS:
        if fnmatch(path if "/" in pattern else name, pattern):
            return pattern, parser
    return None


def _parser(path: str) -> Callable[[str, str], list[Dependency]] | None:
    found = _kind(path)
    return found[1] if found else None


def manifest_kind(path: str) -> str:
    """Which kind of manifest the file is, as MANIFEST_KINDS writes its pattern ("requirements*.txt",
    "*.tf", ".github/workflows/*.yml"); "" for a file that is none."""
    found = _kind(path)
    return found[0] if found else ""


def is_manifest(path: str) -> bool:
    """Whether the sync reads this file of a repository for its dependencies."""
    return _parser(path) is not None


def dependencies_in(*, path: str, text: str) -> list[Dependency]:
    """The dependencies a manifest declares, in the order written; [] for a file that is no manifest."""
    parser = _parser(path)
    return parser(path, text) if parser else []
