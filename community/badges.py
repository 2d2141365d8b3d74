"""Badges: run every active badge's rule over a set of people and bring their awards in line.

`badges_evaluate(user_ids=[...])` is what community.journey calls after re-evaluating stages for the
people a recorded contribution touched; `badges_evaluate()` (everyone) is the backfill, and
`badges_evaluate_in_chunks` the nightly run over every active person. All cost a bounded number of
queries per badge, not per person: each rule is set-based (community.badge_rules), existing awards are
read in one query, and new awards are inserted in bulk. Only the notifications of new awards cost one
query each, since each one is a message to one person.

Awards are idempotent: the unique (badge, user, key) constraint backs `ignore_conflicts`, so two
evaluations racing each other still leave one award. A badge granted once uses the key ""; a badge
granted many times uses the rule's key (a streak's first sprint, an asset). A revoked award whose rule
holds again is restored rather than duplicated, and for auto-revoke badges an award whose rule no
longer holds gets `revoked_at`.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from catalog.notifications import notifications_send

from .badge_rules import RULES, Qualifier
from .models import Badge, BadgeAward
from .sql import whole_table_reads

__all__ = ["RULES", "Qualifier", "badge_evaluate", "badges_evaluate", "badges_evaluate_in_chunks"]

logger = logging.getLogger(__name__)


def badges_evaluate(*, user_ids: list[int] | None = None, now: datetime | None = None) -> dict[str, int]:
    """Award, restore and (for auto-revoke badges) revoke every active badge for these people.

    `user_ids=None` re-checks everyone (the backfill). Returns {"awarded": n, "revoked": m}, where
    awarded counts new and restored awards."""
    now = now or timezone.now()
    totals = {"awarded": 0, "revoked": 0}
    if user_ids is not None:
        user_ids = sorted(set(user_ids))
        if not user_ids:
            return totals
    for badge in Badge.objects.filter(active=True).order_by("pk"):
        counts = badge_evaluate(badge, user_ids=user_ids, now=now)
        totals["awarded"] += counts["awarded"]
        totals["revoked"] += counts["revoked"]
    return totals


def badges_evaluate_in_chunks(*, chunks: Sequence[Sequence[int]], now: datetime) -> dict[str, int]:
    """badges_evaluate for the people of every chunk (the nightly run over everyone), each badge's rule
    run once over everyone rather than once per chunk: a rule's queries read the same activity tables
    however few people they are asked about, so per chunk their cost would be paid again for each one.
    The awards are then brought in line a chunk at a time (bounded transactions and queries)."""
    totals = {"awarded": 0, "revoked": 0}
    for badge in Badge.objects.filter(active=True).order_by("pk"):
        rule = RULES.get(badge.rule)
        if rule is None:
            logger.warning("badge %s names an unknown rule %r", badge.slug, badge.rule)
            continue
        with whole_table_reads():
            qualifiers = rule(badge, None, now)
        by_user: defaultdict[int, list[Qualifier]] = defaultdict(list)
        for qualifier in qualifiers:
            by_user[qualifier.user_id].append(qualifier)
        for chunk in chunks:
            people = sorted(set(chunk))
            mine = [qualifier for user_id in people for qualifier in by_user.get(user_id, ())]
            counts = badge_evaluate(badge, user_ids=people, now=now, qualifiers=mine)
            totals["awarded"] += counts["awarded"]
            totals["revoked"] += counts["revoked"]
    return totals


def badge_evaluate(
    badge: Badge, *, user_ids: list[int] | None, now: datetime, qualifiers: Iterable[Qualifier] | None = None
) -> dict[str, int]:
    """One badge for these people (None: everyone); see badges_evaluate. `qualifiers`: the rule's
    outcome for these people when already known (see badges_evaluate_in_chunks)."""
    if qualifiers is None:
        rule = RULES.get(badge.rule)
        if rule is None:
            # A badge created in the admin with a rule no code implements yet: skip it, loudly.
            logger.warning("badge %s names an unknown rule %r", badge.slug, badge.rule)
            return {"awarded": 0, "revoked": 0}
        with whole_table_reads():
            qualifiers = rule(badge, user_ids, now)

    # What should hold: one entry per (user, key), keys collapsed to "" for badges granted once.
    wanted: dict[tuple[int, str], dict] = {}
    for user_id, key, evidence in sorted(qualifiers, key=lambda q: (q.user_id, q.key)):
        wanted.setdefault((user_id, key if badge.multiple else ""), evidence)

    existing = BadgeAward.objects.filter(badge=badge)
    if user_ids is not None:
        existing = existing.filter(user_id__in=user_ids)
    held: dict[tuple[int, str], tuple[int, datetime | None]] = {}
    for pk, user_id, key, revoked_at in existing.values_list("pk", "user_id", "key", "revoked_at"):
        slot = (user_id, key if badge.multiple else "")
        # Of two awards in one slot (a badge switched from many grants to one), an active one wins.
        if slot not in held or held[slot][1] is not None:
            held[slot] = (pk, revoked_at)

    new = [slot for slot in wanted if slot not in held]
    restore = {slot: held[slot][0] for slot in wanted if slot in held and held[slot][1] is not None}
    revoke = (
        [pk for slot, (pk, revoked_at) in held.items() if revoked_at is None and slot not in wanted]
        if badge.auto_revoke
        else []
    )
    if not (new or restore or revoke):
        return {"awarded": 0, "revoked": 0}

    with transaction.atomic():
        if new:
            BadgeAward.objects.bulk_create(
                [
                    BadgeAward(badge=badge, user_id=u, key=k, evidence=wanted[u, k], awarded_at=now)
                    for u, k in new
                ],
                ignore_conflicts=True,
                batch_size=1000,
            )
        if restore:
            BadgeAward.objects.filter(pk__in=list(restore.values())).update(revoked_at=None)
        if revoke:
            BadgeAward.objects.filter(pk__in=revoke).update(revoked_at=now)
        # Notify only the awards this run wrote: with ignore_conflicts, an award that a concurrent run
        # inserted first is not ours to announce. Ours carry this run's `now` as awarded_at.
        created = set()
        if new:
            stamped = BadgeAward.objects.filter(badge=badge, awarded_at=now)
            if user_ids is not None:
                # A run over everyone in chunks stamps every chunk's awards with the same `now`.
                stamped = stamped.filter(user_id__in=user_ids)
            stamped = stamped.values_list("user_id", "key")
            created = set(stamped) & set(new)
        _notify(badge, {u for u, _k in created} | {u for u, _k in restore})
    return {"awarded": len(created) + len(restore), "revoked": len(revoke)}


def _notify(badge: Badge, user_ids: set[int]) -> None:
    """Tell each newly awarded person, linking to the badge's page. One query for the people, then one
    notification each (a message to a person is per award by nature)."""
    if not user_ids:
        return
    url = reverse("community:badge", kwargs={"slug": badge.slug})
    message = f"You earned the {badge.name} badge ({badge.get_tier_display()}): {badge.description}"
    users = list(get_user_model().objects.filter(pk__in=sorted(user_ids)).order_by("pk").only("pk", "email"))
    notifications_send(users=users, message=message, url=url)
