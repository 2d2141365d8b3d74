"""python manage.py search_eval FILE [--mode words|meaning|fused|catalog|all] [--k 10] [--json]"""

import json

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from catalog.search_eval import (
    MODES,
    Metrics,
    RelevanceSetError,
    relevance_set_load,
    relevance_set_read,
    search_metrics,
)


class Command(BaseCommand):
    help = (
        "Measure the catalog search against a relevance set (needs with the entries that answer them): "
        "recall@k, MRR and the share of needs answered in the top 3, per search mode. The set's catalog is "
        "loaded and indexed inside a transaction that is rolled back at the end: the database's own index "
        "rows are set aside meanwhile (and its projects whose slugs clash renamed), so that only the set is "
        "searched and nothing is left behind. On a shared PostgreSQL that transaction holds row locks on "
        "the search index while it runs (seconds): run it on a copy or off-peak."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="a relevance set (JSON: catalog and needs)")
        parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
        parser.add_argument("--k", type=int, default=10, help="results read per need (default 10)")
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")

    def handle(self, *args, **options):
        k = options["k"]
        if k < 1:
            raise CommandError("--k must be at least 1.")
        try:
            relevance_set = relevance_set_read(options["file"])
        except RelevanceSetError as error:
            raise CommandError(str(error)) from None
        names = list(MODES) if options["mode"] == "all" else [options["mode"]]
        # Anonymous: what everyone may find, as the catalog page ranks it for a visitor. The set's
        # entries are all company-wide, so no viewer would see more of them.
        viewer = AnonymousUser()
        relevant = [need.relevant for need in relevance_set.needs]
        figures: dict[str, Metrics | None] = {}
        found_nothing: dict[str, list[int]] = {}
        with transaction.atomic():
            try:
                relevance_set_load(relevance_set)
                for name in names:
                    ranking = MODES[name]
                    if ranking is None:
                        figures[name] = None
                        continue
                    rankings = [ranking(need.text, viewer) for need in relevance_set.needs]
                    figures[name] = search_metrics(rankings, relevant, k=k)
                    found_nothing[name] = [i for i, ranked in enumerate(rankings) if not ranked]
            finally:
                transaction.set_rollback(True)
        if options["json"]:
            self.stdout.write(json.dumps(self._as_json(relevance_set, figures, found_nothing), indent=2))
            return
        self._print(options["file"], relevance_set, figures, found_nothing, k=k)

    def _as_json(self, relevance_set, figures, found_nothing) -> dict:
        needs = relevance_set.needs
        modes: dict[str, dict | None] = {}
        for name, metrics in figures.items():
            if metrics is None:
                modes[name] = None
                continue
            modes[name] = {
                "recall": metrics.recall,
                "mrr": metrics.mrr,
                "top3": metrics.top3,
                "missed": [needs[i].text for i in metrics.misses],
                "no_results": [needs[i].text for i in found_nothing[name]],
            }
        return {
            "entries": len(relevance_set.catalog),
            "needs": len(needs),
            "database": connection.vendor,
            "viewer": "anonymous",
            "k": next((m.k for m in figures.values() if m), None),
            "modes": modes,
        }

    def _print(self, path, relevance_set, figures, found_nothing, *, k: int) -> None:
        out = self.stdout
        needs = relevance_set.needs
        out.write(
            f"{path}: {len(relevance_set.catalog)} entries, {len(needs)} needs; "
            f"database {connection.vendor}; viewer anonymous"
        )
        width = max(15, *(len(name) + 2 for name in figures))
        out.write(f"{'':<14}" + "".join(f"{name:>{width}}" for name in figures))
        for label, attribute in ((f"recall@{k}", "recall"), (f"MRR@{k}", "mrr"), ("top-3 share", "top3")):
            cells = []
            for metrics in figures.values():
                cells.append("not available" if metrics is None else f"{getattr(metrics, attribute):.3f}")
            out.write(f"{label:<14}" + "".join(f"{cell:>{width}}" for cell in cells))
        for name, metrics in figures.items():
            if metrics is None:
                continue
            empty = set(found_nothing[name])
            out.write(
                f"\n{name}: {len(metrics.misses)} of {len(needs)} needs with no relevant entry in the "
                f"first {k} ({len(empty)} found nothing at all)"
            )
            for index in metrics.misses:
                mark = "  [no results]" if index in empty else ""
                out.write(f"  - {needs[index].text}{mark}")
