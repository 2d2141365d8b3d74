"""JavaScript: package.json and package-lock.json (npm's lock file, versions 2 and 3)."""

from catalog.parsing import ParseError, load_json
from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl

__all__ = ["package_json_dependencies", "package_lock_dependencies"]

SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")


def _npm(name: str) -> str | None:
    """pkg:npm/%40scope/name for "@scope/name"; None for what is no package name. Lower-cased, as the
    purl specification says of npm names (the registry refuses new names with capitals)."""
    name = name.lower()
    if name.startswith("@"):
        scope, _, bare = name.partition("/")
        return purl(type="npm", namespace=scope, name=bare) if bare else None
    return purl(type="npm", name=name) if name else None


def _object(path: str, text: str) -> dict:
    try:
        data = load_json(text)
    except ParseError as error:
        raise ManifestError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: expected a JSON object")
    return data


def package_json_dependencies(path: str, text: str) -> list[Dependency]:
    data = _object(path, text)
    lines = LineFinder(text)
    found = []
    for section in SECTIONS:
        entries = data.get(section)
        if not isinstance(entries, dict):
            continue
        for name, version in entries.items():
            coordinates = _npm(name)
            if coordinates:
                line = lines.line_of(f'"{name}"')
                found.append(Dependency(coordinates, str(version), path, line))
    return found


def package_lock_dependencies(path: str, text: str) -> list[Dependency]:
    """Every installed package at its resolved version ("packages", keyed by its node_modules path; the
    root entry "" is the project itself)."""
    data = _object(path, text)
    packages = data.get("packages")
    if not isinstance(packages, dict):
        return []
    lines = LineFinder(text)
    found = []
    for key, entry in packages.items():
        if not key or not isinstance(entry, dict) or entry.get("link"):
            continue
        name = entry.get("name") or key.rsplit("node_modules/", 1)[-1]
        coordinates = _npm(name)
        if coordinates:
            found.append(
                Dependency(coordinates, str(entry.get("version", "")), path, lines.line_of(f'"{key}"'))
            )
    return found
