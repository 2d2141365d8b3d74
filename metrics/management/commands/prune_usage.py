"""Delete raw usage events older than the retention (USAGE_RETENTION_DAYS); daily rollups stay."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from metrics.rollups import usage_prune


class Command(BaseCommand):
    help = "Delete raw usage events older than the retention; the daily rollups are kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="keep this many days (default: USAGE_RETENTION_DAYS)"
        )

    def handle(self, *args, **options) -> None:
        days = settings.USAGE_RETENTION_DAYS if options["days"] is None else options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1")
        deleted = usage_prune(older_than_days=days)
        self.stdout.write(f"Deleted {deleted} usage events older than {days} days.")
