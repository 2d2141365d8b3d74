"""The portal's top searches of a period: the queries most searched (or most searched in vain), among
those typed by at least SEARCH_QUERY_MIN_PEOPLE different signed-in people.

A period's days up to the last rolled-up one are read from the search days (metrics.models.SearchDay,
one row per query and day), the days after it from the raw search events, as usage_by_day splits a
period. Distinct people cannot be summed over days, but their days' counts bound them: a query some
day of which alone had enough people passes, one whose days' people add up to fewer cannot, and only
the queries in between are counted person by person (SearchPersonDay).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, Max, Sum
from django.db.models.functions import Collate

from metrics.models import SearchDay, SearchPersonDay, UsageEvent, UsageKind
from metrics.rollups import SIGNED_IN, rolled_up_until
from metrics.selectors.rows import bounds

# A search query is someone's words: a dashboard shows one only when at least this many different
# signed-in people typed it in the period. Anonymous visitors do not count: a fresh browser is a fresh
# pseudonymous visitor, so one person could pass for three.
SEARCH_QUERY_MIN_PEOPLE = 3

# Queries read per page of the search days' ranking: a page holds the usual answer.
PAGE = 200


@dataclass
class _Candidate:
    query: str
    n: int
    # Bounds of the distinct people: a day's own count (at least), the days' counts added up (at most).
    most_in_a_day: int = 0
    days_added: int = 0
    recent: set[str] = field(default_factory=set)  # the people of the raw part of the period


def top_searches(*, start: date, end: date, zero: bool, count: int) -> list[tuple[str, int]]:
    """The first `count` (query, searches) of [start, end) typed by at least SEARCH_QUERY_MIN_PEOPLE
    signed-in people, most searched first, then by query (code point order); with `zero`, the searches that found nothing
    and the people who typed them."""
    cut = rolled_up_until(start, end)
    recent = _recent(start=max(start, cut), end=end, zero=zero) if cut < end else {}
    days = SearchDay.objects.filter(day__gte=start, day__lt=cut)
    n_field, people_field = ("zero_results", "zero_people") if zero else ("searches", "people")
    grouped = (
        days.filter(**{f"{n_field}__gt": 0})
        .values("query")
        .annotate(n=Sum(n_field), added=Sum(people_field), most=Max(people_field))
        .order_by()
    )
    # The queries searched in the raw part: their days too, whatever their rank there.
    queries = sorted(recent)
    for i in range(0, len(queries), PAGE):
        for row in grouped.filter(query__in=queries[i : i + PAGE]):
            candidate = recent[row["query"]]
            candidate.n += row["n"]
            candidate.most_in_a_day = max(candidate.most_in_a_day, row["most"])
            candidate.days_added += row["added"]
    touched = sorted(recent.values(), key=lambda c: (-c.n, c.query))

    found: list[tuple[str, int]] = []
    for candidate in _merged(touched, _ranked_days(grouped, skip=set(recent))):
        if _typed_by_enough(candidate, start=start, cut=cut, zero=zero):
            found.append((candidate.query, candidate.n))
            if len(found) == count:
                break
    return found


def _recent(*, start: date, end: date, zero: bool) -> dict[str, _Candidate]:
    """The raw searches of [start, end) (the days not rolled up yet) by query, with their people."""
    lo, hi = bounds(start, end)
    searches = UsageEvent.objects.filter(
        kind=UsageKind.SEARCH, occurred_at__gte=lo, occurred_at__lt=hi
    ).exclude(query="")
    if zero:
        searches = searches.filter(result_count=0)
    found = {
        query: _Candidate(query=query, n=n)
        for query, n in searches.values("query").annotate(n=Count("pk")).order_by().values_list("query", "n")
    }
    people = searches.filter(SIGNED_IN).values_list("query", "visitor").distinct().order_by()
    for query, visitor in people:
        found[query].recent.add(visitor)
    return found


def _ranked_days(grouped, *, skip: set[str]) -> Iterator[_Candidate]:
    """The search days' queries that can pass (their days' people add up to enough), most searched
    first, then by query, a page at a time; those in `skip` are left out (merged apart)."""
    ranked = grouped.filter(added__gte=SEARCH_QUERY_MIN_PEOPLE).order_by("-n", _code_point_order("query"))
    offset = 0
    while True:
        page = list(ranked[offset : offset + PAGE])
        for row in page:
            if row["query"] not in skip:
                yield _Candidate(
                    query=row["query"], n=row["n"], most_in_a_day=row["most"], days_added=row["added"]
                )
        if len(page) < PAGE:
            return
        offset += PAGE


def _code_point_order(name: str) -> Collate:
    """Queries ordered by their characters' code points, as Python orders strings (the two rankings
    merged here must agree), whatever the database's own collation."""
    return Collate(name, "C" if connection.vendor == "postgresql" else "BINARY")


def _merged(first: list[_Candidate], second: Iterator[_Candidate]) -> Iterator[_Candidate]:
    """Two rankings, each most searched first then by query, as one."""
    pending = next(second, None)
    for candidate in first:
        while pending is not None and (-pending.n, pending.query) < (-candidate.n, candidate.query):
            yield pending
            pending = next(second, None)
        yield candidate
    while pending is not None:
        yield pending
        pending = next(second, None)


def _typed_by_enough(candidate: _Candidate, *, start: date, cut: date, zero: bool) -> bool:
    if candidate.most_in_a_day >= SEARCH_QUERY_MIN_PEOPLE or len(candidate.recent) >= SEARCH_QUERY_MIN_PEOPLE:
        return True
    if candidate.days_added + len(candidate.recent) < SEARCH_QUERY_MIN_PEOPLE:
        return False
    typed = SearchPersonDay.objects.filter(query=candidate.query, day__gte=start, day__lt=cut)
    if zero:
        typed = typed.filter(zero=True)
    people = set(typed.values_list("person", flat=True).distinct().order_by()) | candidate.recent
    return len(people) >= SEARCH_QUERY_MIN_PEOPLE
