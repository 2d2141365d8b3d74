"""Catalog import and export: SAP's repos.json, innersource.json files, Backstage catalog-info.yaml."""

from catalog.interop.apply import catalog_import
from catalog.interop.backstage import parse_backstage
from catalog.interop.innersource import parse_innersource
from catalog.interop.records import ImportEntry, ImportFormatError
from catalog.interop.report import EntryResult, ImportReport
from catalog.interop.sap import parse_sap

FORMATS = ("sap", "innersource", "backstage")


def parse_files(
    *, format: str, files: list[tuple[str, bytes | str]], logo_base_url: str = ""
) -> list[ImportEntry]:
    """Read (name, content) pairs in one format into entries; a bad file raises ImportFormatError."""
    if not files:
        raise ImportFormatError("No file to import.")
    if format == "sap":
        entries: list[ImportEntry] = []
        for name, data in files:
            entries += parse_sap(data, name=name, logo_base_url=logo_base_url)
        keys = [e.key for e in entries]
        if len(set(keys)) != len(keys):
            raise ImportFormatError("The same repository is in more than one of these repos.json files.")
        for index, entry in enumerate(entries, start=1):
            entry.index = index
        return entries
    if format == "innersource":
        return parse_innersource(files)
    if format == "backstage":
        return parse_backstage(files)
    raise ImportFormatError(f"Unknown format “{format}”: use one of {', '.join(FORMATS)}.")


__all__ = [
    "FORMATS",
    "EntryResult",
    "ImportEntry",
    "ImportFormatError",
    "ImportReport",
    "catalog_import",
    "parse_files",
]
