"""The practitioner journey: stages and participation levels earned from evidence (see JOURNEY.md).

Evaluation is set-based: `evidence_for` reads everything for any number of people in a fixed number of
queries, `stage_for` is a pure decision, and `people_evaluate` writes the outcome, records each change
with its evidence and tells the person.
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from catalog.models import Project, ProjectRole
from catalog.notifications import notification_send
from community.badges import badges_evaluate, badges_evaluate_in_chunks
from community.models import (
    STAGE_ORDER,
    JourneySettings,
    Membership,
    ParticipationLevel,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
    Stage,
    StageChange,
)
from community.sql import whole_table_reads
from metrics.models import Comment, Commit, Issue, PullRequest, Review

SPRINT_DAYS = 14
SPRINTS = 6
EVERYONE_CHUNK = 1000


def sprint_windows(now: datetime) -> list[tuple[datetime, datetime]]:
    """The six two-week sprints ending at `now`, oldest first, each as (start, end].

    Sprint k covers start < t <= end with end = now - 14·(5 - k) days: a contribution made exactly at
    `now` is in the newest sprint, one exactly 14 days ago in the one before, and one exactly 84 days
    ago is outside the twelve weeks. Half-open windows never count a moment twice.
    """
    span = timedelta(days=SPRINT_DAYS)
    return [(now - span * (SPRINTS - k), now - span * (SPRINTS - 1 - k)) for k in range(SPRINTS)]


def participation_level_for(active_sprints: int) -> str:
    if active_sprints >= 5:
        return ParticipationLevel.DEDICATED
    if active_sprints >= 3:
        return ParticipationLevel.ONGOING
    if active_sprints >= 1:
        return ParticipationLevel.ACTIVE
    return ParticipationLevel.OPEN


@dataclass(kw_only=True)
class Evidence:
    """What one person has done, as far as the journey is concerned; JSON-able for StageChange."""

    merged_requests: int = 0  # merged requests in listed catalog projects
    merged_required: int = 1
    communities: int = 0  # active memberships
    communities_required: int = 1
    rules_version: int | None = None  # the current version; None while none is published
    rules_accepted: bool = True
    trusted_committer_roles: int = 0
    cross_unit_projects: list[str] = field(default_factory=list)  # slugs of owned projects
    sprints: list[int] = field(default_factory=lambda: [0] * SPRINTS)  # contributions, oldest first
    # Stages held before (from the recorded changes), plus Contributor when an earlier change was made
    # while the Contributor conditions held (someone appointed trusted committer straight away).
    stages_reached: list[str] = field(default_factory=list)

    @property
    def contributor_conditions(self) -> bool:
        return (
            self.rules_accepted
            and self.merged_requests >= self.merged_required
            and self.communities >= self.communities_required
        )

    @property
    def active_sprints(self) -> int:
        return sum(1 for n in self.sprints if n)

    @property
    def participation_level(self) -> str:
        return participation_level_for(self.active_sprints)

    def as_json(self) -> dict:
        data = asdict(self)
        data["contributor_conditions"] = self.contributor_conditions
        data["participation_level"] = str(self.participation_level)
        data["stages_reached"] = [str(s) for s in self.stages_reached]
        return data


def _per_user(queryset, key: str = "author__user_id") -> dict[int, int]:
    return dict(queryset.values(key).annotate(n=Count("pk")).values_list(key, "n"))


def _among(path: str, ids: list[int] | None) -> Q:
    """Rows whose person (`path` leads to a user id) is among `ids`; None: every linked person."""
    if ids is None:
        return Q(**{f"{path}__isnull": False})
    return Q(**{f"{path}__in": ids})


def _sprint_counts(*, ids: list[int] | None, now: datetime) -> dict[int, list[int]]:
    """Contributions per person and sprint, in one grouped query per kind of contribution."""
    windows = sprint_windows(now)
    sources = [
        (Commit.objects.filter(is_merge=False), "authored_at"),
        (PullRequest.objects.all(), "created_at"),
        (Review.objects.exclude(state=Review.ReviewState.PENDING), "submitted_at"),
        (Issue.objects.all(), "created_at"),
        (Comment.objects.all(), "created_at"),
    ]
    counts: dict[int, list[int]] = {}
    for queryset, moment in sources:
        sprint = Case(
            *[
                When(**{f"{moment}__gt": start, f"{moment}__lte": end}, then=Value(k))
                for k, (start, end) in enumerate(windows)
            ],
            output_field=IntegerField(),
        )
        rows = (
            queryset.filter(
                _among("author__user_id", ids),
                author__is_bot=False,
                **{f"{moment}__gt": windows[0][0], f"{moment}__lte": now},
            )
            .annotate(sprint=sprint)
            .values("author__user_id", "sprint")
            .annotate(n=Count("pk"))
            .values_list("author__user_id", "sprint", "n")
        )
        for user_id, k, n in rows:
            counts.setdefault(user_id, [0] * SPRINTS)[k] += n
    return counts


def _cross_unit_projects(*, ids: list[int] | None) -> dict[int, list[str]]:
    """Listed projects each person owns that received a merged request from someone of another unit
    than the project's host (read through the author's practitioner profile; one's own requests do
    not count, and people without a known unit are not counted as "another unit")."""
    owners = ProjectRole.objects.filter(
        _among("user_id", ids), role=ProjectRole.Role.OWNER, project__in=Project.objects.listed()
    )
    owned = list(owners.values_list("user_id", "project_id", "project__slug"))
    if not owned:
        return {}
    # Per project, how many people of another unit merged into it and the smallest of their user ids:
    # an owner has one other than themselves when there are two, or one who is not them. A row per
    # project rather than per contributor, which for everyone's projects is a million pairs.
    rows = (
        PullRequest.objects.filter(
            merged_at__isnull=False,
            repository__project_id__in=owners.values("project_id"),
            author__is_bot=False,
            author__user__practitioner__business_unit__isnull=False,
        )
        .exclude(author__user__practitioner__business_unit=F("repository__project__business_unit"))
        .values("repository__project_id")
        .annotate(people=Count("author__user_id", distinct=True), first=Min("author__user_id"))
        .values_list("repository__project_id", "people", "first")
        .order_by()
    )
    contributors = {project_id: (people, first) for project_id, people, first in rows}
    result: dict[int, list[str]] = {}
    for user_id, project_id, slug in owned:
        people, first = contributors.get(project_id, (0, None))
        if people > 1 or (people == 1 and first != user_id):
            result.setdefault(user_id, []).append(slug)
    return {user_id: sorted(slugs) for user_id, slugs in result.items()}


def _stages_reached(*, ids: list[int]) -> dict[int, set[str]]:
    reached: dict[int, set[str]] = {}
    rows = StageChange.objects.filter(user_id__in=ids).values_list(
        "user_id", "from_stage", "to_stage", "evidence__contributor_conditions"
    )
    for user_id, from_stage, to_stage, was_contributor in rows:
        stages = reached.setdefault(user_id, set())
        stages.update({from_stage, to_stage})
        if was_contributor is True:
            stages.add(Stage.CONTRIBUTOR)
    return reached


@dataclass(kw_only=True)
class Activity:
    """The part of the evidence read from the forge activity tables, per person: what costs the same
    whether asked for a few people or for everyone, so the nightly run reads it once (activity_for
    with None) instead of once per chunk."""

    merged: dict[int, int]
    sprints: dict[int, list[int]]
    cross_unit: dict[int, list[str]]


def activity_for(*, ids: list[int] | None, now: datetime) -> Activity:
    """The activity of these people (None: of everyone linked to a forge account), in eight queries."""
    merged = _per_user(
        PullRequest.objects.filter(
            _among("author__user_id", ids),
            merged_at__isnull=False,
            author__is_bot=False,
            repository__project__in=Project.objects.listed(),
        )
    )
    return Activity(
        merged=merged,
        sprints=_sprint_counts(ids=ids, now=now),
        cross_unit=_cross_unit_projects(ids=ids),
    )


def evidence_for(
    *, user_ids: list[int], now: datetime | None = None, activity: Activity | None = None
) -> dict[int, Evidence]:
    """The evidence of any number of people, in a fixed number of queries (about a dozen); `activity`:
    already read for (at least) these people at `now` (see everyone_evaluate)."""
    now = now or timezone.now()
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    if activity is None:
        activity = activity_for(ids=ids, now=now)
    thresholds = JourneySettings.current()
    rules = RulesVersion.current()
    accepted = (
        set(RulesAcceptance.objects.filter(rules=rules, user_id__in=ids).values_list("user_id", flat=True))
        if rules
        else set(ids)
    )
    communities = _per_user(Membership.objects.filter(user_id__in=ids, left_at__isnull=True), "user_id")
    trusted = _per_user(
        ProjectRole.objects.filter(user_id__in=ids, role=ProjectRole.Role.TRUSTED_COMMITTER), "user_id"
    )
    reached = _stages_reached(ids=ids)
    return {
        user_id: Evidence(
            merged_requests=activity.merged.get(user_id, 0),
            merged_required=thresholds.contributor_merged_requests,
            communities=communities.get(user_id, 0),
            communities_required=thresholds.contributor_communities,
            rules_version=rules.version if rules else None,
            rules_accepted=user_id in accepted,
            trusted_committer_roles=trusted.get(user_id, 0),
            cross_unit_projects=activity.cross_unit.get(user_id, []),
            sprints=activity.sprints.get(user_id, [0] * SPRINTS),
            stages_reached=sorted(reached.get(user_id, set()), key=STAGE_ORDER.index),
        )
        for user_id in ids
    }


def has_been_contributor(evidence: Evidence, current_stage: str) -> bool:
    reached = set(evidence.stages_reached) | {current_stage}
    return evidence.contributor_conditions or bool(reached & {Stage.CONTRIBUTOR, Stage.STARTER})


def stage_for(evidence: Evidence, current_stage: str) -> str:
    """The highest stage whose conditions hold. Stages are achievements and do not decay, except
    Trusted Committer, which follows the role: without it the person falls back to Contributor if they
    ever were one (or Explorer). The rules of engagement are part of the Contributor conditions, so an
    unaccepted new version blocks a new promotion but takes nothing away from someone already there."""
    was_contributor = has_been_contributor(evidence, current_stage)
    reached = set(evidence.stages_reached) | {current_stage}
    if Stage.STARTER in reached or (was_contributor and evidence.cross_unit_projects):
        return Stage.STARTER
    if evidence.trusted_committer_roles:
        return Stage.TRUSTED_COMMITTER
    if was_contributor:
        return Stage.CONTRIBUTOR
    return Stage.EXPLORER


def _journey_url() -> str:
    return reverse("community:journey")


def _stage_notify(*, user, change: StageChange) -> None:
    to_label, from_label = Stage(change.to_stage).label, Stage(change.from_stage).label
    if STAGE_ORDER.index(change.to_stage) > STAGE_ORDER.index(change.from_stage):
        message = f"You are now a {to_label} on your InnerSource journey."
        body = f"Congratulations: you moved from {from_label} to {to_label}."
    else:
        message = f"Your journey stage is now {to_label}."
        body = f"You no longer hold a trusted-committer role, so your stage went from {from_label} to {to_label}."
    notification_send(
        user=user,
        message=message,
        url=_journey_url(),
        email_body=f"{body}\n\nSee what this stage brings and what comes next on your journey page.",
    )


def _practitioners_ensure(*, users: dict, now: datetime) -> None:
    existing = set(Practitioner.objects.filter(user_id__in=list(users)).values_list("user_id", flat=True))
    missing = [user for pk, user in users.items() if pk not in existing]
    if missing:
        # ignore_conflicts: a concurrent evaluation of the same newcomer may have created it already.
        Practitioner.objects.bulk_create(
            [
                Practitioner(
                    user=user,
                    display_name=(user.get_full_name() or user.email or user.get_username())[:150],
                    stage=Stage.EXPLORER,
                    stage_since=now,
                )
                for user in missing
            ],
            ignore_conflicts=True,
        )


def people_evaluate(
    *, user_ids: list[int], now: datetime | None = None, activity: Activity | None = None, badges: bool = True
) -> list[StageChange]:
    """Re-evaluate these people's stage and participation level; record and notify each change of
    stage, then let the badges follow. Idempotent: a second run records and sends nothing.

    everyone_evaluate passes the `activity` it read once for everyone and does the badges itself after
    all the stages (`badges=False`)."""
    now = now or timezone.now()
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=set(user_ids))}
    ids = sorted(users)
    if not ids:
        return []
    changes: list[StageChange] = []
    with transaction.atomic():
        _practitioners_ensure(users=users, now=now)
        # Locked in user order so that overlapping evaluations (a sync and the nightly run) take turns
        # instead of both recording the same change.
        practitioners = list(
            Practitioner.objects.select_for_update().filter(user_id__in=ids).order_by("user_id")
        )
        evidence = evidence_for(user_ids=ids, now=now, activity=activity)
        # The people whose stage or level changed, by outcome: (new stage or None when unchanged, level).
        outcomes: defaultdict[tuple[str | None, str], list[int]] = defaultdict(list)
        for practitioner in practitioners:
            found = evidence[practitioner.user_id]
            stage, level = stage_for(found, practitioner.stage), found.participation_level
            if stage == practitioner.stage and level == practitioner.participation_level:
                continue
            if stage != practitioner.stage:
                changes.append(
                    StageChange(
                        user_id=practitioner.user_id,
                        from_stage=practitioner.stage,
                        to_stage=stage,
                        evidence=found.as_json(),
                        created_at=now,
                    )
                )
            outcomes[stage if stage != practitioner.stage else None, level].append(practitioner.pk)
        # One UPDATE per outcome (a few dozen at most), not bulk_update's per-row CASE, which cost six
        # seconds for 20,000 people at the large benchmark.
        for (stage, level), pks in outcomes.items():
            moved = {"stage": stage, "stage_since": now} if stage is not None else {}
            Practitioner.objects.filter(pk__in=pks).update(participation_level=level, **moved)
        Practitioner.objects.filter(user_id__in=ids).update(evaluated_at=now)
        if changes:
            StageChange.objects.bulk_create(changes)
        for change in changes:
            _stage_notify(user=users[change.user_id], change=change)
    if badges:
        badges_evaluate(user_ids=ids, now=now)
    return changes


def everyone_evaluate(*, now: datetime | None = None, chunk: int | None = None) -> int:
    """Every active person, a chunk at a time (bounded memory and transactions), then everyone's badges;
    the number of stage changes. What reads the activity tables is read once for everyone, not once per
    chunk: the stages' activity (activity_for) up front, each badge's rule in badges_evaluate_in_chunks.

    The badges come after all the stages: the Starter badge reads the stage, the other rules read
    nothing the stages write."""
    now = now or timezone.now()
    chunk = chunk or EVERYONE_CHUNK
    with whole_table_reads():
        activity = activity_for(ids=None, now=now)
    people = get_user_model().objects.filter(is_active=True).order_by("pk")
    chunks: list[list[int]] = []
    total, last = 0, 0
    while ids := list(people.filter(pk__gt=last).values_list("pk", flat=True)[:chunk]):
        total += len(people_evaluate(user_ids=ids, now=now, activity=activity, badges=False))
        chunks.append(ids)
        last = ids[-1]
    badges_evaluate_in_chunks(chunks=chunks, now=now)
    return total
