"""The people side of the demo: skills, rules acceptances, memberships and kudos are written as inputs;
stages, participation levels and badges are then derived from them and from the demo's activity by the
community app's own evaluation (community.journey.everyone_evaluate), never set by hand."""

import random
from datetime import datetime, timedelta

from django.db.models import Count, F

from catalog.models import Project, ProjectRole
from community.journey import everyone_evaluate
from community.models import Kudos, Membership, Practitioner, RulesAcceptance, RulesVersion, Skill
from metrics.models import PullRequest
from portal.demo import words
from portal.models import Notification

KUDOS_MESSAGES = (
    "Thank you for the careful review, it caught a bug before release.",
    "Your fix saved our team a week. Thank you!",
    "Great first contribution, and a clear pull request description.",
    "Thanks for answering our question so quickly.",
    "The docs you wrote made onboarding painless.",
    "Thank you for pairing with us on the migration.",
)
EXTRA_SKILLS = ("Python", "Java", "Go", "TypeScript", "Kotlin", "SQL", "Code review", "Mentoring")


def demo_community_seed(*, rng: random.Random, base: datetime) -> dict[str, int]:
    skills = _skills_create()
    people = list(Practitioner.objects.select_related("user").order_by("pk"))
    for person in people:
        person.interests = rng.sample(words.TOPICS, k=rng.randint(1, 3))
    Practitioner.objects.bulk_update(people, ["interests"], batch_size=500)
    through = Practitioner.skills.through
    through.objects.bulk_create(
        [
            through(practitioner_id=person.pk, skill_id=skill.pk)
            for person in people
            for skill in rng.sample(skills, k=rng.randint(1, 4))
        ]
    )

    # Most people accepted the rules a while ago; a fifth has not yet (they stay Explorers).
    rules = RulesVersion.objects.order_by("-version").first()
    accepted = [p for p in people if rng.random() < 0.8]
    if rules:
        RulesAcceptance.objects.bulk_create(
            [
                RulesAcceptance(
                    user_id=p.user_id, rules=rules, accepted_at=base - timedelta(days=rng.uniform(30, 600))
                )
                for p in accepted
            ]
        )

    # People join the communities they work in: the project's people, the authors of its merged
    # requests (linked accounts), and a few curious visitors.
    listed = {p.pk: p for p in Project.objects.listed()}
    pairs = set(ProjectRole.objects.filter(project_id__in=listed).values_list("project_id", "user_id"))
    pairs |= set(
        PullRequest.objects.filter(
            repository__project_id__in=listed, merged_at__isnull=False, author__user__isnull=False
        ).values_list("repository__project_id", "author__user_id")
    )
    project_ids = sorted(listed)
    for person in rng.sample(people, k=len(people) // 4):
        pairs.add((rng.choice(project_ids), person.user_id))
    # A handful of authors have not joined yet: they are what the journey page tells them to do next.
    # Sorted before drawing: a set iterates in hash order, which changes with the primary keys.
    joined = [pair for pair in sorted(pairs) if rng.random() < 0.9]
    Membership.objects.bulk_create(
        [
            Membership(
                project_id=project_id, user_id=user_id, joined_at=base - timedelta(days=rng.uniform(10, 700))
            )
            for project_id, user_id in joined
        ]
    )

    # Maintainers thank the authors of merged requests.
    authors = list(
        PullRequest.objects.filter(
            merged_at__isnull=False, author__user__isnull=False, merged_by__user__isnull=False
        )
        .exclude(author__user=F("merged_by__user"))
        .values("author__user_id", "merged_by__user_id", "repository__project_id")
        .annotate(n=Count("pk"))
        .order_by("author__user_id", "merged_by__user_id", "repository__project_id")
    )
    chosen = rng.sample(authors, k=min(90, len(authors)))
    Kudos.objects.bulk_create(
        [
            Kudos(
                giver_id=row["merged_by__user_id"],
                receiver_id=row["author__user_id"],
                project_id=row["repository__project_id"],
                message=rng.choice(KUDOS_MESSAGES),
                created_at=base - timedelta(days=rng.uniform(1, 300)),
            )
            for row in chosen
        ]
    )

    changes = everyone_evaluate(now=base)
    # The evaluation tells people about their stages and badges; in the demo those messages are as old
    # as the evaluation's `now`, like every other demo row, so reruns stay identical.
    Notification.objects.filter(created_at__gt=base).update(created_at=base)
    return {
        "rules acceptances": len(accepted) if rules else 0,
        "memberships": len(joined),
        "kudos": len(chosen),
        "stage changes": changes,
    }


def _skills_create() -> list[Skill]:
    names = sorted(set(words.TOPIC_SKILLS.values()) | set(EXTRA_SKILLS))
    existing = set(Skill.objects.filter(name__in=names).values_list("name", flat=True))
    Skill.objects.bulk_create([Skill(name=name) for name in names if name not in existing])
    return list(Skill.objects.filter(name__in=names).order_by("name"))
