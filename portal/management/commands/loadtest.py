"""python manage.py loadtest [URL] [--serve] [--seconds 60] [--clients 32]: see portal/loadtest.py."""

import json

from django.core.management.base import BaseCommand, CommandError

from portal.management.tooling import tooling


class Command(BaseCommand):
    help = (
        "Load the portal with concurrent clients (catalog searches, project pages, usage beacons) on "
        "loopback for a while; print the figures as JSON and fail when any request failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("url", nargs="?", default="", help="a portal already serving on 127.0.0.1")
        parser.add_argument(
            "--serve", action="store_true", help="start gunicorn on this environment's database instead"
        )
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--clients", type=int, default=32)
        parser.add_argument("--out", default="", help="also write the JSON figures to this file")

    def handle(self, *args, url="", serve=False, seconds=60, clients=32, out="", **options):
        if bool(url) == bool(serve):
            raise CommandError("Give the URL of a serving portal, or --serve (not both).")
        load = tooling("portal.loadtest")
        try:
            if serve:
                with load.serve_portal() as base_url:
                    figures = load.run_load(base_url, seconds, clients)
            else:
                figures = load.run_load(url, seconds, clients)
        except load.LoadTestError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(figures, indent=2)
        if out:
            with open(out, "w") as handle:
                handle.write(text + "\n")
        self.stdout.write(text)
        if figures["errors"]:
            raise CommandError(f"{figures['errors']} of {figures['requests']} requests failed.")
