"""The Contribution Activity figures of METRICS.md, read from the daily aggregates (RequestDay and
ContributorDay, kept by metrics.daily as the activity is written): a period of any length costs a sum
over its days, not a scan of its rows. Who a contributor is (their linked user, their business unit,
whether their account is a bot) is read now, from the accounts, as for every figure."""

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When

from catalog.models import Forge
from metrics import computations
from metrics.models import ContributorDay, ForgeAccount, PullRequest, RequestDay
from metrics.selectors.rows import (
    PERSON,
    UNIT,
    People,
    author_unit,
    between,
    bounds,
    in_projects,
    key_identities,
    projects_or_program,
)

# Accounts read per query when telling who the rows' accounts are.
ACCOUNTS_CHUNK = 1000


def _who(
    rows: Sequence[Mapping[str, Any]], people: People
) -> list[tuple[str, int | None, int, Mapping[str, Any]]]:
    """(person key, business unit, commits, the row) of ContributorDay rows grouped by account and
    e-mail; bots' rows are left out. The person is told as metrics.selectors.rows.People tells a row's
    author."""
    ids = sorted({row["account_id"] for row in rows if row["account_id"] is not None})
    accounts: dict[int, dict] = {}
    for i in range(0, len(ids), ACCOUNTS_CHUNK):
        found = ForgeAccount.objects.filter(pk__in=ids[i : i + ACCOUNTS_CHUNK]).values(
            "pk", "user_id", "forge", "login", "is_bot", unit=author_unit("")
        )
        for row in found:
            accounts[row["pk"]] = {
                "account_id": row["pk"],
                "account__user_id": row["user_id"],
                "account__forge": row["forge"],
                "account__login": row["login"],
                "is_bot": row["is_bot"],
                UNIT: row["unit"],
            }
    people.resolve(row["email"] for row in rows if row["account_id"] is None)
    told = []
    for grouped in rows:
        if grouped["account_id"] is None:
            key, unit = people.of(
                {"account_id": None, "account__user_id": None, "email": grouped["email"]}, "account"
            )
        else:
            account = accounts.get(grouped["account_id"])
            if account is None or account["is_bot"]:
                continue
            key, unit = people.of(account, "account")
        if key is not None:
            told.append((key, unit, grouped.get("n") or 0, grouped))
    return told


def contributors(*, projects: QuerySet, start: date, end: date, people: People):
    """(persons active in [start, end), commits per person, commits per business unit of known unit)."""
    rows = list(
        ContributorDay.objects.filter(
            in_projects("repository__project", projects), day__gte=start, day__lt=end
        )
        .values("account_id", "email")
        .annotate(n=Sum("commits"))
        .order_by()
    )
    keys: set[str] = set()
    per_person: Counter[str] = Counter()
    per_unit: Counter[int] = Counter()
    for key, unit, commits, _row in _who(rows, people):
        keys.add(key)
        if commits:
            per_person[key] += commits
            if unit is not None:
                per_unit[unit] += commits
    return keys, per_person, per_unit


def _returning(*, keys: set[str], history: QuerySet | None, start: date, people: People) -> set[str]:
    """The persons among `keys` who contributed before `start` in `history` (None: in any repository)."""
    users, accounts, emails = key_identities(keys)
    earlier = ContributorDay.objects.filter(in_projects("repository__project", history), day__lt=start)
    # Their accounts, each probed for one earlier day (the (account, day) index finds it at once): the
    # cost follows the period's contributors, not the length of the history before it.
    theirs = Q(user_id__in=users) | Q(pk__in=accounts) | Q(forge=Forge.GIT, login__in=emails)
    returning = ForgeAccount.objects.filter(theirs).filter(Exists(earlier.filter(account_id=OuterRef("pk"))))
    rows: list[Mapping[str, Any]] = [
        {"account_id": pk, "email": ""} for pk in returning.values_list("pk", flat=True)
    ]
    if emails:
        rows += (
            earlier.filter(account__isnull=True, email__in=emails).values("account_id", "email").distinct()
        )
    return keys & {key for key, _unit, _commits, _row in _who(rows, people)}


def request_counts(*, projects: QuerySet, start: date, end: date) -> dict[str, int]:
    """Requests opened, merged and declined in [start, end), and those open at some moment of it:
    opened before `end` less those ended (closed or merged) before `start`."""
    in_period = Q(day__gte=start)
    sums = RequestDay.objects.filter(in_projects("repository__project", projects), day__lt=end).aggregate(
        n_opened=Sum("opened", filter=in_period, default=0),
        n_merged=Sum("merged", filter=in_period, default=0),
        n_declined=Sum("declined", filter=in_period, default=0),
        opened_before_end=Sum("opened", default=0),
        ended_before_start=Sum("ended", filter=Q(day__lt=start), default=0),
    )
    return {
        "opened": sums["n_opened"],
        "merged": sums["n_merged"],
        "declined": sums["n_declined"],
        "open_during": sums["opened_before_end"] - sums["ended_before_start"],
    }


def contribution_activity(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The Contribution Activity figures of METRICS.md for [start, end)."""
    lo, hi = bounds(start, end)
    scope = projects_or_program(projects)
    requests = request_counts(projects=scope, start=start, end=end)

    known = Q(**{f"{UNIT}__isnull": False})
    other_unit = known & ~Q(**{UNIT: F("repository__project__business_unit_id")})
    crossing = (
        PullRequest.objects.filter(
            in_projects("repository__project", scope), PERSON, between("merged_at", lo, hi)
        )
        .annotate(**{UNIT: author_unit()})
        .aggregate(known=Count("pk", filter=known), other_unit=Count("pk", filter=other_unit))
    )

    people = People()
    keys, per_person, per_unit = contributors(projects=scope, start=start, end=end, people=people)
    # First contribution of all recorded history: in these projects, or for the program anywhere
    # the portal records activity (listed projects or not).
    history = None if projects is None else scope
    returning = _returning(keys=keys, history=history, start=start, people=people) if keys else set()

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


def contributors_per_bucket(*, projects: QuerySet | None, edges: list[tuple[date, date]]) -> list[int]:
    """People who contributed to these projects (all listed ones for None) in each [start, end) of
    `edges` (consecutive buckets), told as `contributors` tells them, in one query."""
    bucket = Case(
        *(When(day__gte=a, day__lt=b, then=Value(i)) for i, (a, b) in enumerate(edges)),
        output_field=IntegerField(),
    )
    rows = list(
        ContributorDay.objects.filter(
            in_projects("repository__project", projects_or_program(projects)),
            day__gte=edges[0][0],
            day__lt=edges[-1][1],
        )
        .annotate(bucket=bucket)
        .values("bucket", "account_id", "email")
        .order_by()
        .distinct()
    )
    keys: list[set[str]] = [set() for _ in edges]
    for key, _unit, _commits, row in _who(rows, People()):
        keys[row["bucket"]].add(key)
    return [len(found) for found in keys]


def merged_per_bucket(*, projects: QuerySet | None, edges: list[tuple[date, date]]) -> list[int]:
    """Change requests merged in each [start, end) of `edges`, in one query."""
    counts = RequestDay.objects.filter(
        in_projects("repository__project", projects_or_program(projects)),
        day__gte=edges[0][0],
        day__lt=edges[-1][1],
    ).aggregate(
        **{
            str(i): Sum("merged", filter=Q(day__gte=a, day__lt=b), default=0)
            for i, (a, b) in enumerate(edges)
        }
    )
    return [counts[str(i)] for i in range(len(edges))]
