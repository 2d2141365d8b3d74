"""What every manifest parser returns."""

import re
from dataclasses import dataclass

from packageurl import PackageURL

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


def purl(*, type: str, name: str, namespace: str | None = None, subpath: str | None = None) -> str:
    """The canonical Package URL of these coordinates (the library normalises what its type says:
    PyPI names lower-cased with '-', npm names lower-cased, ...)."""
    return PackageURL(type=type, namespace=namespace or None, name=name, subpath=subpath or None).to_string()


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
