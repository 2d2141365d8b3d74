"""Writes the demo organisation, Acme Group, so that every page of the portal has content.

The demo ends when it is seeded: every moment is counted back from the moment `seed_demo` runs (the
seeder's `base`, read from the clock once, to the whole second), so the dashboards opened right after
`make run` show activity up to today. The layout is deterministic relative to that moment: one
`random.Random(SEED)` drives every choice, and nothing else reads the clock, so two runs on empty
databases at the same moment write identical rows, and runs on different days write the same rows
shifted by the days between them. The words live in portal/demo/words.py and the projects in
portal/demo/projects.py.
"""

import hashlib
import random
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.contrib.auth.models import AbstractUser, Group
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    Forge,
    Language,
    Lifecycle,
    Notification,
    Project,
    ProjectChange,
    ProjectRole,
    Repository,
    ReviewStatus,
    Topic,
)
from catalog.readiness import READINESS_KEYS
from catalog.search_index import entries_rebuild_all
from catalog.services import project_score_refresh
from community.models import Practitioner, UnitSource
from metrics.demo import demo_activity_seed
from metrics.demo_usage import demo_usage_seed
from metrics.models import ReportSnapshot
from portal.demo import words as data
from portal.demo.community import demo_community_seed
from portal.demo.projects import PROJECTS
from portal.demo.reset import EMAIL_DOMAIN

SEED = 2026

PEOPLE = 200
ADOPTIONS = 400
# The demo ends when it was seeded: the message says how to bring it up to today.
PRESENT_MESSAGE = (
    "Demo data already present; nothing to do. Its activity ends when it was seeded: "
    "`manage.py seed_demo --reset` writes it anew, ending now."
)

User = get_user_model()
Role = ProjectRole.Role
Action = ProjectChange.Action
RETIRED = (Lifecycle.DEPRECATED, Lifecycle.ARCHIVED)


def duration(days: float) -> timedelta:
    """A span of whole seconds, so that the generated moments carry no microsecond noise."""
    return timedelta(seconds=int(days * 86400))


def digest(text: str, length: int) -> str:
    """Stands in for the random strings Django would draw, so that reruns write the same bytes."""
    return hashlib.sha256(f"seed-demo:{text}".encode()).hexdigest()[:length]


class DemoSeeder:
    """Writes the organisation in dependency order; every step draws from the one shared generator."""

    def __init__(self, *, now: datetime | None = None) -> None:
        # The moment the demo ends: whole seconds, like every moment drawn from it (see `duration`).
        self.base = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
        self.rng = random.Random(SEED)
        self.unit_specs = {u.slug: u for u in data.UNITS}
        self.units: dict[str, BusinessUnit] = {}
        self.people: dict[str, list[AbstractUser]] = {u.slug: [] for u in data.UNITS}
        self.known: dict[str, AbstractUser] = {}
        self.topics: dict[str, Topic] = {}
        self.languages: dict[str, Language] = {}
        self.projects: list[tuple[data.ProjectSpec, Project]] = []
        self.owners: dict[str, AbstractUser] = {}  # by project slug
        self.assets: list[Asset] = []
        self.counts: dict[str, int] = {}

    def ago(self, days: float) -> datetime:
        return self.base - duration(days)

    def not_after_base(self, moment: datetime) -> datetime:
        return min(moment, self.base - timedelta(hours=1))

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
        # Scores need the repositories; refreshing them also rebuilds each project's search entries.
        for _, project in self.projects:
            project_score_refresh(project=project, now=self.base)
        entries_rebuild_all()
        # Dashboards computed before (of an earlier demo, by `--reset`) would be served as they are
        # until they are stale: they are a cache of figures that have all changed.
        ReportSnapshot.objects.all().delete()
        return self.counts

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

    def pick(self, pool: list[AbstractUser], exclude: list[AbstractUser]) -> AbstractUser:
        return self.rng.choice([person for person in pool if person not in exclude])

    def create_projects(self) -> None:
        rng = self.rng
        busy = list(self.known.values())  # the known accounts own only what they are meant to
        projects = []
        for spec in PROJECTS:
            slug = slugify(spec.name)
            status = ReviewStatus.PENDING if spec.name in data.PENDING_PROJECTS else ReviewStatus.APPROVED
            status = ReviewStatus.CHANGES_REQUESTED if spec.name in data.CHANGES_REQUESTED else status
            if status != ReviewStatus.APPROVED:
                lifecycle, created_at = Lifecycle.PROPOSED, self.ago(rng.uniform(2, 25))
            else:
                usual = [Lifecycle.ACTIVE, Lifecycle.MAINTAINED, Lifecycle.INCUBATING]
                lifecycle = data.LIFECYCLE_OVERRIDES.get(spec.name) or rng.choices(usual, [50, 33, 17])[0]
                # Incubating projects are young; the others spread over the past three years.
                young = lifecycle == Lifecycle.INCUBATING
                created_at = self.ago(rng.uniform(45, 300) if young else rng.uniform(120, 1095))
            if spec.name in data.DEV_PROJECTS:
                self.owners[slug] = self.known["dev"]
            else:
                self.owners[slug] = self.pick(self.people[spec.unit], busy)
                busy.append(self.owners[slug])
            licence = rng.choices(["Apache-2.0", "MIT", "Proprietary (internal)"], [75, 20, 5])[0]
            licence = "Proprietary (internal)" if spec.name in data.PROPRIETARY_PROJECTS else licence
            contributions, skills = "", []
            if lifecycle not in RETIRED and rng.random() < 0.65:
                first, second = rng.sample(data.CONTRIBUTION_ASKS, 2)
                contributions = data.CONTRIBUTIONS_WANTED.format(first=first, second=second, channel=slug)
                topic_skills = [data.TOPIC_SKILLS[t] for t in spec.topics.split() if t in data.TOPIC_SKILLS]
                skills = list(dict.fromkeys(spec.languages.split()[:2] + topic_skills[:2]))
                skills += ["Technical writing"] if rng.random() < 0.3 else []
            # Placeholders until create_repositories knows the main repository's forge and branch.
            repo_base = f"https://git.acme.example/{self.unit_specs[spec.unit].repo_owner}/{slug}"
            # The registration that was sent back lacks a channel: its review note asks for one.
            has_channel = status != ReviewStatus.CHANGES_REQUESTED and rng.random() < 0.85
            project = Project(
                name=spec.name,
                slug=slug,
                description=spec.description,
                motivation=spec.motivation,
                business_unit=self.units[spec.unit],
                lifecycle=lifecycle,
                license=licence,
                docs_url=f"{repo_base}/wiki" if rng.random() < 0.9 else "",
                contributing_url=f"{repo_base}/blob/main/CONTRIBUTING.md" if rng.random() < 0.7 else "",
                communication_url=f"https://chat.acme.example/#{slug}" if has_channel else "",
                skills_wanted=skills,
                contributions_wanted=contributions,
                declared_readiness=[k for k in READINESS_KEYS if rng.random() < data.FILE_ODDS.get(k, 0.35)],
                review_status=status,
                review_note=data.CHANGES_REQUESTED.get(spec.name, ""),
                featured=spec.name in data.FEATURED_PROJECTS,
                created_by=self.owners[slug],
                created_at=created_at,
            )
            curated = lifecycle in (Lifecycle.ACTIVE, Lifecycle.MAINTAINED) and rng.random() < 0.2
            project.verified = project.featured or curated
            projects.append(project)
        self.projects = list(zip(PROJECTS, Project.objects.bulk_create(projects), strict=True))
        topics = [(p, self.topics[name]) for s, p in self.projects for name in s.topics.split()]
        languages = [(p, self.languages[name]) for s, p in self.projects for name in s.languages.split()]
        topic_link, language_link = Project.topics.through, Project.languages.through
        topic_link.objects.bulk_create([topic_link(project=p, topic=t) for p, t in topics])
        language_link.objects.bulk_create([language_link(project=p, language=lang) for p, lang in languages])
        self.counts["projects"] = len(projects)

    def create_roles(self) -> None:
        rng = self.rng
        everyone = [p for people in self.people.values() for p in people if p not in self.known.values()]
        roles = []
        for spec, project in self.projects:
            owner = self.owners[project.slug]
            taken = [owner, self.known["admin"], self.known["office"]]
            start = project.created_at
            roles.append(ProjectRole(project=project, user=owner, role=Role.OWNER, created_at=start))
            # Mostly colleagues from the host unit; now and then someone from elsewhere joins.
            for role, count, home_odds in (
                (Role.MAINTAINER, rng.randint(1, 2), 0.85),
                (Role.TRUSTED_COMMITTER, rng.choice([0, 1, 1, 2, 2, 3]), 0.7),
            ):
                for _ in range(count):
                    pool = self.people[spec.unit] if rng.random() < home_odds else everyone
                    person = self.pick(pool, taken)
                    taken.append(person)
                    since = self.not_after_base(start + duration(rng.uniform(0, 200)))
                    roles.append(ProjectRole(project=project, user=person, role=role, created_at=since))
        ProjectRole.objects.bulk_create(roles)
        self.counts["roles"] = len(roles)

    def participation(self, busy: float, lifecycle: str, created: datetime) -> list[int]:
        """52 weekly commit counts, oldest first: none before the repository existed, fading when retired."""
        weeks = []
        for week in range(52):
            mean = max(0.0, 4 * (1 - week / 30)) if lifecycle in RETIRED else busy * 18
            started = self.base - timedelta(weeks=52 - week) >= created
            weeks.append(max(0, round(self.rng.gauss(mean, mean / 2))) if started else 0)
        return weeks

    def create_repositories(self) -> None:
        rng = self.rng
        broken_project, broken_name, broken_error = data.BROKEN_REPOSITORY
        repositories, synced_projects = [], 0
        for spec, project in self.projects:
            owner = self.unit_specs[spec.unit].repo_owner
            forge = rng.choices([Forge.GITHUB, Forge.GITLAB, Forge.GIT], [75, 18, 7])[0]
            if spec.name == broken_project:
                forge = Forge.GITHUB  # its error message is GitHub's
            # Plain git hosts have no API to sync from. All statistics came with the import from the
            # previous portal, which is why repositories that were never synced have some too.
            synced = forge != Forge.GIT and rng.random() < 0.76
            synced_projects += synced
            names = [(project.slug, project.description)]
            if spec.name == broken_project:
                names.append((broken_name, f"The rules engine that {spec.name} replaced."))
            elif rng.random() < 0.3:
                suffix, template = rng.choice(data.SECOND_REPOSITORIES)
                names.append((project.slug + suffix, template.format(name=spec.name)))
            quiet_days, busy_range = data.ACTIVITY[project.lifecycle]
            if (project.featured or project.verified) and project.lifecycle not in RETIRED:
                # What the office features or verifies is worked on now: its recent activity
                # (metrics.demo) matches a repository updated in the last days.
                quiet_days = (quiet_days[0], min(quiet_days[1], 10))
            busy = max(rng.uniform(*busy_range), 0.7 if project.featured else 0)
            young = project.lifecycle in (Lifecycle.PROPOSED, Lifecycle.INCUBATING)
            for index, (name, description) in enumerate(names):
                scale = 1.0 if index == 0 else 0.2  # a side repository is quieter than the main one
                created = project.created_at - duration(rng.uniform(0, 60 if young else 400))
                updated = max(created, self.ago(rng.uniform(*quiet_days)))
                stars = int((3 + busy**2 * rng.uniform(150, 450)) * scale)
                bonus = 0.2 if project.verified else 0
                files = [f for f, odds in data.FILE_ODDS.items() if rng.random() < odds + bonus]
                last_synced = self.ago(rng.uniform(0.05, 0.8)) if synced and name != broken_name else None
                repositories.append(
                    Repository(
                        project=project,
                        forge=forge,
                        url=data.FORGE_URLS[forge].format(owner=owner, name=name),
                        full_name=f"{owner}/{name}",
                        default_branch="main" if rng.random() < 0.85 else "master",
                        description=description,
                        stars=stars,
                        forks=int(stars * rng.uniform(0.08, 0.35)),
                        watchers=int(2 + stars * rng.uniform(0.05, 0.2)),
                        open_issues=int(rng.uniform(0, 8 + 40 * busy) * scale),
                        license="" if project.license.startswith("Proprietary") else project.license,
                        topics=spec.topics.split(),
                        participation=self.participation(busy * scale, project.lifecycle, created),
                        files_present=files,
                        has_good_first_issues=rng.random() < 0.25 + 0.3 * busy,
                        forge_created_at=created,
                        forge_updated_at=updated,
                        forge_pushed_at=max(created, updated - duration(rng.uniform(0, 2))),
                        last_synced_at=last_synced,
                        last_error=broken_error if name == broken_name else "",
                    )
                )
            main = repositories[-len(names)]
            self.link_documents(
                project, forge=forge, owner=owner, name=project.slug, branch=main.default_branch
            )
        Repository.objects.bulk_create(repositories)
        Project.objects.bulk_update([p for _spec, p in self.projects], ["docs_url", "contributing_url"])
        self.counts["repositories"] = len(repositories)
        self.counts["projects synced"] = synced_projects

    @staticmethod
    def link_documents(project: Project, *, forge: str, owner: str, name: str, branch: str) -> None:
        """The project's wiki and CONTRIBUTING.md where its main repository's forge shows them, on its
        default branch: the links work on the forge, and SAP's page builds the same contribution link
        from the repository URL, branch and path (the export's guidelines)."""
        url = data.FORGE_URLS[forge].format(owner=owner, name=name)
        if forge == Forge.GITHUB:
            wiki, contributing = f"{url}/wiki", f"{url}/blob/{branch}/CONTRIBUTING.md"
        elif forge == Forge.GITLAB:
            wiki, contributing = f"{url}/-/wikis/home", f"{url}/-/blob/{branch}/CONTRIBUTING.md"
        else:  # a Bitbucket Server style host: clones under /scm/, pages under /projects/
            browse = f"https://git.acme.example/projects/{owner.upper()}/repos/{name}"
            wiki = f"https://wiki.acme.example/display/{owner.upper()}/{name}"
            contributing = f"{browse}/browse/CONTRIBUTING.md?at=refs/heads/{branch}"
        project.docs_url = wiki if project.docs_url else ""
        project.contributing_url = contributing if project.contributing_url else ""

    def create_assets(self) -> None:
        rng = self.rng
        assets: list[Asset] = []
        asset_languages: list[list[str]] = []
        updated: list[datetime] = []
        for spec, project in self.projects:
            languages = spec.languages.split()
            age_days = (self.base - project.created_at).days
            for entry in spec.assets:
                kind, name = entry.split(":", 1)
                slug = data.asset_slug(name)
                asset_languages.append(data.asset_languages(name, languages))
                url = data.asset_url(kind, slug, project.slug, (asset_languages[-1] or languages)[0])
                created = project.created_at + duration(rng.uniform(0, min(180, age_days / 2)))
                description = rng.choice(data.ASSET_DESCRIPTIONS[kind])
                assets.append(
                    Asset(
                        project=project,
                        name=name,
                        slug=slug,
                        kind=kind,
                        description=description.format(asset=name, project=spec.name),
                        url=url,
                        created_at=created,
                    )
                )
                updated.append(self.not_after_base(created + duration(rng.uniform(0, 120))))
        self.assets = Asset.objects.bulk_create(assets)
        # bulk_create let auto_now stamp the clock on updated_at; bulk_update writes the seeded moments back.
        for asset, moment in zip(self.assets, updated, strict=True):
            asset.updated_at = moment
        Asset.objects.bulk_update(self.assets, ["updated_at"])
        link = Asset.languages.through
        own = zip(self.assets, asset_languages, strict=True)
        link.objects.bulk_create(
            [link(asset=a, language=self.languages[n]) for a, names in own for n in names]
        )
        self.counts["assets"] = len(self.assets)

    def create_adoptions(self) -> None:
        rng = self.rng
        project_of = {project.pk: (spec, project) for spec, project in self.projects}
        listed = [a for a in self.assets if project_of[a.project_id][1].is_listed]
        # A long tail: the popular assets are used by dozens of teams across units, most by a handful.
        rng.shuffle(listed)
        listed.sort(key=lambda a: data.POPULAR_ASSETS.index(a.name) if a.name in data.POPULAR_ASSETS else 99)
        cum_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(listed))))
        base_day = self.base.date()
        taken: set[tuple[int, str, str]] = set()
        adoptions: list[Adoption] = []
        for _ in range(ADOPTIONS * 20):  # draws that repeat a team are skipped, so allow many
            if len(adoptions) == ADOPTIONS:
                break
            asset = rng.choices(listed, cum_weights=cum_weights)[0]
            spec, project = project_of[asset.project_id]
            others = [u.slug for u in data.UNITS if u.slug != spec.unit]
            unit = self.unit_specs[spec.unit if rng.random() < 0.2 else rng.choice(others)]
            team = rng.choice(unit.teams)
            if (asset.pk, unit.slug, team) in taken:
                continue
            taken.add((asset.pk, unit.slug, team))
            earliest = max(asset.created_at.date(), base_day - timedelta(days=730))
            since = earliest + timedelta(days=rng.randint(0, max(0, (base_day - earliest).days - 1)))
            ended_on: date | None = None
            if rng.random() < (0.5 if project.lifecycle in RETIRED else 0.1) and (base_day - since).days > 30:
                ended_on = since + timedelta(days=rng.randint(30, (base_day - since).days - 1))
            # Declared on a working morning of the day the team started using the asset.
            declared = datetime(since.year, since.month, since.day, 9, tzinfo=UTC)
            adoptions.append(
                Adoption(
                    asset=asset,
                    business_unit=self.units[unit.slug],
                    team=team,
                    product=rng.choice(unit.products) if rng.random() < 0.8 else "",
                    since=since,
                    ended_on=ended_on,
                    created_by=rng.choice(self.people[unit.slug]),
                    created_at=declared + timedelta(minutes=rng.randint(0, 180)),
                )
            )
        Adoption.objects.bulk_create(adoptions)
        self.counts["adoptions"] = len(adoptions)

    def create_history(self) -> None:
        """Registered, reviewed, curated, edited, archived: the history the project pages show."""
        rng = self.rng
        office, admin = self.known["office"], self.known["admin"]
        changes: list[ProjectChange] = []

        def log(project: Project, actor: AbstractUser, action: str, at: datetime, **extra: Any) -> datetime:
            at = self.not_after_base(at)
            changes.append(ProjectChange(project=project, actor=actor, action=action, created_at=at, **extra))
            return at

        for _, project in self.projects:
            owner = self.owners[project.slug]
            moments = [log(project, owner, Action.REGISTERED, project.created_at)]
            if project.review_status == ReviewStatus.CHANGES_REQUESTED:
                note = project.review_note
                moments.append(
                    log(project, office, Action.CHANGES_REQUESTED, moments[0] + duration(1), note=note)
                )
            if project.review_status == ReviewStatus.APPROVED:
                reviewer = office if rng.random() < 0.8 else admin
                approved = log(project, reviewer, Action.APPROVED, moments[0] + duration(rng.uniform(0.2, 6)))
                moments.append(approved)
                for flag, action in (("verified", Action.VERIFIED), ("featured", Action.FEATURED)):
                    if getattr(project, flag):
                        curated = approved + duration(rng.uniform(14, 200))
                        moments.append(log(project, office, action, curated))
                if project.contributions_wanted:
                    edited = approved + duration(rng.uniform(1, 300))
                    fields = {"contributions_wanted": ["", project.contributions_wanted]}
                    moments.append(log(project, owner, Action.EDITED, edited, changed_fields=fields))
                if project.lifecycle == Lifecycle.ARCHIVED:
                    note = "No longer maintained; the description says what replaced it."
                    archived = max(approved + duration(1), self.ago(rng.uniform(30, 120)))
                    moments.append(log(project, owner, Action.ARCHIVED, archived, note=note))
            project.updated_at = max(moments)
        ProjectChange.objects.bulk_create(changes)
        # bulk_create let auto_now stamp the clock on updated_at; write the seeded moments back.
        Project.objects.bulk_update([project for _, project in self.projects], ["updated_at"])
        self.counts["changes"] = len(changes)

    def create_notifications(self) -> None:
        """What project_register and project_review would have told people, so the inbox is not empty."""
        notes: list[tuple[Notification, datetime]] = []
        for _, project in self.projects:
            if project.review_status == ReviewStatus.PENDING:
                message, url = f"New registration to review: {project.name}", reverse("catalog:review_queue")
                for reviewer in (self.known["admin"], self.known["office"]):
                    notes.append((Notification(user=reviewer, message=message, url=url), project.created_at))
            elif project.review_status == ReviewStatus.CHANGES_REQUESTED:
                message = f"Your project {project.name} was sent back: changes requested."
                note = Notification(
                    user=self.owners[project.slug], message=message, url=project.get_absolute_url()
                )
                notes.append((note, project.updated_at))
        created = Notification.objects.bulk_create([note for note, _ in notes])
        for note, (_, at) in zip(created, notes, strict=True):
            note.created_at = at  # auto_now_add stamped the clock
        Notification.objects.bulk_update(created, ["created_at"])
