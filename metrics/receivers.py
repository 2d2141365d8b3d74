"""Usage events for what other apps announce: an adoption ("Use this") and a sign-up.

Recording never fails the action it counts: usage_record falls back to the database when Redis fails,
and anything else unexpected is logged here rather than raised into the adoption or the sign-up.
"""

import logging

from metrics.models import UsageKind
from metrics.usage import usage_record

logger = logging.getLogger(__name__)


def asset_adopted_receiver(sender, adoption, user=None, **kwargs) -> None:
    try:
        usage_record(
            kind=UsageKind.USE_THIS,
            user=user,
            asset=adoption.asset_id,
            project=adoption.asset.project_id,
            consumer=adoption.team,
        )
    except Exception:  # noqa: BLE001
        logger.exception("usage: could not record the adoption %s", adoption.pk)


def user_signed_up_receiver(sender, request=None, user=None, **kwargs) -> None:
    try:
        usage_record(kind=UsageKind.SIGN_UP, request=request, user=user, path="/accounts/signup/")
    except Exception:  # noqa: BLE001
        logger.exception("usage: could not record a sign-up")
