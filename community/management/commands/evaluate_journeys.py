"""python manage.py evaluate_journeys: re-evaluate everyone's journey stage and participation now."""

from django.core.management.base import BaseCommand

from community.journey import everyone_evaluate


class Command(BaseCommand):
    help = (
        "Re-evaluate every active person's journey stage and participation level now, in this process "
        "(what the nightly task does), and print how many stages changed."
    )

    def handle(self, *args, **options):
        changes = everyone_evaluate()
        self.stdout.write(f"{changes} stage change{'' if changes == 1 else 's'}.")
