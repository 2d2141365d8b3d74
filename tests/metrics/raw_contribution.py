"""The test oracle of the contribution figures: METRICS.md's Contribution Activity computed straight
from the activity rows (pull requests, reviews, issues, comments, commits), as the portal computed them
before the daily aggregates. Production reads the aggregates (metrics.selectors.contribution); the
tests hold its answers equal to these on hand-built histories."""

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from catalog.models import Forge
from metrics import computations
from metrics.models import Comment, Commit, Issue, PullRequest, Review
from metrics.selectors import rows


def by_identities(identities: tuple[set[int], set[int], set[str]], prefix: str) -> Q:
    """Rows whose account (the `prefix` column) is one of these users', one of these accounts, or a git
    account of one of these e-mails."""
    users, accounts, emails = identities
    whose = Q(**{f"{prefix}__user_id__in": users}) | Q(**{f"{prefix}_id__in": accounts})
    return whose | Q(**{f"{prefix}__forge": Forge.GIT, f"{prefix}__login__in": emails})


def commit_rows(condition: Q) -> list[dict]:
    """Non-merge commits matching `condition` (which may use the lower-cased `email`), one row per
    author with the number of commits as "n". Account-less commits count when they carry an e-mail."""
    return list(
        Commit.objects.annotate(email=Lower("author_email"), **{rows.UNIT: rows.author_unit()})
        .filter(condition, rows.PERSON | (Q(author__isnull=True) & ~Q(email="")), is_merge=False)
        .values(*rows.ACCOUNT, "email", rows.UNIT)
        .annotate(n=Count("pk"))
        .order_by()
    )


def other_rows(projects: QuerySet | None, when: Callable[[str], Q]) -> list[dict]:
    """One row per distinct author of the requests, reviews, issues and comments for which `when`
    (given the model's date column) holds."""
    sources = (
        (PullRequest, "repository__project", "created_at", Q()),
        (Review, "pull_request__repository__project", "submitted_at", ~Q(state=Review.ReviewState.PENDING)),
        (Issue, "repository__project", "created_at", Q()),
        (Comment, "repository__project", "created_at", Q()),
    )
    found: list[dict] = []
    for model, path, field, extra in sources:
        found += (
            model.objects.filter(rows.in_projects(path, projects), when(field), extra, rows.PERSON)
            .values(*rows.ACCOUNT)
            .distinct()
            .order_by()
        )
    return found


def contributors(*, projects: QuerySet, lo: datetime, hi: datetime, people: rows.People):
    """(persons active in P, commits per person, commits per business unit of known unit)."""
    commits = commit_rows(
        rows.in_projects("repository__project", projects) & rows.between("authored_at", lo, hi)
    )
    others = other_rows(projects, lambda field: rows.between(field, lo, hi))
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


def _returning(*, keys: set[str], history: QuerySet | None, lo: datetime, people: rows.People) -> set[str]:
    """The persons among `keys` who contributed before `lo` in `history` (None: in any repository)."""
    identities = rows.key_identities(keys)
    whose = by_identities(identities, "author")
    commits = commit_rows(
        rows.in_projects("repository__project", history)
        & Q(authored_at__lt=lo)
        & (whose | Q(author__isnull=True, email__in=identities[2]))
    )
    others = other_rows(history, lambda field: Q(**{f"{field}__lt": lo}) & whose)
    people.resolve(row["email"] for row in commits if row["author_id"] is None)
    return keys & {people.of(row)[0] for row in commits + others}


# The figures the aggregates answer (the inner-source ratio reads the requests in both: not compared).
AGGREGATED = (
    "change_requests_opened",
    "change_requests_merged",
    "change_requests_declined",
    "change_request_closure_ratio",
    "contributors",
    "new_contributors",
    "contributor_absence_factor",
    "elephant_factor",
)


def raw_contribution_activity(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The figures of AGGREGATED for [start, end), from the rows."""
    lo, hi = rows.bounds(start, end)
    scope = rows.projects_or_program(projects)
    # Requests open at some moment of P: created before end and neither closed nor merged before start
    # (GitLab leaves closed_at empty on merged requests); opened, merged and declined in P lie inside.
    open_in_p = (
        Q(created_at__lt=hi)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
        & (Q(merged_at__isnull=True) | Q(merged_at__gte=lo))
    )
    requests = PullRequest.objects.filter(
        rows.in_projects("repository__project", scope), rows.NOT_BOT, open_in_p
    )
    counted = requests.aggregate(
        opened=Count("pk", filter=rows.between("created_at", lo, hi)),
        merged=Count("pk", filter=rows.between("merged_at", lo, hi)),
        declined=Count("pk", filter=rows.between("closed_at", lo, hi) & Q(merged_at__isnull=True)),
        open_during=Count("pk"),
    )
    people = rows.People()
    keys, per_person, per_unit = contributors(projects=scope, lo=lo, hi=hi, people=people)
    history = None if projects is None else scope
    returning = _returning(keys=keys, history=history, lo=lo, people=people) if keys else set()
    closed = counted["merged"] + counted["declined"]
    figures = [
        counted["opened"],
        counted["merged"],
        counted["declined"],
        computations.ratio(closed, counted["open_during"]),
        len(keys),
        len(keys - returning),
        computations.absence_factor(list(per_person.values())),
        computations.absence_factor(list(per_unit.values())),
    ]
    return dict(zip(AGGREGATED, figures, strict=True))
