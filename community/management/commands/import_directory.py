"""python manage.py import_directory FILE [FILE …] --format csv|backstage [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from community.directory import (
    FORMATS,
    MAX_DIRECTORY_BYTES,
    DirectoryFormatError,
    directory_import,
    parse_directory,
)
from community.models import DirectoryEntry


class Command(BaseCommand):
    help = (
        "Import the organisation directory: HR's CSV (email, name, business_unit, github_login, "
        "gitlab_username) or Backstage User and Group YAML. People count by their unit before they sign "
        "in, and link to their entry when they do. Writes nothing if a file is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")

    def handle(self, *args, **options):
        files = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            if path.stat().st_size > MAX_DIRECTORY_BYTES:
                raise CommandError(f"{name}: the file is larger than 20 MB.")
            files.append((str(path), path.read_bytes()))
        source = DirectoryEntry.Source.CSV if options["format"] == "csv" else DirectoryEntry.Source.BACKSTAGE
        try:
            records = parse_directory(format=options["format"], files=files)
        except DirectoryFormatError as error:
            raise CommandError(f"{error} Nothing was imported.") from error
        report = directory_import(records=records, source=source, dry_run=options["dry_run"])
        for note in report.notes:
            self.stdout.write(f"  {note}")
        self.stdout.write(report.summary)
