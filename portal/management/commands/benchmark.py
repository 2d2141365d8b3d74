"""python manage.py benchmark --scale small|large --out FILE: see portal/bench/ and the README."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.management.tooling import SCALE_NAMES, tooling


class Command(BaseCommand):
    help = (
        "Generate a synthetic organisation in a dedicated PostgreSQL database, serve it with gunicorn and "
        "measure search, pages, dashboards, usage recording, sync and journeys against their floors; "
        "write a JSON report and print a table."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALE_NAMES, default="small")
        parser.add_argument("--out", required=True, help="where to write the JSON report")
        parser.add_argument(
            "--database-url",
            default="",
            help="the bench database (dropped and created again); default: portal_bench_<scale> on the "
            "server of DATABASE_URL",
        )
        parser.add_argument(
            "--redis-url", default="", help="the bench Redis db (flushed); default: db 14 of REDIS_URL"
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--only",
            choices=["meaning"],
            help="measure only this part: meaning = the catalog's embeddings, vector index and nearest "
            "entries (without the forge activity and usage events)",
        )
        parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
        parser.add_argument(
            "--check", action="store_true", help="exit 1 when a target of this scale is missed"
        )

    def handle(self, *args, **options):
        dbtools, report = tooling("portal.bench.dbtools"), tooling("portal.bench.report")
        runner, scales = tooling("portal.bench.runner"), tooling("portal.bench.scales")
        database = settings.DATABASES["default"]
        if not database["ENGINE"].endswith("postgresql") or not settings.REDIS_URL:
            raise CommandError(
                "The benchmark needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://…"
            )
        configured = settings.DATABASE_URL
        database_url = options["database_url"] or dbtools.with_database(
            configured, f"portal_bench_{options['scale']}"
        )
        if dbtools.database_name(database_url) == database["NAME"]:
            raise CommandError(
                "The bench database must not be the configured one: pass another --database-url."
            )
        redis_url = options["redis_url"] or dbtools.with_redis_db(settings.REDIS_URL, 14)
        out = Path(options["out"])

        def say(message: str) -> None:
            self.stderr.write(message)
            sys.stderr.flush()

        run = runner.Run(
            scale=scales.SCALES[options["scale"]], database_url=database_url, redis_url=redis_url, seed=options["seed"],
            keep=options["keep"], say=say,
        )  # fmt: skip
        if options["only"] == "meaning":
            result = run.run_meaning()
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(result, indent=2) + "\n")
            self.stdout.write(json.dumps(result["meaning"], indent=2))
            self.stdout.write(f"\nReport: {out}")
            return
        result = run.run()
        report.write(result, out)
        self.stdout.write(report.table(result))
        self.stdout.write(f"\nReport: {out}")
        if result["missed"]:
            self.stdout.write(f"Missed targets: {', '.join(result['missed'])}")
        if options["check"] and result["missed"]:
            raise SystemExit(1)
