"""What signing in tells the portal about a person, from allauth's signals (connected in
CommunityConfig.ready): the business unit the company sign-on (OIDC) states in a claim, a GitHub login or
GitLab username the forge's own sign-in proves, e-mail addresses allauth verified, and with those the
person's organisation directory entry. Every change goes through community.identity, like the program
office's."""

import logging

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from catalog.models import BusinessUnit, Forge
from community import identity
from community.directory import directory_link
from community.models import UnitSource
from community.services import practitioner_ensure

logger = logging.getLogger(__name__)

# allauth's provider id → (our forge, the key of the forge's user payload that holds the login).
FORGE_PROVIDERS = {"github": (Forge.GITHUB, "login"), "gitlab": (Forge.GITLAB, "username")}
OIDC_PROVIDER = "openid_connect"


def _provider_kind(account: SocialAccount) -> str:
    """The provider class's id ("github", "openid_connect"…): an OIDC app is stored under its own
    provider_id (e.g. "company-sso"), so the stored name alone does not say it is OIDC."""
    if account.provider in FORGE_PROVIDERS:
        return account.provider
    try:
        return account.get_provider().id
    except Exception:  # noqa: BLE001 - an app removed from the settings since: nothing to learn from it
        logger.warning("sign-in through %s, a provider no longer configured", account.provider)
        return ""


def _claims(account: SocialAccount) -> dict:
    """The OIDC claims: allauth keeps the userinfo answer and the ID token (older versions: one dict)."""
    data = account.extra_data or {}
    if "userinfo" in data or "id_token" in data:
        return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return data


def claimed_unit(value: object) -> BusinessUnit | None:
    """The business unit a claim names, by slug or name (case-insensitive); a list names its first
    known unit. Unknown values are logged and ignored: the claim adds no unit the program office did not
    create."""
    values = value if isinstance(value, list) else [value]
    names = [v.strip() for v in values if isinstance(v, str) and v.strip()]
    for name in names:
        unit = BusinessUnit.objects.filter(Q(slug__iexact=name) | Q(name__iexact=name)).first()
        if unit is not None:
            return unit
    if names:
        logger.warning("the sign-on names the business unit %r, which the portal does not know", names)
    return None


def social_account_apply(*, user: AbstractBaseUser, account: SocialAccount) -> None:
    """Learn what a social account proves about the person who signed in with it or linked it."""
    kind = _provider_kind(account)
    if kind in FORGE_PROVIDERS:
        forge, key = FORGE_PROVIDERS[kind]
        login = (account.extra_data or {}).get(key)
        if isinstance(login, str) and login.strip():
            identity.forge_identity_verify(
                practitioner=practitioner_ensure(user=user), forge=forge, login=login, proof="sign_in"
            )
    elif kind == OIDC_PROVIDER and settings.OIDC_BUSINESS_UNIT_CLAIM:
        claim = _claims(account).get(settings.OIDC_BUSINESS_UNIT_CLAIM)
        unit = claimed_unit(claim)
        if unit is not None:
            identity.practitioner_unit_set(
                practitioner=practitioner_ensure(user=user), unit=unit, source=UnitSource.SSO
            )


def signed_in(*, user: AbstractBaseUser, sociallogin=None) -> None:
    """A person signed up or signed in: what the sign-in proved, then what their verified addresses
    attribute (addresses a provider verified arrive without allauth's e-mail_confirmed signal)."""
    if sociallogin is not None and getattr(sociallogin, "account", None) is not None:
        social_account_apply(user=user, account=sociallogin.account)
    for email in user.emailaddress_set.filter(verified=True).values_list("email", flat=True):
        identity.email_address_verified(user=user, email=email)
    directory_link(user=user)


# allauth's signals ----------------------------------------------------------------------------------


def on_signed_in(sender, request, user, **kwargs) -> None:
    signed_in(user=user, sociallogin=kwargs.get("sociallogin"))


def on_social_account_added(sender, request, sociallogin, **kwargs) -> None:
    social_account_apply(user=sociallogin.user, account=sociallogin.account)
    directory_link(user=sociallogin.user)


def on_email_confirmed(sender, request, email_address, **kwargs) -> None:
    identity.email_address_verified(user=email_address.user, email=email_address.email)
    directory_link(user=email_address.user)


def on_email_removed(sender, request, user, email_address, **kwargs) -> None:
    identity.email_address_removed(user=user, email=email_address.email)


def connect() -> None:
    from allauth.account import signals as account_signals
    from allauth.socialaccount import signals as social_signals

    # A social sign-up proves its login even when the account waits for its address to be confirmed (no
    # sign-in yet): signing up counts as well as signing in. Both may come for one sign-up; what they
    # learn is idempotent (forge_identity_verify changes nothing the second time).
    account_signals.user_signed_up.connect(on_signed_in, dispatch_uid="community.signin.signed_up")
    account_signals.user_logged_in.connect(on_signed_in, dispatch_uid="community.signin.logged_in")
    account_signals.email_confirmed.connect(
        on_email_confirmed, dispatch_uid="community.signin.email_confirmed"
    )
    account_signals.email_removed.connect(on_email_removed, dispatch_uid="community.signin.email_removed")
    social_signals.social_account_added.connect(
        on_social_account_added, dispatch_uid="community.signin.social_account_added"
    )
