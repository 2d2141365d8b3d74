from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction

from portal.models import Notification


def notification_send(
    *, user: AbstractBaseUser, message: str, url: str = "", email_body: str = ""
) -> Notification:
    """Tell a person something on the site and, when they have an address, by e-mail after commit."""
    notification = Notification.objects.create(user=user, message=message[:500], url=url)
    if user.email:
        link = f"{settings.PORTAL_BASE_URL}{url}" if url.startswith("/") else url
        body = "\n\n".join(part for part in (email_body or message, link) if part)
        transaction.on_commit(
            lambda: send_mail(
                subject=f"[InnerSource Portal] {message[:120]}",
                message=body,
                from_email=None,
                recipient_list=[user.email],
                fail_silently=True,
            )
        )
    return notification
