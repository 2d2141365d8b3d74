"""What every manifest parser returns."""

import re
from dataclasses import dataclass

from packageurl import PackageURL

from catalog.packages import package_key
from catalog.parsing import ParseError, load_yaml_documents

__all__ = ["Dependency", "ManifestError", "LineFinder", "purl"]


class ManifestError(ValueError):
    """A manifest that cannot be read; str() is one line saying why (with the file's path)."""


@dataclass(frozen=True)
class Dependency:
    # The package's coordinates as a canonical Package URL without version or qualifiers: what an asset's
    # package_url is matched on (a registry host is where a package is fetched from, not which one it is).
    purl: str
    version: str  # as the manifest writes it: "2.4.0", "^2.1", "~> 2.1", "v3"; "" when none
    path: str
    line: int  # 1-based; 0 when the parser cannot tell


def purl(
    *,
    type: str,
    name: str,
    namespace: str | None = None,
    subpath: str | None = None,
    qualifiers: dict[str, str] | None = None,
) -> str:
    """These coordinates as catalog.packages.package_key writes them: the one rule of which package a
    coordinate names, the same for assets' package URLs. Qualifiers count only where that rule keeps
    them (a generic package's git vcs_url)."""
    written = PackageURL(
        type=type, namespace=namespace or None, name=name, qualifiers=qualifiers, subpath=subpath or None
    ).to_string()
    key = package_key(written)
    if key is None:  # PackageURL wrote it: it reads back
        raise ValueError(f"not a Package URL: {written}")
    return key


class LineFinder:
    """Line numbers for parsers whose library does not keep them: the first line, at or after the last
    one found, whose text contains what was parsed (manifests list dependencies in order)."""

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        self._next = 0

    def line_of(self, *needles: str) -> int:
        patterns = [re.compile(re.escape(needle)) for needle in needles if needle]
        for start in (self._next, 0):
            for index in range(start, len(self._lines)):
                if all(pattern.search(self._lines[index]) for pattern in patterns):
                    self._next = index + 1
                    return index + 1
        return 0


def yaml_mapping(path: str, text: str, *, max_nodes: int) -> dict:
    """The first YAML document of a manifest when it is a mapping, else {} (a pipeline or a lock file
    holds one); a document that cannot be read (or is too large) raises ManifestError."""
    try:
        documents = load_yaml_documents(text, max_nodes=max_nodes)
    except ParseError as error:
        raise ManifestError(f"{path}: {error}") from error
    document = documents[0] if documents else None
    return document if isinstance(document, dict) else {}
