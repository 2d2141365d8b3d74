"""python manage.py embeddings_rebuild [--force] [--batch N]

Brings the vector of every search entry up to date (catalog.meaning), a batch of projects at a time with
a progress bar: entries with no vector, or whose text or model changed since, are embedded; the others
are kept. Running it twice changes nothing the second time. --force embeds every entry again. Then,
from CATALOG_MEANING_INDEX_MIN vectors on, it builds the vector index's snapshot (catalog.meaning_index),
unless --no-index.
"""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalog import meaning_index
from catalog.meaning import embedder, entries_embed
from catalog.models import SearchEntry


class Command(BaseCommand):
    help = (
        "Embed the search entries whose text or model changed (or that have no vector yet), a batch of "
        "projects at a time, with a progress bar; --force embeds every entry again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="embed every entry, changed or not")
        parser.add_argument(
            "--batch", type=int, default=500, help="projects per batch (with their assets); default 500"
        )
        parser.add_argument(
            "--no-index", action="store_true", help="do not build the vector index's snapshot afterwards"
        )

    def handle(self, *args, force: bool, batch: int, no_index: bool, **options):
        model = embedder()
        project_ids = sorted(set(SearchEntry.objects.values_list("project_id", flat=True)))
        total = SearchEntry.objects.count()
        started = time.perf_counter()
        embedded = 0
        # The bar goes to the terminal (stderr) and stays quiet when that is not a terminal.
        with tqdm(total=total, unit="entry", desc=f"Embedding with {model.name}", file=sys.stderr) as bar:
            for start in range(0, len(project_ids), max(batch, 1)):
                ids = project_ids[start : start + max(batch, 1)]
                embedded += entries_embed(project_ids=ids, force=force)
                bar.update(SearchEntry.objects.filter(project_id__in=ids).count())
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"{embedded} of {total} entries embedded ({total - embedded} up to date) with {model.name} "
            f"in {seconds:.1f} s."
        )
        if no_index:
            return
        snapshot = meaning_index.snapshot_build()
        if snapshot is None:
            self.stdout.write(
                f"No vector index below {settings.CATALOG_MEANING_INDEX_MIN} vectors: every search scans them."
            )
        else:
            self.stdout.write(
                f"Vector index of {snapshot.entries} entries built in {snapshot.build_seconds:.1f} s "
                f"({snapshot.size / 2**20:.0f} MB)."
            )
