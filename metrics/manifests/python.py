"""Python: requirements files, pyproject.toml (PEP 621, PEP 735 groups, Poetry), poetry.lock and uv.lock."""

import tomllib

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["lock_dependencies", "pyproject_dependencies", "requirements_dependencies"]


def _pypi(name: str) -> str:
    # PEP 503's normalised name: Acme.Retry, acme_retry and acme-retry are one package.
    return purl(type="pypi", name=canonicalize_name(name))


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each requirement line: continuations (a trailing backslash) joined,
    comments removed."""
    joined: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = raw.split(" #", 1)[0] if not raw.lstrip().startswith("#") else ""
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        joined.append((start, (pending + line).strip()))
        pending = ""
    if pending.strip():
        joined.append((start, pending.strip()))
    return joined


def requirements_dependencies(path: str, text: str) -> list[Dependency]:
    """pip's requirements format: one requirement per line; options (-r, -c, -e, --index-url, ...) and
    hashes are not dependencies. An unreadable line is skipped (pip would refuse the file; the others still
    say what the project uses)."""
    found = []
    for number, line in _logical_lines(text):
        if not line or line.startswith("-"):
            continue
        line = line.split(" --", 1)[0].strip()  # per-requirement options: --hash=..., --config-settings
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        found.append(Dependency(_pypi(requirement.name), str(requirement.specifier), path, number))
    return found


def _toml(path: str, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: not valid TOML ({error})") from error


def _requirement_strings(data: dict) -> list[str]:
    project = data.get("project") or {}
    strings = list(project.get("dependencies") or [])
    for group in (project.get("optional-dependencies") or {}).values():
        strings += group or []
    for group in (data.get("dependency-groups") or {}).values():
        strings += [item for item in group or [] if isinstance(item, str)]  # tables include other groups
    return [item for item in strings if isinstance(item, str)]


def _poetry_tables(data: dict) -> list[dict]:
    poetry = (data.get("tool") or {}).get("poetry") or {}
    tables = [poetry.get("dependencies") or {}, poetry.get("dev-dependencies") or {}]
    tables += [(group or {}).get("dependencies") or {} for group in (poetry.get("group") or {}).values()]
    return [table for table in tables if isinstance(table, dict)]


def pyproject_dependencies(path: str, text: str) -> list[Dependency]:
    """PEP 621's dependencies and optional dependencies, PEP 735's dependency groups, and Poetry's
    dependency tables (whose "python" entry is the interpreter, not a package)."""
    data = _toml(path, text)
    lines = LineFinder(text)
    found = []
    for string in _requirement_strings(data):
        try:
            requirement = Requirement(string)
        except InvalidRequirement:
            continue
        line = lines.line_of(f'"{string}"') or lines.line_of(requirement.name)
        found.append(Dependency(_pypi(requirement.name), str(requirement.specifier), path, line))
    for table in _poetry_tables(data):
        for name, spec in table.items():
            if name.lower() == "python":
                continue
            version = spec if isinstance(spec, str) else str((spec or {}).get("version", ""))
            found.append(Dependency(_pypi(name), version, path, lines.line_of(name)))
    return found


def lock_dependencies(path: str, text: str) -> list[Dependency]:
    """poetry.lock and uv.lock: every locked package at its locked version. uv.lock also lists the
    project itself (an editable or virtual source): not a dependency."""
    data = _toml(path, text)
    lines = LineFinder(text)
    found = []
    for package in data.get("package") or []:
        name, version = package.get("name"), str(package.get("version", ""))
        source = package.get("source") or {}
        if not name or "editable" in source or "virtual" in source:
            continue
        found.append(Dependency(_pypi(name), version, path, lines.line_of(f'name = "{name}"')))
    return found
