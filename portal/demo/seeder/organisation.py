"""The demo's organisation: business units, people and the topic and language vocabularies."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import Group

from catalog.models import BusinessUnit, Language, Topic
from community.models import Practitioner, UnitSource
from portal.demo import words as data
from portal.demo.reset import EMAIL_DOMAIN
from portal.demo.seeder.base import SeederBase, User, digest

PEOPLE = 200


class OrganisationSteps(SeederBase):
    """Units, people (with their profiles and verified addresses) and the vocabularies."""

    def create_units(self) -> None:
        units = BusinessUnit.objects.bulk_create([BusinessUnit(name=u.name, slug=u.slug) for u in data.UNITS])
        self.units = {unit.slug: unit for unit in units}
        self.counts["business units"] = len(units)

    def create_people(self) -> None:
        rng = self.rng
        known = {account.username: account for account in data.KNOWN_ACCOUNTS}
        # The known accounts come first; everyone else is a unique first/last pair spread evenly over units.
        rows = [(a.username, a.first_name, a.last_name, a.unit, a.team) for a in data.KNOWN_ACCOUNTS]
        pairs = rng.sample([(f, la) for f in data.FIRST_NAMES for la in data.LAST_NAMES], PEOPLE - len(rows))
        unit_cycle = [u.slug for u in data.UNITS] * (PEOPLE // len(data.UNITS) + 1)
        rng.shuffle(unit_cycle)
        for (first, last), unit in zip(pairs, unit_cycle, strict=False):
            rows.append(
                (f"{first}.{last}".lower(), first, last, unit, rng.choice(self.unit_specs[unit].teams))
            )
        users, profiles, github_logins = [], [], set()
        for username, first, last, unit, team in rows:
            account = known.get(username)
            kind = account.kind if account else "practitioner"
            # A fixed salt keeps reruns identical; the known passwords are printed for everyone anyway.
            password = UNUSABLE_PASSWORD_PREFIX + digest(username, 40)
            if account:
                password = make_password(account.password, salt=digest(username, 24))
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@{EMAIL_DOMAIN}",
                password=password,
                is_staff=kind != "practitioner",
                is_superuser=kind == "superuser",
                date_joined=self.ago(rng.uniform(30, 1600)),
            )
            users.append(user)
            self.people[unit].append(user)
            bio = f"{rng.choice(data.JOB_TITLES)} in {team}. {rng.choice(data.BIO_ENDINGS)}"
            github, suffix = "", 2
            if rng.random() < 0.7:
                github = f"{first[0]}{last}".lower()
                while github in github_logins:
                    github, suffix = f"{first[0]}{last}{suffix}".lower(), suffix + 1
                github_logins.add(github)
            profiles.append(
                Practitioner(
                    user=user,
                    display_name=f"{first} {last}",
                    # The demo company's people come from its organisation directory: trusted units.
                    business_unit=self.units[unit],
                    business_unit_source=UnitSource.DIRECTORY,
                    team=team,
                    bio=account.bio if account else bio,
                    # Proven: the demo company's people signed in with GitHub once.
                    github_login=github,
                    github_login_verified=bool(github),
                )
            )
        User.objects.bulk_create(users)
        Practitioner.objects.bulk_create(profiles)  # picks up the users' new primary keys
        self.known = {user.username: user for user in users if user.username in known}
        office, _ = Group.objects.get_or_create(name=settings.PROGRAM_OFFICE_GROUP)
        office.user_set.add(self.known["admin"], self.known["office"])
        # Everyone's company address, verified (by the company sign-on): allauth logs the known accounts in
        # through these rows, and commits under an address count only for the person who verified it.
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email.lower(), verified=True, primary=True) for u in users]
        )
        self.counts["people"] = len(users)

    def create_vocabulary(self) -> None:
        # Reuse the topics and languages that exist already: other data may have created some.
        vocabularies = ((Topic, data.TOPICS, self.topics), (Language, data.LANGUAGES, self.languages))
        for model, names, target in vocabularies:
            existing = {obj.name.lower() for obj in model.objects.all()}
            model.objects.bulk_create([model(name=n) for n in names if n.lower() not in existing])
            by_name = {obj.name.lower(): obj for obj in model.objects.all()}
            target.update({name: by_name[name.lower()] for name in names})
