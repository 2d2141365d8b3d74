"""Rebuilding the daily aggregates of a range of days from the activity rows: after a restore, a change
of the rules, an edit made past the services (the admin flagging an account as a bot), or to fill them
the first time. The range's days are cleared and counted again from every row with a moment in it, a
window of days at a time (memory stays bounded whatever the history); the issues and requests created
in the range have their first responses computed again."""

from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max, Min, Q

from metrics.daily.facts import MOMENTS, Facts, facts_of
from metrics.daily.responses import first_responses_refresh
from metrics.models import ContributorDay, RequestDay

WINDOW_DAYS = 31
BATCH = 2000


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def activity_span() -> tuple[date, date] | None:
    """The first and the last day any activity row is placed on (None: no activity recorded)."""
    found = [
        moment
        for model, moments in MOMENTS.items()
        for moment in model._default_manager.aggregate(
            *(Min(m) for m in moments), *(Max(m) for m in moments)
        ).values()
        if moment is not None
    ]
    if not found:
        return None
    return min(found).astimezone(UTC).date(), max(found).astimezone(UTC).date()


def _window(start: date, end: date) -> int:
    """Rebuild [start, end): clear it, count its facts again; returns the aggregate rows written."""
    lo, hi = _moment(start), _moment(end)
    facts = Facts()
    for model, moments in MOMENTS.items():
        placed = Q()
        for moment in moments:
            placed |= Q(**{f"{moment}__gte": lo, f"{moment}__lt": hi})
        facts_of(facts, model, placed, stream=True)
    facts = facts.within(start, end)
    requests: dict[tuple, RequestDay] = {}
    contributors: dict[tuple, ContributorDay] = {}
    for (model, repository_id, day, who, name), n in facts.counts.items():
        if model is RequestDay:
            row = requests.setdefault((repository_id, day), RequestDay(repository_id=repository_id, day=day))
        else:
            account_id, email = facts.identities[who]
            row = contributors.setdefault(
                (repository_id, day, who),
                ContributorDay(
                    repository_id=repository_id, day=day, who=who, account_id=account_id, email=email
                ),
            )
        setattr(row, name, getattr(row, name) + n)
    with transaction.atomic():
        RequestDay.objects.filter(day__gte=start, day__lt=end).delete()
        ContributorDay.objects.filter(day__gte=start, day__lt=end).delete()
        RequestDay.objects.bulk_create(requests.values(), batch_size=BATCH)
        ContributorDay.objects.bulk_create(contributors.values(), batch_size=BATCH)
        created = Q(created_at__gte=lo, created_at__lt=hi)
        first_responses_refresh(requests=created, issues=created)
    return len(requests) + len(contributors)


def rebuild_daily_aggregates(*, start: date | None = None, end: date | None = None, log=None) -> int:
    """Rebuild the days in [start, end); without `start`, from the first recorded activity, without
    `end`, to the last (each side then also clears whatever lies beyond: rows since deleted). Returns
    the aggregate rows written."""
    span = activity_span()
    first = start or (span[0] if span else date.today())
    last = end or (span[1] + timedelta(days=1) if span else first)
    if start is None:
        RequestDay.objects.filter(day__lt=first).delete()
        ContributorDay.objects.filter(day__lt=first).delete()
    if end is None:
        RequestDay.objects.filter(day__gte=last).delete()
        ContributorDay.objects.filter(day__gte=last).delete()
    written, at = 0, first
    while at < last:
        following = min(at + timedelta(days=WINDOW_DAYS), last)
        rows = _window(at, following)
        written += rows
        if log is not None:
            log(f"{at.isoformat()} to {following.isoformat()}: {rows} rows")
        at = following
    return written
