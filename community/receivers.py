"""Reactions of the community app to what other apps announce (metrics never imports community)."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

from community.services import memberships_move
from community.tasks import evaluate_people

logger = logging.getLogger(__name__)


def contributions_recorded_receiver(sender, user_ids, **kwargs) -> None:
    """Queue the evaluation of the people whose contributions were just recorded (after commit)."""
    if not user_ids:
        return
    try:
        evaluate_people.delay(list(user_ids))
    except BrokerUnavailable:
        # A sync must not fail because the broker hiccups; the nightly evaluation catches these people up.
        logger.warning("could not queue the journey evaluation of %d people", len(user_ids), exc_info=True)


def project_merged_receiver(sender, source, target, user_ids, joining_ids, **kwargs) -> None:
    """A duplicate was merged (inside the merge's transaction): its people leave its community, and
    those who may see the kept project join that one's; their journeys are evaluated again once the
    merge is committed."""
    moved = memberships_move(
        source=source, target=target, leaving_ids=list(user_ids), joining_ids=list(joining_ids)
    )
    if moved:
        transaction.on_commit(lambda: contributions_recorded_receiver(sender, user_ids=moved))
