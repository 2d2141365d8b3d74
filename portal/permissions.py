from django.conf import settings


def is_program_office(user) -> bool:
    """Program-office members (and superusers) curate the catalog. Remembered on the user object, which
    lives for one request, because many checks of a page ask it."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_is_program_office", None)
    if cached is None:
        cached = user.is_superuser or any(
            group.name == settings.PROGRAM_OFFICE_GROUP for group in user.groups.all()
        )
        user._is_program_office = cached
    return cached
