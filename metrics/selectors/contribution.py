"""The Contribution Activity figures of METRICS.md."""

from collections import Counter
from datetime import date, datetime

from django.db.models import Count, F, Q, QuerySet

from catalog.models import Forge
from metrics import computations
from metrics.models import ForgeAccount, PullRequest
from metrics.selectors.rows import (
    NOT_BOT,
    PERSON,
    UNIT,
    People,
    author_unit,
    between,
    bounds,
    commit_rows,
    in_projects,
    other_rows,
    projects_or_program,
)


def contributors(*, projects: QuerySet, lo: datetime, hi: datetime, people: People):
    """(persons active in P, commits per person, commits per business unit of known unit)."""
    commits = commit_rows(in_projects("repository__project", projects) & between("authored_at", lo, hi))
    others = other_rows(projects, lambda field: between(field, lo, hi))
    people.resolve(row["email"] for row in commits if row["author_id"] is None)
    keys: set[str] = set()
    per_person: Counter[str] = Counter()
    per_unit: Counter[int] = Counter()
    for row in commits:
        key, unit = people.of(row)
        if key is not None:
            keys.add(key)
            per_person[key] += row["n"]
            if unit is not None:
                per_unit[unit] += row["n"]
    keys |= {key for key, _unit in map(people.of, others) if key is not None}
    return keys, per_person, per_unit


def _returning(*, keys: set[str], history: QuerySet | None, lo: datetime, people: People) -> set[str]:
    """The persons among `keys` who contributed before `lo` in `history` (None: in any repository)."""
    users = {int(k[2:]) for k in keys if k.startswith("u:")}
    accounts = {int(k[2:]) for k in keys if k.startswith("a:")}
    emails = {k[2:] for k in keys if k.startswith("e:")}
    if users:
        # The git logins these users are linked to: their account-less commits carry those e-mails.
        emails |= set(
            ForgeAccount.objects.filter(forge=Forge.GIT, user_id__in=users).values_list("login", flat=True)
        )
    whose = Q(author__user_id__in=users) | Q(author_id__in=accounts)
    whose |= Q(author__forge=Forge.GIT, author__login__in=emails)
    commits = commit_rows(
        in_projects("repository__project", history)
        & Q(authored_at__lt=lo)
        & (whose | Q(author__isnull=True, email__in=emails))
    )
    others = other_rows(history, lambda field: Q(**{f"{field}__lt": lo}) & whose)
    people.resolve(row["email"] for row in commits if row["author_id"] is None)
    return keys & {people.of(row)[0] for row in commits + others}


def contribution_activity(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The Contribution Activity figures of METRICS.md for [start, end)."""
    lo, hi = bounds(start, end)
    scope = projects_or_program(projects)
    in_scope = in_projects("repository__project", scope)

    # Requests open at some moment of P: created before end and neither closed nor merged before start
    # (GitLab leaves closed_at empty on merged requests). Opened, merged and declined in P all lie
    # inside this set, so one aggregate over it answers the four counts.
    open_in_p = (
        Q(created_at__lt=hi)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
        & (Q(merged_at__isnull=True) | Q(merged_at__gte=lo))
    )
    requests = PullRequest.objects.filter(in_scope, NOT_BOT, open_in_p).aggregate(
        opened=Count("pk", filter=between("created_at", lo, hi)),
        merged=Count("pk", filter=between("merged_at", lo, hi)),
        declined=Count("pk", filter=between("closed_at", lo, hi) & Q(merged_at__isnull=True)),
        open_during=Count("pk"),
    )

    known = Q(**{f"{UNIT}__isnull": False})
    other_unit = known & ~Q(**{UNIT: F("repository__project__business_unit_id")})
    crossing = (
        PullRequest.objects.filter(in_scope, PERSON, between("merged_at", lo, hi))
        .annotate(**{UNIT: author_unit()})
        .aggregate(known=Count("pk", filter=known), other_unit=Count("pk", filter=other_unit))
    )

    people = People()
    keys, per_person, per_unit = contributors(projects=scope, lo=lo, hi=hi, people=people)
    # First contribution of all recorded history: in these projects, or for the program anywhere
    # the portal records activity (listed projects or not).
    history = None if projects is None else scope
    returning = _returning(keys=keys, history=history, lo=lo, people=people) if keys else set()

    return {
        "change_requests_opened": requests["opened"],
        "change_requests_merged": requests["merged"],
        "change_requests_declined": requests["declined"],
        "change_request_closure_ratio": computations.ratio(
            requests["merged"] + requests["declined"], requests["open_during"]
        ),
        "contributors": len(keys),
        "new_contributors": len(keys - returning),
        "innersource_ratio": computations.ratio(crossing["other_unit"], crossing["known"]),
        "contributor_absence_factor": computations.absence_factor(list(per_person.values())),
        "elephant_factor": computations.absence_factor(list(per_unit.values())),
    }


def contributor_count(*, projects: QuerySet | None, start: date, end: date) -> int:
    """People who contributed to these projects (all listed ones for None) in [start, end)."""
    lo, hi = bounds(start, end)
    keys, _persons, _units = contributors(
        projects=projects_or_program(projects), lo=lo, hi=hi, people=People()
    )
    return len(keys)
