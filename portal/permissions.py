from django.conf import settings


def is_program_office(user) -> bool:
    """Program-office members (and superusers) curate the catalog."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or any(
        group.name == settings.PROGRAM_OFFICE_GROUP for group in user.groups.all()
    )
