"""What the code imports is what pyproject.toml declares, and what `make` and the image install is exactly
what the lock files say: a module imported but never declared (it arrived with another package, and
leaves with it) or a dependency declared and never used is caught here, as is a lock that drifted from
pyproject.toml."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.settings_files import SETTINGS_FILES

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = {"catalog", "community", "metrics", "portal", "tests"}
RUNTIME_CODE = [ROOT / "catalog", ROOT / "community", ROOT / "metrics", ROOT / "portal", ROOT / "manage.py"]

# Declared runtime dependencies that the code never imports, and why they are needed all the same.
USED_WITHOUT_AN_IMPORT = {
    "gunicorn": "the image's command serves the portal with it",
    "drf-spectacular-sidecar": "serves the API docs' Swagger UI files (an INSTALLED_APPS entry)",
    "whitenoise": "serves static files (a MIDDLEWARE entry)",
    "django-htmx": "a MIDDLEWARE entry",
}
# Declared development dependencies used as commands or pytest plugins rather than imported.
DEV_USED_WITHOUT_AN_IMPORT = {
    "pytest-django": "the pytest plugin that sets Django up",
    "pytest-playwright": "the pytest plugin that gives the browser tests their page",
    "ruff": "`make lint`",
    "mypy": "`make lint` checks types",
    "django-stubs": "mypy's Django plugin and types",
    "djangorestframework-stubs": "mypy's DRF plugin and types",
    "types-defusedxml": "mypy's types of defusedxml (metrics.manifests reads Maven's XML with it)",
    "types-dockerfile-parse": "mypy's types of dockerfile-parse (metrics.manifests reads Dockerfiles with it)",
    "uv": "`make lock` resolves the lock files with it",
}


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _declared(requirements: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(Requirement(line).name): Requirement(line) for line in requirements}


def _imported_top_level_modules(paths: list[Path]) -> set[str]:
    modules: set[str] = set()
    files = [p for path in paths for p in ([path] if path.is_file() else path.rglob("*.py"))]
    for file in files:
        if "migrations" in file.parts:
            continue
        for node in ast.walk(ast.parse(file.read_text(), filename=str(file))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules - OUR_PACKAGES - set(sys.stdlib_module_names) - {"__future__"}


def _distributions_of(modules: set[str]) -> dict[str, set[str]]:
    """Module -> the distributions that install it (several for namespace packages)."""
    installed = importlib.metadata.packages_distributions()
    return {module: {canonicalize_name(name) for name in installed.get(module, [])} for module in modules}


def _settings_modules() -> set[str]:
    """Top-level modules named by dotted strings in the settings (INSTALLED_APPS, MIDDLEWARE, backends)."""
    return {
        node.value.split(".")[0]
        for file in SETTINGS_FILES
        for node in ast.walk(ast.parse(file.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", node.value)
    }


def test_every_module_the_portal_imports_comes_from_a_declared_runtime_dependency():
    declared = set(_declared(_project()["dependencies"]))
    undeclared = {
        module: sorted(distributions)
        for module, distributions in _distributions_of(_imported_top_level_modules(RUNTIME_CODE)).items()
        if not distributions & declared
    }

    assert not undeclared, f"imported but not declared in [project] dependencies: {undeclared}"


def test_every_module_the_tests_import_comes_from_a_declared_dependency():
    project = _project()
    declared = set(_declared(project["dependencies"])) | set(
        _declared(project["optional-dependencies"]["dev"])
    )
    undeclared = {
        module: sorted(distributions)
        for module, distributions in _distributions_of(_imported_top_level_modules([ROOT / "tests"])).items()
        if not distributions & declared
    }

    assert not undeclared, f"imported by tests but not declared: {undeclared}"


def test_every_declared_dependency_is_used():
    project = _project()
    used_runtime = set().union(
        *_distributions_of(_imported_top_level_modules(RUNTIME_CODE) | _settings_modules()).values()
    )
    used_by_tests = set().union(*_distributions_of(_imported_top_level_modules([ROOT / "tests"])).values())

    unused = set(_declared(project["dependencies"])) - used_runtime - set(USED_WITHOUT_AN_IMPORT)
    unused_dev = (
        set(_declared(project["optional-dependencies"]["dev"]))
        - used_by_tests
        - used_runtime
        - set(DEV_USED_WITHOUT_AN_IMPORT)
    )

    assert not unused, f"declared runtime dependencies nothing uses: {sorted(unused)}"
    assert not unused_dev, f"declared dev dependencies nothing uses: {sorted(unused_dev)}"


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """Package -> (version, number of hashes) from a `uv pip compile --generate-hashes` file."""
    locked: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        match = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", entry)
        if match:
            locked[canonicalize_name(match[1])] = (match[2], entry.count("--hash=sha256:"))
    return locked


def test_the_lock_files_pin_what_pyproject_declares_with_hashes():
    project = _project()
    runtime_lock = _locked(ROOT / "requirements.lock")
    dev_lock = _locked(ROOT / "requirements-dev.lock")

    for lock, requirements in (
        (runtime_lock, project["dependencies"]),
        (dev_lock, project["dependencies"] + project["optional-dependencies"]["dev"]),
    ):
        for name, requirement in _declared(requirements).items():
            assert name in lock, f"{name} is declared but not locked: run `make lock`"
            assert requirement.specifier.contains(lock[name][0]), (
                f"{name}: lock {lock[name][0]} vs {requirement}"
            )
    assert all(hashes for _version, hashes in (runtime_lock | dev_lock).values()), (
        "every entry has its hashes"
    )
    # The tests run what production runs: the runtime lock is a part of the development lock.
    assert {name: dev_lock.get(name) for name in runtime_lock} == runtime_lock
    assert "pyjwt" not in _declared(project["dependencies"]), "allauth's socialaccount extra brings it"


def test_what_is_installed_here_is_what_the_development_lock_says():
    dev_lock = _locked(ROOT / "requirements-dev.lock")
    differing = {
        name: (version, importlib.metadata.version(name))
        for name, (version, _hashes) in dev_lock.items()
        if _installed(name) and importlib.metadata.version(name) != version
    }

    assert not differing, f"installed versions differ from the lock (locked, installed): {differing}"


def _installed(name: str) -> bool:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True
