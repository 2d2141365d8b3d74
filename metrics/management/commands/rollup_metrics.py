"""Rebuild the daily usage rollups of one day (or a range) from the raw events, on demand."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from metrics.rollups import rollup_day
from metrics.usage import usage_drain

MAX_DAYS = 3660


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = "Rebuild the daily usage rollups of a day (--date), a range (--date and --to), or yesterday and today."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="the day to rebuild, YYYY-MM-DD (UTC)")
        parser.add_argument("--to", help="rebuild every day from --date up to this one, inclusive")
        parser.add_argument(
            "--no-drain", action="store_true", help="do not first move the events queued in Redis"
        )

    def handle(self, *args, **options) -> None:
        today = timezone.now().date()
        first = _date(options["date"]) if options["date"] else today - timedelta(days=1)
        last = _date(options["to"]) if options["to"] else (first if options["date"] else today)
        if last < first:
            raise CommandError("--to must not be before --date")
        if (last - first).days >= MAX_DAYS:
            raise CommandError(f"at most {MAX_DAYS} days at a time")
        if not options["no_drain"]:
            # Events still waiting in Redis belong to the days being rebuilt.
            drained = usage_drain()
            if drained:
                self.stdout.write(f"Drained {drained} queued events.")
        day = first
        while day <= last:
            rows = rollup_day(day=day)
            self.stdout.write(f"{day.isoformat()}: {rows} rollup rows")
            day += timedelta(days=1)
