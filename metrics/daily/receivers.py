"""The daily aggregates follow single-row writes too: a row saved one at a time (the admin, a fixture, a
one-off fix) moves its counts as the services' batches do (metrics.daily.keeping), and an account
flagged a bot (or no longer one) moves its requests in or out of the request counts.

The first responses kept on issues and requests (metrics.daily.responses) follow a saved comment,
review, issue or request, a change of who an account is (saved, or in bulk: forge_accounts_changed),
and the deletion of an account or of a user (whose accounts then belong to nobody).

Deletes are not followed here: a receiver of deletes would make Django load every row of a cascade
(a repository's whole history) one by one. The aggregates are deleted with their repository; the
services follow the commits they delete; anything else is repaired by `rebuild_daily_aggregates`.
"""

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from metrics.daily import responses
from metrics.daily.facts import SOURCES
from metrics.daily.keeping import apply, facts_where
from metrics.models import Comment, ForgeAccount, Issue, PullRequest, Review
from metrics.models.activity import IDENTITY_FIELDS
from metrics.signals import forge_accounts_changed

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


_ITEMS_BEFORE = "_first_response_items_before"


def _answered(instance) -> tuple[set[int], set[int]]:
    """(request ids, issue ids) whose first response a saved row of `instance`'s model decides."""
    if isinstance(instance, PullRequest):
        return {instance.pk}, set()
    if isinstance(instance, Issue):
        return set(), {instance.pk}
    if isinstance(instance, Review):
        return {instance.pull_request_id}, set()
    return {instance.pull_request_id} - {None}, {instance.issue_id} - {None}


def items_before_save(sender, instance, update_fields=None, **kwargs) -> None:
    """Remember what the stored row answered (a comment moved to another item leaves its old one)."""
    if instance.pk is not None and isinstance(instance, Comment | Review):
        stored = type(instance)._default_manager.filter(pk=instance.pk).first()
        if stored is not None:
            setattr(instance, _ITEMS_BEFORE, _answered(stored))


def items_after_save(sender, instance, **kwargs) -> None:
    requests, issues = _answered(instance)
    before_requests, before_issues = instance.__dict__.pop(_ITEMS_BEFORE, (set(), set()))
    responses.first_responses_refresh_ids(
        request_ids=requests | before_requests, issue_ids=issues | before_issues
    )


_IDENTITY_BEFORE = "_identity_before"


def account_before_save(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and not IDENTITY_FIELDS.intersection(update_fields)):
        return
    stored = ForgeAccount.objects.filter(pk=instance.pk).values_list("user_id", "is_bot").first()
    if stored is not None and stored != (instance.user_id, instance.is_bot):
        setattr(instance, _IDENTITY_BEFORE, True)


def account_after_save(sender, instance, **kwargs) -> None:
    if instance.__dict__.pop(_IDENTITY_BEFORE, False):
        responses.first_responses_refresh_for_accounts(account_ids=[instance.pk])


def accounts_changed(sender, account_ids, **kwargs) -> None:
    responses.first_responses_refresh_for_accounts(account_ids=account_ids)


_ITEMS_OF_DELETED = "_first_response_items_of_deleted"


def account_before_delete(sender, instance, **kwargs) -> None:
    """Its rows lose their author when it goes (SET_NULL): find them while they still name it."""
    setattr(instance, _ITEMS_OF_DELETED, responses.items_of_accounts(account_ids=[instance.pk]))


def account_after_delete(sender, instance, **kwargs) -> None:
    requests, issues = instance.__dict__.pop(_ITEMS_OF_DELETED, (set(), set()))
    responses.first_responses_refresh_ids(request_ids=requests, issue_ids=issues)


def user_before_delete(sender, instance, **kwargs) -> None:
    """A user's accounts belong to nobody once the user goes: unlinked here, through the bulk update
    that the first responses follow, before the deletion sets them to NULL unseen."""
    ForgeAccount.objects.filter(user=instance).update(user=None)


def connect() -> None:
    for model in (*SOURCES, ForgeAccount):
        pre_save.connect(before_save, sender=model, dispatch_uid=f"metrics.daily.before.{model.__name__}")
        post_save.connect(after_save, sender=model, dispatch_uid=f"metrics.daily.after.{model.__name__}")
    for model in (PullRequest, Issue, Review, Comment):
        name = model.__name__
        pre_save.connect(items_before_save, sender=model, dispatch_uid=f"metrics.responses.before.{name}")
        post_save.connect(items_after_save, sender=model, dispatch_uid=f"metrics.responses.after.{name}")
    pre_save.connect(
        account_before_save, sender=ForgeAccount, dispatch_uid="metrics.responses.account_before"
    )
    post_save.connect(account_after_save, sender=ForgeAccount, dispatch_uid="metrics.responses.account_after")
    pre_delete.connect(
        account_before_delete, sender=ForgeAccount, dispatch_uid="metrics.responses.account_before_delete"
    )
    post_delete.connect(
        account_after_delete, sender=ForgeAccount, dispatch_uid="metrics.responses.account_after_delete"
    )
    pre_delete.connect(
        user_before_delete,
        sender=settings.AUTH_USER_MODEL,
        dispatch_uid="metrics.responses.user_before_delete",
    )
    forge_accounts_changed.connect(accounts_changed, dispatch_uid="metrics.responses.accounts_changed")
