"""Recognising and removing what an earlier `seed_demo` wrote (for idempotence and `--reset`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import ProtectedError, Q
from django.utils.text import slugify

from catalog.models import BusinessUnit, Project
from metrics.models import ForgeAccount
from portal.demo import words as data
from portal.demo.projects import PROJECTS

EMAIL_DOMAIN = "acme.example"
User = get_user_model()


def demo_slugs() -> tuple[list[str], list[str]]:
    """The slugs of the demo business units and of the demo projects."""
    return [u.slug for u in data.UNITS], [slugify(p.name) for p in PROJECTS]


def demo_present() -> bool:
    unit_slugs, project_slugs = demo_slugs()
    unit_names = [u.name for u in data.UNITS]
    return (
        BusinessUnit.objects.filter(Q(slug__in=unit_slugs) | Q(name__in=unit_names)).exists()
        or Project.objects.filter(slug__in=project_slugs).exists()
        or User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").exists()
    )


def demo_reset() -> None:
    """Delete what an earlier seed_demo wrote; rows of other origin are left alone."""
    unit_slugs, project_slugs = demo_slugs()
    # Deleting a project cascades to its roles, repositories, assets, adoptions, history and index entries.
    Project.objects.filter(slug__in=project_slugs).delete()
    # Users cascade to their practitioner profiles, e-mail addresses, roles and notifications.
    User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").delete()
    ForgeAccount.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").delete()
    try:
        BusinessUnit.objects.filter(slug__in=unit_slugs).delete()
    except ProtectedError as error:
        raise CommandError(
            "Projects or adoptions that seed_demo did not create still use the demo business units; "
            "move or delete them before --reset."
        ) from error
