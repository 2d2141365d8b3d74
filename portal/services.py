import hashlib
import logging
import secrets
from datetime import timedelta

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from portal.models import ApiToken

logger = logging.getLogger(__name__)


TOKEN_PREFIX = "isp_"
MAX_TOKENS_PER_USER = 20
# Writing the last use on every request would turn each API read into a write; once a minute is enough
# to tell a person which tokens are still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenLimitReached(ValueError):
    pass


def api_token_digest(token: str) -> str:
    """Tokens are long random strings, so a fast hash is as safe as a slow one and costs nothing per call."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the returned string is the only time the token itself is known."""
    if ApiToken.objects.active().filter(user=user).count() >= MAX_TOKENS_PER_USER:
        raise TokenLimitReached(f"You have {MAX_TOKENS_PER_USER} tokens; revoke one you no longer use first.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, name=name.strip()[:80], prefix=token[:12], digest=api_token_digest(token)
    )
    _audit_token(user=user, token=record, action_flag=ADDITION, message="Created an API token")
    return record, token


def _audit_token(*, user: User, token: ApiToken, action_flag: int, message: str) -> None:
    """A token grants what its owner may do, so its making and revoking belong in the program office's
    audit log (Django's LogEntry, which the audit page shows beside the admin's own changes)."""
    LogEntry.objects.log_actions(
        user_id=user.pk, queryset=[token], action_flag=action_flag, change_message=message, single_object=True
    )


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the person's own tokens; False when there is no such active token of theirs."""
    token = ApiToken.objects.active().select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    _audit_token(user=user, token=token, action_flag=CHANGE, message="Revoked an API token")
    return True


def api_token_user(*, token: str) -> tuple[User, ApiToken] | None:
    """The active person a presented token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=api_token_digest(token), user__is_active=True)
        .first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user, record
