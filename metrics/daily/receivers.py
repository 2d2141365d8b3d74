"""The daily aggregates follow single-row writes too: a row saved one at a time (the admin, a fixture, a
one-off fix) moves its counts as the services' batches do (metrics.daily.keeping), and an account
flagged a bot (or no longer one) moves its requests in or out of the request counts.

Deletes are not followed here: a receiver of deletes would make Django load every row of a cascade
(a repository's whole history) one by one. The aggregates are deleted with their repository; the
services follow the commits they delete; anything else is repaired by `rebuild_daily_aggregates`.
"""

from django.db.models import Q
from django.db.models.signals import post_save, pre_save

from metrics.daily.facts import SOURCES
from metrics.daily.keeping import apply, facts_where
from metrics.models import ForgeAccount, PullRequest

_BEFORE = "_daily_facts_before"


def _wheres(instance) -> dict[type, list[Q]] | None:
    """The rows whose facts a save of `instance` may change (None: none can)."""
    if isinstance(instance, ForgeAccount):
        return {PullRequest: [Q(author_id=instance.pk)]} if instance.pk else None
    return {type(instance): [Q(pk=instance.pk)]}


def _bot_flag_unchanged(instance, update_fields) -> bool:
    if not isinstance(instance, ForgeAccount):
        return False
    if instance.pk is None or (update_fields is not None and "is_bot" not in update_fields):
        return True
    stored = ForgeAccount.objects.filter(pk=instance.pk).values_list("is_bot", flat=True).first()
    return stored is None or stored == instance.is_bot


def before_save(sender, instance, update_fields=None, **kwargs) -> None:
    if _bot_flag_unchanged(instance, update_fields):
        return
    wheres = _wheres(instance)
    if wheres is not None:
        setattr(instance, _BEFORE, (wheres, facts_where(wheres) if instance.pk else None))


def after_save(sender, instance, **kwargs) -> None:
    stashed = instance.__dict__.pop(_BEFORE, None)
    if stashed is None:
        return
    wheres, before = stashed
    if before is None:  # a new row: nothing counted before it
        wheres = _wheres(instance)
        before = facts_where({})
    apply(facts_where(wheres).minus(before))


def connect() -> None:
    for model in (*SOURCES, ForgeAccount):
        pre_save.connect(before_save, sender=model, dispatch_uid=f"metrics.daily.before.{model.__name__}")
        post_save.connect(after_save, sender=model, dispatch_uid=f"metrics.daily.after.{model.__name__}")
