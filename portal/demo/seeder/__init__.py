"""Writes the demo organisation, Acme Group, so that every page of the portal has content.

The demo ends when it is seeded: every moment is counted back from the moment `seed_demo` runs (the
seeder's `base`, read from the clock once, to the whole second), so the dashboards opened right after
`make run` show activity up to today. The layout is deterministic relative to that moment: one
`random.Random(SEED)` drives every choice, and nothing else reads the clock, so two runs on empty
databases at the same moment write identical rows, and runs on different days write the same rows
shifted by the days between them. The words live in portal/demo/words.py and the projects in
portal/demo/projects.py.

The steps live by what they write: `organisation` (units, people, vocabularies), `projects` (projects,
roles, history, notifications), `repositories` and `assets` (assets and adoptions), `manifests` (adoptions
found in code) and `value` (code sizes, the program office's costs, efforts set by hand); `base` holds the
state they share.
"""

from catalog.meaning import entries_embed
from catalog.radar.services import radar_run
from catalog.search_index import entries_rebuild_all
from catalog.services import project_score_refresh
from metrics.demo import demo_activity_seed
from metrics.demo_usage import demo_usage_seed
from metrics.models import ReportSnapshot
from portal.demo.community import demo_community_seed
from portal.demo.seeder.assets import AssetSteps
from portal.demo.seeder.manifests import ManifestSteps
from portal.demo.seeder.organisation import OrganisationSteps
from portal.demo.seeder.projects import ProjectSteps
from portal.demo.seeder.repositories import RepositorySteps
from portal.demo.seeder.value import ValueSteps

# The demo ends when it was seeded: the message says how to bring it up to today.
PRESENT_MESSAGE = (
    "Demo data already present; nothing to do. Its activity ends when it was seeded: "
    "`manage.py seed_demo --reset` writes it anew, ending now."
)


class DemoSeeder(OrganisationSteps, ProjectSteps, RepositorySteps, AssetSteps, ManifestSteps, ValueSteps):
    """Writes the organisation in dependency order; every step draws from the one shared generator."""

    def run(self) -> dict[str, int]:
        self.create_units()
        self.create_people()
        self.create_vocabulary()
        self.create_projects()
        self.create_roles()
        self.create_repositories()
        self.create_assets()
        self.create_adoptions()
        self.create_history()
        self.create_notifications()
        self.counts.update(demo_activity_seed(rng=self.rng, base=self.base))
        self.counts.update(demo_community_seed(rng=self.rng, base=self.base))
        self.counts.update(demo_usage_seed(rng=self.rng, base=self.base))
        # After the draws above, so that adding it changed none of the demo's other rows.
        self.create_manifests()
        self.create_consumer_digest()
        self.create_value()  # after every other draw, for the same reason
        # Scores need the repositories; refreshing them also rebuilds each project's search entries.
        for _, project in self.projects:
            project_score_refresh(project=project, now=self.base)
        entries_rebuild_all()
        # The radar of re-built wheels reads the vectors: embedded here rather than by the worker tasks
        # the rebuild queued (which then find nothing left to do), so that the radar is not empty.
        entries_embed()
        self.counts["duplicate clusters"] = radar_run(now=self.base).clusters
        # Dashboards computed before (of an earlier demo, by `--reset`) would be served as they are
        # until they are stale: they are a cache of figures that have all changed.
        ReportSnapshot.objects.all().delete()
        return self.counts
