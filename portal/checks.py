"""Checks of the deployment that Django's own do not make, each reported in one line at start-up
(`manage.py check`, `runserver`, and by portal/wsgi.py under gunicorn) and, for what stops pages from
working, by /readyz.

Registered under the "portal" tag, not "staticfiles": collectstatic runs the staticfiles checks, and
would be told to run itself.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks

logger = logging.getLogger(__name__)


def static_manifest_in_use() -> bool:
    """With DEBUG off the static files storage (whitenoise's compressed manifest) names each file by its
    hash from the manifest that collectstatic writes; without the manifest every page fails on its
    first {% static %}."""
    return isinstance(staticfiles_storage, ManifestFilesMixin) and staticfiles_storage.manifest_strict


def static_files_problem() -> str | None:
    """Why pages cannot be rendered for want of collected static files, or None. The storage reads the
    manifest once, when the process starts."""
    storage = staticfiles_storage
    if not static_manifest_in_use():
        return None
    if storage.read_manifest() is None:
        return (
            f"The static files are not collected ({storage.manifest_name} is missing in "
            f"{settings.STATIC_ROOT}), so every page would fail: run `python manage.py collectstatic "
            "--noinput`, then start the portal again."
        )
    if not storage.hashed_files:
        return (
            "The static files were collected after this process started and it cannot serve them: "
            "start the portal again."
        )
    return None


@checks.register("portal")
def static_files_collected(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = static_files_problem()
    # A warning, not an error: an error would stop `migrate` and every other command as well.
    return [checks.Warning(problem, id="portal.W001")] if problem else []


@checks.register("portal")
def sign_up_hides_accounts(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """allauth hides at sign-up whether an address has an account only when addresses are verified
    before the account is used (see ACCOUNT_PREVENT_ENUMERATION in portal/settings/accounts.py)."""
    if settings.ACCOUNT_PREVENT_ENUMERATION and settings.ACCOUNT_EMAIL_VERIFICATION != "mandatory":
        return [
            checks.Warning(
                f"ACCOUNT_EMAIL_VERIFICATION is {settings.ACCOUNT_EMAIL_VERIFICATION!r}: signing up with "
                "an address that has an account is refused on the form, which tells anyone that it has "
                "one. Set it to 'mandatory'.",
                id="portal.W002",
            )
        ]
    return []


@checks.register("portal")
def sign_in_proves_the_synced_forge(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Signing in with GitHub (or GitLab) proves a login on the forge the sign-in goes to, and the proof
    attributes the activity the sync brings from the forge the sync reads: they must be one forge, or
    proving "alice" on github.com would take GitHub Enterprise "alice"'s history."""
    problems = []
    if settings.SOCIALACCOUNT_PROVIDERS.get("github"):
        sign_in = urlsplit(settings.GITHUB_URL or "https://github.com").hostname or ""
        sync = (urlsplit(settings.GITHUB_API_URL).hostname or "").removeprefix("api.")
        if sign_in != sync:
            problems.append(
                checks.Error(
                    f"Sign in with GitHub goes to {sign_in} while the sync reads {settings.GITHUB_API_URL}: "
                    "a login proven on one would take the other's activity. Set GITHUB_URL and "
                    "GITHUB_API_URL to the same GitHub.",
                    id="portal.E003",
                )
            )
    return problems


def log_problems_at_start() -> None:
    """For servers that run no system checks (gunicorn): one line per problem in the log."""
    for message in checks.run_checks(tags=["portal"]):
        logger.warning("%s: %s", message.id, message.msg)
