"""What the metrics' reads share: who the person of a row is, the scope of projects, the period."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat

from catalog.models import Forge, Project
from metrics.models import ForgeAccount

ACCOUNT = ("author_id", "author__user_id", "author__forge", "author__login")
MERGER = ("merged_by_id", "merged_by__user_id", "merged_by__forge", "merged_by__login")
UNIT = "author_unit"  # the annotation author_unit() makes


def author_unit(prefix: str = "author") -> Coalesce:
    """The unit of a row's author (prefix "": of a ForgeAccount itself): their practitioner's trusted
    unit, else the unit the organisation directory gave their account."""
    path = f"{prefix}__" if prefix else ""
    return Coalesce(f"{path}user__practitioner__business_unit_id", f"{path}business_unit_id")


# A known author that is not a bot: contributions, responses and approvals need one.
PERSON = Q(author__isnull=False, author__is_bot=False)
# Requests, issues and releases whose author account is gone (GitHub's "ghost") still count.
NOT_BOT = Q(author__isnull=True) | Q(author__is_bot=False)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, tzinfo=UTC), datetime.combine(end, time.min, tzinfo=UTC)


def projects_or_program(projects: QuerySet | None) -> QuerySet:
    return Project.objects.listed() if projects is None else projects


def in_projects(path: str, projects: QuerySet | None) -> Q:
    """Rows of these projects; None means no restriction (the "anywhere" of program-level history)."""
    return Q() if projects is None else Q(**{f"{path}__in": projects.values("pk")})


def between(field: str, lo: datetime, hi: datetime) -> Q:
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


class People:
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
            "login", "user_id", "is_bot", author_unit("")
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
            return f"u:{row[f'{prefix}__user_id']}", row.get(UNIT)
        if row[f"{prefix}_id"] is not None:
            if row[f"{prefix}__forge"] == Forge.GIT:
                return f"e:{row[f'{prefix}__login']}", row.get(UNIT)
            return f"a:{row[f'{prefix}_id']}", row.get(UNIT)
        email = row.get("email") or ""
        return self._emails.get(email, (f"e:{email}", None)) if email else (None, None)


def person_key(prefix: str = "author") -> Case:
    """People.of's key of a row's account, computed by the database (for grouped queries that compare
    people, e.g. a response by someone other than the item's author): "u:<user id>" for a linked account,
    "e:<login>" for an unlinked git account, "a:<account id>" for any other; NULL without an account
    (account-less commits' e-mails are People's alone). The same rule as People.of: keep them together
    (tests/metrics/test_person_key.py holds them equal)."""
    return Case(
        When(
            **{f"{prefix}__user_id__isnull": False},
            then=Concat(Value("u:"), Cast(f"{prefix}__user_id", CharField())),
        ),
        When(**{f"{prefix}__forge": Forge.GIT}, then=Concat(Value("e:"), f"{prefix}__login")),
        When(**{f"{prefix}_id__isnull": False}, then=Concat(Value("a:"), Cast(f"{prefix}_id", CharField()))),
        default=None,
        output_field=CharField(),
    )


def responses_by_others(responses: QuerySet, *, item: str) -> QuerySet:
    """The responses (comments, reviews, approvals) to their `item` ("pull_request" or "issue") written
    by a known person who is not a bot and not the item's author (person_key: two accounts of one user
    are one person)."""
    # The author's key; "" when there is none, so that every responder differs from it.
    asker = Coalesce(person_key(f"{item}__author"), Value(""), output_field=CharField())
    return (
        responses.filter(PERSON)
        .annotate(responder=person_key("author"), asker=asker)
        .exclude(responder=F("asker"))
    )


def key_identities(keys: Iterable[str]) -> tuple[set[int], set[int], set[str]]:
    """(user ids, account ids, e-mails) behind People keys; the e-mails include the git logins of
    those users, which their account-less commits carry."""
    keys = list(keys)
    users = {int(k[2:]) for k in keys if k.startswith("u:")}
    accounts = {int(k[2:]) for k in keys if k.startswith("a:")}
    emails = {k[2:] for k in keys if k.startswith("e:")}
    if users:
        emails |= set(
            ForgeAccount.objects.filter(forge=Forge.GIT, user_id__in=users).values_list("login", flat=True)
        )
    return users, accounts, emails
