"""python manage.py sync_repos [--project SLUG] [--full]: sync repositories now, in this process."""

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Project, Repository
from metrics.sync.http import ForgeError, RateLimited
from metrics.sync.runner import repository_sync, repository_sync_failed


class Command(BaseCommand):
    help = "Sync repository activity from GitHub, GitLab and git now, showing progress per repository."

    def add_arguments(self, parser):
        parser.add_argument("--project", help="only the repositories of this project (its slug)")
        parser.add_argument(
            "--full", action="store_true", help="ignore cursors and ETags: read everything again"
        )

    def handle(self, *args, project=None, full=False, **options):
        repositories = Repository.objects.select_related("project").order_by("pk")
        if project:
            if not Project.objects.filter(slug=project).exists():
                raise CommandError(f"No project with the slug {project!r}.")
            repositories = repositories.filter(project__slug=project)
        else:
            repositories = repositories.filter(
                project__review_status="approved", project__merged_into__isnull=True
            )
        total = repositories.count()
        failures = 0
        for n, repository in enumerate(repositories.iterator(), start=1):
            prefix = f"[{n}/{total}] {repository}"
            try:
                outcome = repository_sync(repository=repository, full=full)
            except RateLimited as error:
                failures += 1
                repository_sync_failed(repository=repository, error=str(error), retry_at=error.retry_at)
                self.stdout.write(f"{prefix}: rate limited until {error.retry_at:%Y-%m-%d %H:%M} UTC")
                continue
            except ForgeError as error:
                failures += 1
                repository_sync_failed(repository=repository, error=str(error))
                self.stdout.write(f"{prefix}: failed: {error}")
                continue
            if outcome.unchanged:
                self.stdout.write(
                    f"{prefix}: unchanged ({outcome.requests} request{'s' * (outcome.requests != 1)})"
                )
            else:
                self.stdout.write(f"{prefix}: {outcome.records} records in {outcome.requests} requests")
        self.stdout.write(f"Synced {total - failures} of {total} repositories.")
        if failures and failures == total:
            raise CommandError(f"All {total} repositories failed to sync; see the errors above.")
