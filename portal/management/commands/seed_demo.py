"""`manage.py seed_demo`: a believable demo organisation, Acme Group, so that every page has content."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from catalog.models import Project
from portal.demo import words as data
from portal.demo.reset import EMAIL_DOMAIN, demo_present, demo_reset, demo_slugs
from portal.demo.seeder import PRESENT_MESSAGE, DemoSeeder


class Command(BaseCommand):
    help = "Create a deterministic demo organisation (Acme Group) so every page of the portal has content."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo rows first, then reseed.")

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        started = time.monotonic()
        # The demo people are fictional: their addresses are under acme.example, which nothing delivers
        # to (catalog.notifications.deliverable), so their notifications stay on the site.
        with transaction.atomic():
            if reset:
                demo_reset()
            elif demo_present():
                self.stdout.write(PRESENT_MESSAGE)
                return
            counts = DemoSeeder().run()
        listed = Project.objects.listed().filter(slug__in=demo_slugs()[1]).count()
        summary = ", ".join(f"{number} {label}" for label, number in counts.items())
        logins = ", ".join(f"{a.username}@{EMAIL_DOMAIN} / {a.password}" for a in data.KNOWN_ACCOUNTS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded Acme Group in {time.monotonic() - started:.1f} s: {summary} ({listed} projects listed,"
                f" {counts['projects'] - listed} in review). Log in with {logins}."
            )
        )
