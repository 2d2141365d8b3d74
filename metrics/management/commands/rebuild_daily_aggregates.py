"""Rebuild the daily aggregates of repository activity (metrics.daily) from the activity rows."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from metrics.daily import rebuild_daily_aggregates


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = (
        "Rebuild the daily aggregates of repository activity of [--start, --end) (UTC days, end exclusive); "
        "without them, the whole recorded history."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--start", help="first day to rebuild, YYYY-MM-DD (default: the first activity)")
        parser.add_argument(
            "--end", help="day after the last one to rebuild (default: after the last activity)"
        )

    def handle(self, *args, **options) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        if start is not None and end is not None and start >= end:
            raise CommandError("--start must be before --end (end is exclusive)")
        written = rebuild_daily_aggregates(start=start, end=end, log=self.stdout.write)
        self.stdout.write(f"Rebuilt: {written} aggregate rows.")
