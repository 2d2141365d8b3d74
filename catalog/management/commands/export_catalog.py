"""python manage.py export_catalog --format sap|csv|json [--out FILE]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.interop.export import EXPORTERS


class Command(BaseCommand):
    help = (
        "Export the listed catalog: sap (a repos.json for SAP's portal front end, with our activity score), "
        "json (innersource.json objects that import_catalog --format innersource reads back) or csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=sorted(EXPORTERS))
        parser.add_argument("--out", default="", metavar="FILE", help="write here instead of to the output")

    def handle(self, *args, **options):
        content = EXPORTERS[options["format"]]()
        if not options["out"]:
            self.stdout.write(content, ending="")
            return
        try:
            Path(options["out"]).write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{options['out']}: cannot write: {error.strerror}.") from error
