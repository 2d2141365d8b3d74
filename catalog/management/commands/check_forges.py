"""python manage.py check_forges [--fix]

Repositories registered before the forge came from the host were told apart by a word in their URL.
No migration re-derives them: a migration runs once, with whatever settings the migrating process
has (often not the web's), and cannot tell a forge a person chose from one the word rule guessed. This
command compares the stored forges with the hosts under the settings of now, and changes only what a
configured host decides.
"""

from django.core.management.base import BaseCommand

from catalog.repositories import repository_forges_check


class Command(BaseCommand):
    help = (
        "List the repositories whose stored forge their host contradicts (github.com, gitlab.com, the "
        "configured GitHub Enterprise and GitLab hosts) and, with --fix, give them their host's forge. "
        "GitHub or GitLab repositories on other hosts are listed, never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="give contradicted repositories their host's forge"
        )

    def handle(self, *args, **options):
        check = repository_forges_check(fix=options["fix"])
        if check.contradicting:
            self.stdout.write("Repositories whose host says another forge:")
            for repository, forge in check.contradicting:
                self.stdout.write(f"  {repository.url}: {repository.forge} → {forge}")
            count = len(check.contradicting)
            if options["fix"]:
                self.stdout.write(f"{count} repositor{'y' if count == 1 else 'ies'} changed.")
            else:
                self.stdout.write("Nothing changed: run again with --fix to change them.")
        if check.undecided:
            self.stdout.write(
                "GitHub or GitLab repositories on hosts the portal does not know (kept as they are: a forge "
                "chosen on the project's form, or read from a word in the URL before; correct them on the "
                "project's edit page, or configure the host):"
            )
            for repository in check.undecided:
                self.stdout.write(f"  {repository.url}: {repository.forge}")
        if not check.contradicting and not check.undecided:
            self.stdout.write("Every repository's forge agrees with its host.")
