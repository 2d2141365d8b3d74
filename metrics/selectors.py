"""Database reads behind the metrics of METRICS.md (Contribution Activity, Time to Value, and the
adoption side of Reuse and Collaboration), for one project, a set of projects, or the program.

Conventions, as METRICS.md states them and as applied here:
- `projects` is a queryset of catalog projects; None means the program (every listed project).
- A period is [start, end) in UTC; `start` and `end` are dates.
- Accounts flagged `is_bot` are left out everywhere, as authors and as responders.
- A person is the portal user an account is linked to, else the account itself. A git account's login
  is the lower-cased e-mail, and a commit that the forge could not tie to any account (GitHub does this
  for unknown addresses) is its lower-cased author e-mail too: both are the person "that e-mail", or
  the user/bot a git account of that login says it is.
- A person's business unit is the practitioner profile's (reached through the ORM: the community app
  is not imported here), else, for people without a portal account or unit, the unit the organisation
  directory gave their forge account (ForgeAccount.business_unit).

Every function runs a fixed number of set-based queries: aggregates, or values lists of the period's
rows grouped by author, whatever the number of rows.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import cast

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from catalog.models import Adoption, Forge, Project, adoption_identity, adoption_product_key
from metrics import computations
from metrics.models import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review

__all__ = ["contribution_activity", "reuse_adoptions", "time_to_value"]

_ACCOUNT = ("author_id", "author__user_id", "author__forge", "author__login")
_MERGER = ("merged_by_id", "merged_by__user_id", "merged_by__forge", "merged_by__login")
_UNIT = "author_unit"  # the annotation _author_unit() makes


# The labels that set an issue aside for newcomers (the first-project suggestions, the project page).
NEWCOMER_LABELS = ("good first issue", "help wanted")


def newcomer_labelled() -> Q:
    """Issues carrying one of NEWCOMER_LABELS. `"good first issue"` with its quotes matches a whole label
    in the JSON text, case-insensitively, on SQLite and PostgreSQL alike (a label such as "not a good
    first issue" does not match)."""
    labelled = Q()
    for label in NEWCOMER_LABELS:
        labelled |= Q(labels__icontains=f'"{label}"')
    return labelled


def _author_unit(prefix: str = "author") -> Coalesce:
    """The unit of a row's author (prefix "": of a ForgeAccount itself): their practitioner's trusted
    unit, else the unit the organisation directory gave their account."""
    path = f"{prefix}__" if prefix else ""
    return Coalesce(f"{path}user__practitioner__business_unit_id", f"{path}business_unit_id")


# A known author that is not a bot: contributions, responses and approvals need one.
_PERSON = Q(author__isnull=False, author__is_bot=False)
# Requests, issues and releases whose author account is gone (GitHub's "ghost") still count.
_NOT_BOT = Q(author__isnull=True) | Q(author__is_bot=False)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, tzinfo=UTC), datetime.combine(end, time.min, tzinfo=UTC)


def _scope(projects: QuerySet | None) -> QuerySet:
    return Project.objects.listed() if projects is None else projects


def _in(path: str, projects: QuerySet | None) -> Q:
    """Rows of these projects; None means no restriction (the "anywhere" of program-level history)."""
    return Q() if projects is None else Q(**{f"{path}__in": projects.values("pk")})


def _between(field: str, lo: datetime, hi: datetime) -> Q:
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


class _People:
    """One key per person for rows of author columns: "u:<user id>" for linked accounts, "e:<e-mail>"
    for unlinked git accounts and account-less commits, "a:<account id>" for other unlinked accounts."""

    def __init__(self) -> None:
        # e-mail -> (key, business unit); key None for a bot's address.
        self._emails: dict[str, tuple[str | None, int | None]] = {}

    def resolve(self, emails: Iterable[str]) -> None:
        """Look up, in one query, which of these account-less commit e-mails a git account claims."""
        fresh = {e for e in emails if e and e not in self._emails}
        if not fresh:
            return
        self._emails.update({e: (f"e:{e}", None) for e in fresh})
        accounts = ForgeAccount.objects.filter(forge=Forge.GIT, login__in=fresh).values_list(
            "login", "user_id", "is_bot", _author_unit("")
        )
        for login, user_id, is_bot, unit in accounts:
            if is_bot:
                self._emails[login] = (None, None)
            elif user_id is not None:
                self._emails[login] = (f"u:{user_id}", unit)
            else:
                self._emails[login] = (f"e:{login}", unit)

    def of(self, row: dict, prefix: str = "author") -> tuple[str | None, int | None]:
        """(person key, business unit id) of a values() row; (None, None) when nobody can be told."""
        if row[f"{prefix}__user_id"] is not None:
            return f"u:{row[f'{prefix}__user_id']}", row.get(_UNIT)
        if row[f"{prefix}_id"] is not None:
            if row[f"{prefix}__forge"] == Forge.GIT:
                return f"e:{row[f'{prefix}__login']}", row.get(_UNIT)
            return f"a:{row[f'{prefix}_id']}", row.get(_UNIT)
        email = row.get("email") or ""
        return self._emails.get(email, (f"e:{email}", None)) if email else (None, None)


def _commit_rows(condition: Q) -> list[dict]:
    """Non-merge commits matching `condition` (which may use the lower-cased `email`), one row per
    author with the number of commits as "n". Account-less commits count when they carry an e-mail."""
    return list(
        Commit.objects.annotate(email=Lower("author_email"), **{_UNIT: _author_unit()})
        .filter(condition, _PERSON | (Q(author__isnull=True) & ~Q(email="")), is_merge=False)
        .values(*_ACCOUNT, "email", _UNIT)
        .annotate(n=Count("pk"))
        .order_by()
    )


def _other_rows(projects: QuerySet | None, when: Callable[[str], Q]) -> list[dict]:
    """One row per distinct author of the requests, reviews, issues and comments for which `when`
    (given the model's date column) holds."""
    sources = (
        (PullRequest, "repository__project", "created_at", Q()),
        (Review, "pull_request__repository__project", "submitted_at", ~Q(state=Review.ReviewState.PENDING)),
        (Issue, "repository__project", "created_at", Q()),
        (Comment, "repository__project", "created_at", Q()),
    )
    rows: list[dict] = []
    for model, path, field, extra in sources:
        rows += (
            model.objects.filter(_in(path, projects), when(field), extra, _PERSON)
            .values(*_ACCOUNT)
            .distinct()
            .order_by()
        )
    return rows


def _contributors(*, projects: QuerySet, lo: datetime, hi: datetime, people: _People):
    """(persons active in P, commits per person, commits per business unit of known unit)."""
    commits = _commit_rows(_in("repository__project", projects) & _between("authored_at", lo, hi))
    others = _other_rows(projects, lambda field: _between(field, lo, hi))
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


def _returning(*, keys: set[str], history: QuerySet | None, lo: datetime, people: _People) -> set[str]:
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
    commits = _commit_rows(
        _in("repository__project", history)
        & Q(authored_at__lt=lo)
        & (whose | Q(author__isnull=True, email__in=emails))
    )
    others = _other_rows(history, lambda field: Q(**{f"{field}__lt": lo}) & whose)
    people.resolve(row["email"] for row in commits if row["author_id"] is None)
    return keys & {people.of(row)[0] for row in commits + others}


def contribution_activity(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The Contribution Activity figures of METRICS.md for [start, end)."""
    lo, hi = _bounds(start, end)
    scope = _scope(projects)
    in_scope = _in("repository__project", scope)

    # Requests open at some moment of P: created before end and neither closed nor merged before start
    # (GitLab leaves closed_at empty on merged requests). Opened, merged and declined in P all lie
    # inside this set, so one aggregate over it answers the four counts.
    open_in_p = (
        Q(created_at__lt=hi)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=lo))
        & (Q(merged_at__isnull=True) | Q(merged_at__gte=lo))
    )
    requests = PullRequest.objects.filter(in_scope, _NOT_BOT, open_in_p).aggregate(
        opened=Count("pk", filter=_between("created_at", lo, hi)),
        merged=Count("pk", filter=_between("merged_at", lo, hi)),
        declined=Count("pk", filter=_between("closed_at", lo, hi) & Q(merged_at__isnull=True)),
        open_during=Count("pk"),
    )

    known = Q(**{f"{_UNIT}__isnull": False})
    other_unit = known & ~Q(**{_UNIT: F("repository__project__business_unit_id")})
    crossing = (
        PullRequest.objects.filter(in_scope, _PERSON, _between("merged_at", lo, hi))
        .annotate(**{_UNIT: _author_unit()})
        .aggregate(known=Count("pk", filter=known), other_unit=Count("pk", filter=other_unit))
    )

    people = _People()
    keys, per_person, per_unit = _contributors(projects=scope, lo=lo, hi=hi, people=people)
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


def _first_responses(*, in_scope: Q, lo: datetime, hi: datetime) -> tuple[list[float], int, int]:
    """(hours to first response of the answered items, how many answered within 2 business days,
    how many unanswered) for the issues and requests created in P."""
    people = _People()
    # A request still in draft that was never marked ready is not asking for a response yet.
    requests = PullRequest.objects.filter(in_scope, _NOT_BOT, _between("created_at", lo, hi)).exclude(
        draft=True, ready_for_review_at__isnull=True
    )
    issues = Issue.objects.filter(in_scope, _NOT_BOT, _between("created_at", lo, hi))
    items: dict[tuple[str, int], tuple[str | None, datetime]] = {}
    for row in requests.values("pk", *_ACCOUNT, "created_at", "ready_for_review_at"):
        items["pr", row["pk"]] = (people.of(row)[0], row["ready_for_review_at"] or row["created_at"])
    for row in issues.values("pk", *_ACCOUNT, "created_at"):
        items["issue", row["pk"]] = (people.of(row)[0], row["created_at"])

    responses = []
    comments = Comment.objects.filter(_PERSON).filter(
        Q(pull_request__in=requests.values("pk")) | Q(issue__in=issues.values("pk"))
    )
    for row in comments.values("pull_request_id", "issue_id", *_ACCOUNT, "created_at").order_by():
        item = ("pr", row["pull_request_id"]) if row["pull_request_id"] else ("issue", row["issue_id"])
        responses.append((item, people.of(row)[0], row["created_at"]))
    reviews = Review.objects.filter(
        _PERSON, pull_request__in=requests.values("pk"), submitted_at__isnull=False
    ).exclude(state=Review.ReviewState.PENDING)
    for row in reviews.values("pull_request_id", *_ACCOUNT, "submitted_at").order_by():
        responses.append((("pr", row["pull_request_id"]), people.of(row)[0], row["submitted_at"]))

    # Responses count whenever they came, after `end` too: the item was created in P, and cutting at
    # `end` would call every item of the period's last days unanswered.
    first: dict[tuple[str, int], datetime] = {}
    for item, responder, at in responses:
        author = items[item][0]
        if responder != author and (item not in first or at < first[item]):
            first[item] = at
    hours = [computations.elapsed_hours(items[item][1], at) for item, at in first.items()]
    within = sum(computations.within_business_days(items[item][1], at) for item, at in first.items())
    return hours, within, len(items) - len(first)


def _merged_requests(*, in_scope: Q, lo: datetime, hi: datetime) -> tuple[list[float], int, int, int]:
    """(hours to merge, how many merged, how many with another person's approval, how many merged
    by their author without such an approval) for the requests merged in P."""
    people = _People()
    merged = PullRequest.objects.filter(in_scope, _NOT_BOT, _between("merged_at", lo, hi))
    rows = list(
        merged.values("pk", *_ACCOUNT, *_MERGER, "created_at", "ready_for_review_at", "merged_at").order_by()
    )
    approvers: dict[int, set[str | None]] = defaultdict(set)
    approvals = Review.objects.filter(
        _PERSON, pull_request__in=merged.values("pk"), state=Review.ReviewState.APPROVED
    )
    for row in approvals.values("pull_request_id", *_ACCOUNT).distinct().order_by():
        approvers[row["pull_request_id"]].add(people.of(row)[0])

    hours, approved, self_merged = [], 0, 0
    for row in rows:
        hours.append(
            computations.elapsed_hours(row["ready_for_review_at"] or row["created_at"], row["merged_at"])
        )
        author = people.of(row)[0]
        reviewed = bool(approvers[row["pk"]] - {author})
        approved += reviewed
        # A merger nobody can tell (no account) is not taken for the author.
        self_merged += not reviewed and author is not None and people.of(row, "merged_by")[0] == author
    return hours, len(rows), approved, self_merged


def time_to_value(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The Time to Value figures of METRICS.md for [start, end)."""
    lo, hi = _bounds(start, end)
    in_scope = _in("repository__project", _scope(projects))

    response_hours, within, unanswered = _first_responses(in_scope=in_scope, lo=lo, hi=hi)
    merge_hours, merged, approved, self_merged = _merged_requests(in_scope=in_scope, lo=lo, hi=hi)
    closed = Issue.objects.filter(in_scope, _NOT_BOT, _between("closed_at", lo, hi))
    # closed_at is set on every row: the period filter is on it.
    close_hours = [
        computations.elapsed_hours(created, cast(datetime, closed_at))
        for created, closed_at in closed.values_list("created_at", "closed_at").order_by()
    ]
    releases = Release.objects.filter(
        in_scope, _NOT_BOT, _between("published_at", lo, hi), draft=False
    ).aggregate(releases=Count("pk"), prereleases=Count("pk", filter=Q(prerelease=True)))

    return {
        "time_to_first_response": computations.duration_summary(response_hours, unanswered=unanswered),
        # Unanswered items are among "the items above" and did not get a response within 2 days.
        "responded_within_2_business_days": computations.ratio(within, len(response_hours) + unanswered),
        "time_to_merge": computations.duration_summary(merge_hours),
        "issue_time_to_close": computations.duration_summary(close_hours),
        # A period not over yet is a rate of the part that has passed, not diluted by days to come.
        "velocity_merged_per_week": computations.per_week(
            merged, days=max((min(hi, timezone.now()) - lo).total_seconds(), 0) / 86400
        ),
        "releases": releases["releases"],
        "prereleases": releases["prereleases"],
        "review_coverage": computations.ratio(approved, merged),
        "self_merge_rate": computations.ratio(self_merged, merged),
    }


def reuse_adoptions(*, projects: QuerySet | None, start: date, end: date) -> dict:
    """The adoption figures of Reuse and Collaboration (METRICS.md) for [start, end)."""
    lo, hi = _bounds(start, end)
    adoptions = Adoption.objects.filter(_in("asset__project", _scope(projects)))
    # Adoptions count as distinct (asset, unit, team, product): the unique constraint keeps one open
    # adoption per team, and counting identities keeps older or hand-edited overlapping rows from
    # counting a team twice.
    # "Active at end": Adoption.active(on=end), i.e. since <= end < ended_on, the instant `end` read
    # with adoptions as half-open [since, ended_on) spans of days.
    active = (
        adoptions.active(on=end)
        .annotate(product_name=adoption_product_key())
        .aggregate(
            active=Count(adoption_identity(), distinct=True),
            units=Count(
                "business_unit", distinct=True, filter=~Q(business_unit=F("asset__project__business_unit"))
            ),
            products=Count("product_name", distinct=True, filter=~Q(product_name="")),
        )
    )
    # An adoption ended on the day it started was never in use (a "Use this" withdrawn): not new.
    declared = adoptions.filter(_between("created_at", lo, hi)).exclude(ended_on__lte=F("since"))
    return {
        "adoptions_new": declared.aggregate(n=Count(adoption_identity(), distinct=True))["n"],
        "adoptions_active": active["active"],
        "adopting_business_units": active["units"],
        "product_integrations": active["products"],
    }


# --- headline figures per bucket, for the dashboards' trends (metrics.reports) ---------------------------


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) of dates as UTC instants."""
    return _bounds(start, end)


def merged_per_bucket(*, projects: QuerySet | None, edges: list[tuple[date, date]]) -> list[int]:
    """Change requests merged in each [start, end) of `edges`, in one query."""
    lo, hi = _bounds(edges[0][0], edges[-1][1])
    counts = PullRequest.objects.filter(
        _in("repository__project", _scope(projects)), _NOT_BOT, merged_at__gte=lo, merged_at__lt=hi
    ).aggregate(
        **{
            str(i): Count("pk", filter=_between("merged_at", *_bounds(a, b)))
            for i, (a, b) in enumerate(edges)
        }
    )
    return [counts[str(i)] for i in range(len(edges))]


def contributor_count(*, projects: QuerySet | None, start: date, end: date) -> int:
    """People who contributed to these projects (all listed ones for None) in [start, end)."""
    lo, hi = _bounds(start, end)
    keys, _persons, _units = _contributors(projects=_scope(projects), lo=lo, hi=hi, people=_People())
    return len(keys)


def first_response_hours(*, projects: QuerySet | None, start: date, end: date) -> tuple[list[float], int]:
    """(hours to first response of the answered items, how many are unanswered) for items created in P."""
    lo, hi = _bounds(start, end)
    hours, _within, unanswered = _first_responses(
        in_scope=_in("repository__project", _scope(projects)), lo=lo, hi=hi
    )
    return hours, unanswered
