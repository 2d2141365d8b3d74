"""Forge accounts: who a login or a git e-mail is, created or refreshed as activity arrives, linked to
the portal user who has verified the identity, and flagged when a bot."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from metrics.models import ForgeAccount
from metrics.sync.records import AccountRecord

# A practitioner's forge identity attributes an account only once verified (proven through the forge's
# sign-in, the organisation directory or the program office): a login merely typed claims nothing.
IDENTITY_FIELDS: dict[str, tuple[str, str]] = {
    "github": ("practitioner__github_login", "practitioner__github_login_verified"),
    "gitlab": ("practitioner__gitlab_username", "practitioner__gitlab_username_verified"),
}


def is_bot(account: AccountRecord) -> bool:
    """Bots are left out of every metric: `[bot]` logins, accounts of type Bot, and PORTAL_BOT_LOGINS."""
    login = account.login.lower()
    return account.is_bot or login.endswith("[bot]") or login in settings.PORTAL_BOT_LOGINS


def accounts_upsert(*, forge: str, records: Iterable[AccountRecord]) -> dict[str, ForgeAccount]:
    """ForgeAccounts for these records by lower-cased login, created or refreshed. An account is linked
    to the portal user who has verified its e-mail address as soon as one is known (a request author
    often arrives without an e-mail, which a later commit brings), or who has verified its login."""
    wanted: dict[str, AccountRecord] = {}
    for record in records:
        if record and record.login:
            wanted[record.login.lower()[:255]] = record
    if not wanted:
        return {}
    existing = {a.login: a for a in ForgeAccount.objects.filter(forge=forge, login__in=list(wanted))}
    missing = [login for login in wanted if login not in existing]
    if missing:
        ForgeAccount.objects.bulk_create(
            [ForgeAccount(forge=forge, login=login, is_bot=is_bot(wanted[login])) for login in missing],
            ignore_conflicts=True,
        )
        existing.update({a.login: a for a in ForgeAccount.objects.filter(forge=forge, login__in=missing)})
    emails = {
        (wanted[login].email or existing[login].email).lower()
        for login in wanted
        if existing[login].user_id is None and (wanted[login].email or existing[login].email)
    }
    people = get_user_model().objects
    users = {}
    if emails:
        # allauth's addresses, verified by mail or by the sign-on (stored lower-cased): an address a
        # person merely typed attributes nothing. One filter() call, so both conditions hold for one row.
        verified = people.filter(emailaddress__email__in=emails, emailaddress__verified=True)
        users = dict(verified.values_list("emailaddress__email", "pk"))
    # A practitioner's verified forge identity (their profile's GitHub login or GitLab username) also
    # attributes the account. Read through the ORM relation, so metrics does not import community.
    identity_field, verified_field = IDENTITY_FIELDS.get(forge, ("", ""))
    unlinked = [login for login in wanted if existing[login].user_id is None]
    by_login = {}
    if identity_field and unlinked:
        matches = people.filter(**{verified_field: True}).annotate(identity=Lower(identity_field))
        by_login = dict(matches.filter(identity__in=unlinked).values_list("identity", "pk"))
    for login, record in wanted.items():
        account = existing[login]
        email = (record.email or account.email)[:254]
        fresh = {
            "external_id": record.external_id or account.external_id,
            "name": (record.name or account.name)[:255],
            "email": email,
            "is_bot": account.is_bot or is_bot(record),
            "user_id": account.user_id or by_login.get(login) or users.get(email.lower()),
        }
        changed = [key for key, value in fresh.items() if getattr(account, key) != value]
        if changed:
            for key in changed:
                setattr(account, key, fresh[key])
            # One save() per account, of what changed: an account found to be a bot takes its requests
            # out of the daily counts on the way (metrics.daily.receivers, which looks only when is_bot
            # is among the fields saved).
            account.save(update_fields=changed)
    return existing


def account_id(accounts: dict[str, ForgeAccount], record: AccountRecord | None) -> int | None:
    if record is None or not record.login:
        return None
    return accounts[record.login.lower()[:255]].pk
