"""The demo's value of reuse: the sizes of the synced repositories' code as the forge sync would have read
them (metrics.sync.code_size), the program office's costs, and two assets whose maintainers set their build
effort, so that the dashboards' "Value of reuse" shows figures on the first run."""

import math
from datetime import timedelta
from decimal import Decimal

from catalog.models import Asset, AssetKind, Forge, ProjectChange, ProjectRole, Repository
from metrics.models import ReuseValueSettings
from portal.demo.seeder.base import SeederBase

# What the program office set: a fully loaded engineer-day and the program's yearly cost.
ENGINEER_DAY_COST = Decimal("650")
PROGRAM_YEARLY_COST = Decimal("1200000")
# The main repository's source lines: a median of 8,000, most between 3,000 and 30,000.
MEDIAN_LINES, SPREAD = 8_000, 0.8
OVERRIDES = [
    (AssetKind.DATASET, "Curating it took two analysts a quarter; its code is a small loader."),
    (
        AssetKind.DOCUMENTATION,
        "Written and reviewed over six weeks by three engineers; there is no code to count.",
    ),
]


class ValueSteps(SeederBase):
    def create_value(self) -> None:
        rng = self.rng
        # GitHub's tree gives each file's size and GitLab's GraphQL API the sizes its tree lacks (lines
        # estimated from bytes); plain git hosts are not synced in the demo: as the sync would, only synced
        # GitHub and GitLab repositories are sized.
        repositories = list(
            Repository.objects.filter(forge__in=[Forge.GITHUB, Forge.GITLAB], last_synced_at__isnull=False)
            .prefetch_related("project__languages")
            .order_by("project_id", "pk")
        )
        main_seen: set[int] = set()
        for repository in repositories:
            scale = 1.0 if repository.project_id not in main_seen else 0.3
            main_seen.add(repository.project_id)
            total = max(800, int(rng.lognormvariate(math.log(MEDIAN_LINES), SPREAD) * scale))
            languages = sorted(language.name for language in repository.project.languages.all()) or ["Python"]
            weights = [rng.random() + 0.2 for _ in languages]
            repository.code_lines = {
                name: max(1, round(total * weight / sum(weights)))
                for name, weight in zip(languages, weights, strict=True)
            }
            repository.code_lines_basis = "bytes"
            repository.code_counted_at = repository.last_synced_at
        Repository.objects.bulk_update(repositories, ["code_lines", "code_lines_basis", "code_counted_at"])
        office = self.known["office"]
        ReuseValueSettings.objects.update_or_create(
            pk=1,
            defaults={
                "engineer_day_cost": ENGINEER_DAY_COST,
                "currency": "EUR",
                "program_yearly_cost": PROGRAM_YEARLY_COST,
                "updated_at": self.base - timedelta(days=30),
                "updated_by": office,
            },
        )
        overrides = 0
        for kind, reason in OVERRIDES:
            asset = (
                Asset.objects.filter(kind=kind, adoptions__isnull=False)
                .select_related("project")
                .order_by("pk")
                .first()
            )
            if asset is None:
                continue
            asset.effort_days_override = Decimal(rng.choice([60, 90, 120]))
            asset.effort_override_reason = reason
            asset.save(update_fields=["effort_days_override", "effort_override_reason"])
            owner = ProjectRole.objects.filter(project=asset.project, role=ProjectRole.Role.OWNER).first()
            ProjectChange.objects.create(
                project=asset.project,
                actor=owner.user if owner else office,
                action=ProjectChange.Action.EDITED,
                note=f"set the build effort of {asset.name} to {asset.effort_days_override} engineer-days: {reason}",
                changed_fields={"estimated_effort_days": ["", str(asset.effort_days_override)]},
                created_at=self.base - timedelta(days=rng.uniform(20, 60)),
            )
            overrides += 1
        self.counts["repositories with counted code"] = len(repositories)
        self.counts["build efforts set by maintainers"] = overrides
