"""What an import did (or, in a dry run, would do), entry by entry."""

from dataclasses import dataclass, field


@dataclass
class EntryResult:
    label: str
    outcome: str  # created | updated | unchanged | skipped
    notes: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    project: str = ""  # the project's slug, or what the entry matched (a business unit, a person)

    def line(self) -> str:
        parts = [f"{self.outcome:<9} {self.label}"]
        if self.project:
            parts.append(f"→ {self.project}")
        if self.changed:
            parts.append(f"(changed: {', '.join(self.changed)})")
        text = " ".join(parts)
        return "; ".join([text, *self.notes])


@dataclass
class ImportReport:
    results: list[EntryResult] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        totals = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        for result in self.results:
            totals[result.outcome] += 1
        return totals

    def summary(self) -> str:
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.counts().items())
        return f"{'Check only, nothing written: ' if self.dry_run else ''}{counts}."
