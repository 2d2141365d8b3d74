"""The demo's projects: their registrations, roles, history and the notifications they caused."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from django.utils.text import slugify

from catalog.models import Lifecycle, Notification, Project, ProjectChange, ProjectRole, ReviewStatus
from catalog.readiness import READINESS_KEYS
from portal.demo import words as data
from portal.demo.projects import PROJECTS
from portal.demo.seeder.base import RETIRED, Action, Role, SeederBase, duration


class ProjectSteps(SeederBase):
    """Projects in every review state and lifecycle, who holds which role, and what happened to them."""

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
