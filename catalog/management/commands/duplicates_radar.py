"""python manage.py duplicates_radar

Computes the radar of re-built wheels in full (catalog.radar), as the nightly task does, and prints what
it found: how many projects and assets it compared, the clusters, and how long it took."""

from django.core.management.base import BaseCommand

from catalog.models import DuplicateCluster
from catalog.radar.services import radar_run


class Command(BaseCommand):
    help = "Compute the radar of re-built wheels in full and print a summary."

    def handle(self, *args, **options):
        run = radar_run()
        waiting = DuplicateCluster.objects.filter(dismissal__isnull=True)
        across = waiting.filter(business_units__gt=1).count()
        self.stdout.write(
            f"Compared {run.entries} projects and assets in {run.seconds:.2f} s: {run.clusters} clusters, "
            f"{waiting.count()} waiting for a decision ({across} across business units), "
            f"{run.clusters - waiting.count()} marked not duplicates."
        )
