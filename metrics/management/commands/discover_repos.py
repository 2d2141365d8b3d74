"""python manage.py discover_repos --org ORG [--topic TOPIC] --business-unit SLUG"""

from django.core.management.base import BaseCommand, CommandError

from catalog.models import BusinessUnit
from metrics.sync.discovery import DEFAULT_TOPIC, repositories_discover
from metrics.sync.http import ForgeError, RateLimited


class Command(BaseCommand):
    help = (
        "Register the GitHub organisation's repositories that carry a topic as projects waiting for the "
        "program office's review (repositories already in the catalog are skipped)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the GitHub organisation (or user) to search")
        parser.add_argument(
            "--topic", default=DEFAULT_TOPIC, help=f"the repository topic (default {DEFAULT_TOPIC})"
        )
        parser.add_argument(
            "--business-unit",
            required=True,
            dest="business_unit",
            help="slug of the business unit to file them under",
        )

    def handle(self, *args, org, topic, business_unit, **options):
        unit = BusinessUnit.objects.filter(slug=business_unit).first()
        if unit is None:
            known = ", ".join(BusinessUnit.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No business unit with the slug {business_unit!r} (known: {known}).")
        try:
            results = repositories_discover(org=org, topic=topic, business_unit=unit)
        except RateLimited as error:
            raise CommandError(
                f"GitHub's rate limit: try again after {error.retry_at:%Y-%m-%d %H:%M} UTC."
            ) from error
        except ForgeError as error:
            raise CommandError(f"The search failed: {error}") from error
        for result in results:
            if result.created:
                self.stdout.write(
                    f"created: {result.full_name} → project {result.project.slug} (pending review)"
                )
            else:
                self.stdout.write(f"skipped: {result.full_name} (already in the catalog)")
        created = sum(r.created for r in results)
        self.stdout.write(f"{created} created, {len(results) - created} skipped (org {org}, topic {topic}).")
