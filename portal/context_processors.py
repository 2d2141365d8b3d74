from django.http import HttpRequest

from catalog.permissions import is_program_office


def portal(request: HttpRequest) -> dict:
    """What every page's layout needs: the viewer's curation right and unread notifications."""
    user = request.user
    unread = user.notifications.unread().count() if user.is_authenticated else 0
    return {"is_program_office": is_program_office(user), "unread_notifications": unread}
