"""python manage.py import_catalog FILE [FILE …] --format sap|innersource|backstage"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from catalog.interop import FORMATS, ImportFormatError, catalog_import, parse_files
from catalog.interop.records import MAX_IMPORT_BYTES


def read_files(paths: list[str], *, format: str) -> list[tuple[str, bytes]]:
    """The files to import; a directory stands for its *.json (innersource) or *.yaml/*.yml files."""
    patterns = ("*.json",) if format in ("innersource", "sap") else ("*.yaml", "*.yml")
    files: list[tuple[str, bytes]] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for pattern in patterns for p in path.glob(pattern) if p.is_file())
            if not found:
                raise CommandError(f"{name}: no {' or '.join(patterns)} file in this folder.")
        elif path.is_file():
            found = [path]
        else:
            raise CommandError(f"{name}: no such file.")
        for file in found:
            if file.stat().st_size > MAX_IMPORT_BYTES:
                raise CommandError(f"{file}: the file is larger than 20 MB.")
            files.append((str(file), file.read_bytes()))
    return files


class Command(BaseCommand):
    help = (
        "Import projects from SAP's repos.json, innersource.json files or Backstage catalog-info.yaml. "
        "Idempotent; keeps curators' edits unless --overwrite; writes nothing if any entry is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="files, or folders of them")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--business-unit",
            default="",
            metavar="SLUG",
            help="sap: the business unit of every project (instead of the repository owner); "
            "others: the business unit when the file names none (created if missing)",
        )
        parser.add_argument(
            "--overwrite", action="store_true", help="also replace values curators edited in the portal"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
        parser.add_argument(
            "--logo-base-url",
            default="",
            metavar="URL",
            help="sap: where relative logo paths (./images/…) are served, to keep them as URLs",
        )

    def handle(self, *args, **options):
        unit = options["business_unit"]
        if unit and slugify(unit) != unit:
            raise CommandError(
                f"--business-unit “{unit}” is not a slug (lower-case letters, digits, hyphens)."
            )
        files = read_files(options["files"], format=options["format"])
        progress = None
        if self.stderr.isatty():

            def progress(done: int, total: int) -> None:
                self.stderr.write(f"\rImporting {done}/{total}", ending="\n" if done == total else "")
                self.stderr.flush()

        try:
            entries = parse_files(
                format=options["format"], files=files, logo_base_url=options["logo_base_url"]
            )
            report = catalog_import(
                entries=entries,
                overwrite=options["overwrite"],
                dry_run=options["dry_run"],
                business_unit=unit,
                progress=progress,
            )
        except ImportFormatError as error:
            raise CommandError(f"{error} Nothing was imported.") from error
        for result in report.results:
            self.stdout.write(result.line())
        self.stdout.write(self.style.SUCCESS(report.summary()))
