from django.apps import AppConfig
from django.db.models.signals import post_migrate


def grant_program_office_permissions(sender, **kwargs) -> None:
    """The program office curates catalog and community content in the admin too.

    Permissions exist only after migrate has run, hence a post_migrate hook rather than a data migration.
    """
    if sender.label not in {"catalog", "community", "metrics"}:
        return
    from django.conf import settings
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=settings.PROGRAM_OFFICE_GROUP)
    permissions = Permission.objects.filter(content_type__app_label=sender.label)
    group.permissions.add(*permissions)


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # Every app's post_migrate, since catalog, community and metrics get their permissions in their own.
        post_migrate.connect(grant_program_office_permissions)
        # Registers the portal's system checks (static files collected, sign-up hiding accounts).
        from portal import checks  # noqa: F401
