"""The organisation directory: who works in which business unit, under which e-mail address and forge
logins, from a trusted export (HR's CSV, or Backstage's User and Group entities). The program office
imports it; people count by their unit before they ever sign in, and link to their entry when they do.

Reading the files (`reading`: `parse_directory`) is separate from writing them (`writing`:
`directory_import`, `directory_link`), as in the catalog's import, so that a file is checked whole before
anything is written.
"""

from community.directory.reading import (
    CSV_COLUMNS,
    FORMATS,
    MAX_DIRECTORY_BYTES,
    MAX_DIRECTORY_ENTRIES,
    DirectoryFormatError,
    DirectoryRecord,
    parse_backstage,
    parse_csv,
    parse_directory,
)
from community.directory.writing import DirectoryReport, directory_import, directory_link, entry_apply

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "MAX_DIRECTORY_BYTES",
    "MAX_DIRECTORY_ENTRIES",
    "DirectoryFormatError",
    "DirectoryRecord",
    "DirectoryReport",
    "directory_import",
    "directory_link",
    "entry_apply",
    "parse_backstage",
    "parse_csv",
    "parse_directory",
]
