"""python manage.py metrics_snapshots [--queue]: the dashboards' preset snapshots, now."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from metrics import snapshots, tasks


class Command(BaseCommand):
    help = (
        "Compute the dashboards' snapshots of the preset periods (30, 90 and 365 days ending today) for the "
        "program and each business unit, as the hourly warm-up does; with --queue, hand them to the workers."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue", action="store_true", help="queue the missing or stale ones instead of computing here"
        )

    def handle(self, *args, queue=False, **options):
        today = timezone.now().date()
        if queue:
            self.stdout.write(f"{tasks.snapshots_warm(today=today)} snapshots queued")
            return
        snapshots.snapshots_prune()
        for scope, start, end in snapshots.warm_plan(today=today):
            started = time.perf_counter()
            snapshots.snapshot_compute(scope=scope, start=start, end=end)
            self.stdout.write(f"{scope.key} {start}..{end}: {time.perf_counter() - started:.1f} s")
