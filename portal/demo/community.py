"""The people side of the demo: skills, rules acceptances, memberships and kudos are written as inputs;
stages, participation levels and badges are then derived from them and from the demo's activity by the
community app's own evaluation (community.journey.everyone_evaluate), never set by hand. Only the dates
of the stage changes are the demo's: see _stage_changes_date."""

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F

from catalog.models import Notification, Project, ProjectRole
from community.journey import everyone_evaluate
from community.models import (
    JourneySettings,
    Kudos,
    Membership,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
    Skill,
    Stage,
    StageChange,
)
from metrics.models import PullRequest
from portal.demo import words

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
    _stage_changes_date(base=base)
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


def _nth(moments: list[datetime], n: int) -> datetime | None:
    """When the n-th of these happened (n counted from 1), None when there are fewer."""
    ordered = sorted(moments)
    return ordered[n - 1] if 0 < n <= len(ordered) else None


def _stage_changes_date(*, base: datetime) -> None:
    """Date each stage change back to when its conditions came to hold.

    The evaluation runs once, at `base`, over a year of activity written at once, so it records every
    change at `base`. The funnel and the onboardings read the changes by date (community.funnel): all at
    `base`, a dashboard of any whole days before it would show everyone as an Explorer and nobody
    onboarded. A Contributor counts from the moment all of the Contributor conditions held (signed up,
    rules accepted, the n-th merged request, the n-th community joined); a Trusted Committer from their
    first appointment; a Starter from the later of being a Contributor and owning a project."""
    thresholds = JourneySettings.current()
    rules = RulesVersion.current()
    joined = dict(get_user_model().objects.values_list("pk", "date_joined"))
    accepted = dict(
        RulesAcceptance.objects.filter(rules=rules).values_list("user_id", "accepted_at") if rules else []
    )
    merged, communities = defaultdict(list), defaultdict(list)
    for user_id, at in PullRequest.objects.filter(
        author__user__isnull=False,
        author__is_bot=False,
        merged_at__isnull=False,
        repository__project__in=Project.objects.listed(),
    ).values_list("author__user_id", "merged_at"):
        merged[user_id].append(at)
    for user_id, at in Membership.objects.filter(left_at__isnull=True).values_list("user_id", "joined_at"):
        communities[user_id].append(at)
    appointed, owning = defaultdict(list), defaultdict(list)
    for user_id, role, at in ProjectRole.objects.values_list("user_id", "role", "created_at"):
        if role == ProjectRole.Role.TRUSTED_COMMITTER:
            appointed[user_id].append(at)
        elif role == ProjectRole.Role.OWNER:
            owning[user_id].append(at)

    def contributor_at(user_id: int) -> datetime | None:
        conditions = [
            joined[user_id],
            accepted.get(user_id, joined[user_id]) if rules else joined[user_id],
            _nth(merged[user_id], thresholds.contributor_merged_requests) or joined[user_id],
            _nth(communities[user_id], thresholds.contributor_communities) or joined[user_id],
        ]
        return max(conditions)

    latest = base - timedelta(seconds=1)
    changes = list(StageChange.objects.filter(created_at=base).order_by("pk"))
    for change in changes:
        user_id = change.user_id
        if change.to_stage == Stage.TRUSTED_COMMITTER:
            moment = min(appointed[user_id], default=base)
        elif change.to_stage == Stage.STARTER:
            moment = max(contributor_at(user_id), min(owning[user_id], default=joined[user_id]))
        else:
            moment = contributor_at(user_id)
        change.created_at = min(max(moment, joined[user_id]), latest)
    StageChange.objects.bulk_update(changes, ["created_at"], batch_size=500)
    # Each person has at most one change here (the evaluation ran once): their stage dates from it.
    practitioners = list(Practitioner.objects.filter(user_id__in=[c.user_id for c in changes]).order_by("pk"))
    since = {change.user_id: change.created_at for change in changes}
    for practitioner in practitioners:
        practitioner.stage_since = since[practitioner.user_id]
    Practitioner.objects.bulk_update(practitioners, ["stage_since"], batch_size=500)
