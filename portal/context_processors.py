from django.conf import settings
from django.http import HttpRequest

from catalog.permissions import is_program_office


def portal(request: HttpRequest) -> dict:
    """What every page's layout needs: the viewer's curation right, unread notifications, and which forge
    sign-ins are configured (a page offers to connect only those)."""
    user = request.user
    unread = user.notifications.unread().count() if user.is_authenticated else 0
    providers = settings.SOCIALACCOUNT_PROVIDERS
    return {
        "is_program_office": is_program_office(user),
        "unread_notifications": unread,
        "forge_sign_in": {"github": "github" in providers, "gitlab": "gitlab" in providers},
    }
