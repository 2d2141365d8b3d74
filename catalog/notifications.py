"""Notifications: a message on the site to one person or many, with an e-mail copy after commit. Every
app notifies (registration, curation, journey, badges, identities, discovery), so this lives in the base
app."""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction

from catalog.models import Notification

logger = logging.getLogger(__name__)


# Top-level domains reserved for examples and tests (RFC 2606, RFC 6761): no mail server delivers to
# them. The demo's fictional people live under acme.example, so seeding mails nobody.
UNDELIVERABLE_DOMAINS = (".example", ".invalid", ".test", ".localhost")


def deliverable(address: str) -> bool:
    return bool(address) and not address.rpartition("@")[2].lower().endswith(UNDELIVERABLE_DOMAINS)


# An e-mail's subject at most: the notification's message, cut after a whole word when longer.
SUBJECT_LENGTH = 120


def _subject(message: str) -> str:
    """ "[InnerSource Portal] " and the message, or as many of its whole words as fit, then "…"."""
    if len(message) > SUBJECT_LENGTH:
        message = message[: SUBJECT_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:(") + "…"
    return f"[InnerSource Portal] {message}"


def _mail(*, subject: str, body: str, address: str) -> None:
    """E-mail is a courtesy copy of the on-site notification: a mail server that is down loses nothing
    that matters, so it is logged, never raised into the request that caused it."""
    try:
        send_mail(
            subject=_subject(subject),
            message=body,
            from_email=None,
            recipient_list=[address],
        )
    except Exception:  # noqa: BLE001 - any transport failure
        logger.warning("could not e-mail %s", address, exc_info=True)


def notification_send(*, user: User, message: str, url: str = "", email_body: str = "") -> Notification:
    """Tell a person something on the site and, when they have an address, by e-mail after commit."""
    notification = Notification.objects.create(user=user, message=message[:500], url=url)
    if deliverable(user.email):
        link = f"{settings.PORTAL_BASE_URL}{url}" if url.startswith("/") else url
        body = "\n\n".join(part for part in (email_body or message, link) if part)
        address = user.email
        transaction.on_commit(lambda: _mail(subject=message, body=body, address=address))
    return notification


def notifications_send(*, users: list[User], message: str, url: str = "") -> int:
    """The same message to many people in one insert (badges, announcements); e-mails go after commit."""
    Notification.objects.bulk_create(
        [Notification(user=user, message=message[:500], url=url) for user in users]
    )
    recipients = [user.email for user in users if deliverable(user.email)]
    if recipients:
        link = f"{settings.PORTAL_BASE_URL}{url}" if url.startswith("/") else url
        body = "\n\n".join(part for part in (message, link) if part)

        def send() -> None:
            for address in recipients:
                _mail(subject=message, body=body, address=address)

        transaction.on_commit(send)
    return len(users)
