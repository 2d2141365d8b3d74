"""JavaScript: package.json, npm's lock file (package-lock.json or npm-shrinkwrap.json, versions 2 and 3),
pnpm's (pnpm-lock.yaml, lockfile versions 5 to 9) and Yarn's from Yarn 2 on (yarn.lock, which is YAML).
Yarn 1's yarn.lock ("# yarn lockfile v1") is neither JSON nor YAML and no well-kept Python library parses
it: it is left unread, without an error (its package.json says what it uses)."""

from catalog.parsing import ParseError, load_json
from metrics.manifests.common import Dependency, LineFinder, ManifestError, purl, yaml_mapping

__all__ = [
    "package_json_dependencies",
    "package_lock_dependencies",
    "pnpm_lock_dependencies",
    "yarn_lock_dependencies",
]

# A lock file lists every package installed, each once: a large monorepo's runs to tens of thousands.
LOCK_MAX_NODES = 500_000

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


def _pnpm_package(key: str) -> tuple[str, str] | None:
    """(name, version) of a key of pnpm-lock.yaml's `packages`: "@scope/name@1.2.0" (lockfile 9),
    "/@scope/name@1.2.0(peer@1.0.0)" (6), "/@scope/name/1.2.0_peer@1.0.0" (5); None for what names no
    registry package (a tarball, a git or a file dependency)."""
    key = key.removeprefix("/").split("(", 1)[0]
    at = key.find("@", 1)  # versions 6 and 9: the first "@" not opening a scope
    name, version = (key[:at], key[at + 1 :]) if at > 0 else ("", "")
    if not _registry_name(name):  # version 5: the version is the path's last segment, then its peers
        name, _, version = key.rpartition("/")
        version = version.split("_", 1)[0]
    if not _registry_name(name) or not version or ":" in version:
        return None
    return name, version


def _registry_name(name: str) -> bool:
    """Whether this is how the registry names a package: "name" or "@scope/name"."""
    return bool(name) and name.count("/") == (1 if name.startswith("@") else 0) and not name.endswith("/")


def pnpm_lock_dependencies(path: str, text: str) -> list[Dependency]:
    """Every installed package at its resolved version (the keys of `packages`), as package-lock.json's."""
    packages = yaml_mapping(path, text, max_nodes=LOCK_MAX_NODES).get("packages")
    if not isinstance(packages, dict):
        return []
    lines = LineFinder(text)
    found = []
    for key in packages:
        named = _pnpm_package(str(key))
        coordinates = _npm(named[0]) if named else None
        if named and coordinates:
            found.append(Dependency(coordinates, named[1], path, lines.line_of(str(key))))
    return found


def yarn_lock_dependencies(path: str, text: str) -> list[Dependency]:
    """Every package Yarn (2 and later) installed from the registry, at its version: the entries whose
    resolution is "name@npm:version"; workspaces, patches, git and file dependencies are none. Yarn 1's
    lock is not read (see the module)."""
    if "# yarn lockfile v1" in text[:1000]:  # Yarn 1 writes it in its header
        return []
    lines = LineFinder(text)
    found = []
    for key, entry in yaml_mapping(path, text, max_nodes=LOCK_MAX_NODES).items():
        if key == "__metadata" or not isinstance(entry, dict):
            continue
        resolution = str(entry.get("resolution") or "")
        at = resolution.find("@", 1)
        name, protocol = (resolution[:at], resolution[at + 1 :]) if at > 0 else ("", "")
        coordinates = _npm(name) if _registry_name(name) and protocol.startswith("npm:") else None
        if coordinates:
            line = lines.line_of(str(key).split(",")[0].strip())
            found.append(Dependency(coordinates, str(entry.get("version") or ""), path, line))
    return found
