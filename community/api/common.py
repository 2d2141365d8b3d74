"""What the community API's modules share: path patterns, the caller's standing, project visibility."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from catalog.models import Project, ProjectRole, ReviewStatus
from catalog.views import can_edit
from community.models import Practitioner
from portal.permissions import is_program_office

User = get_user_model()

COMPANY = Practitioner.Visibility.COMPANY
# Django's username characters (letters, digits and @.+-_); anything else in a path is no username.
USERNAME_PATH = r"[\w.@+-]+"
SLUG_PATH = r"[-a-zA-Z0-9_]+"
ID_PATH = r"[0-9]{1,18}"


def id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")


def is_office(request) -> bool:
    """Whether the caller is the program office, asked once per request (it costs a query)."""
    cached = getattr(request, "_portal_is_office", None)
    if cached is None:
        cached = is_program_office(request.user)
        request._portal_is_office = cached
    return cached


def editor_projects(user):
    return ProjectRole.objects.filter(user_id=user.pk, role__in=ProjectRole.EDITOR_ROLES).values("project_id")


def listed_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}review_status": ReviewStatus.APPROVED, f"{prefix}merged_into__isnull": True})


def visible_project(request, slug: str) -> Project | None:
    """A project the caller may see: one they may know of (a restricted project only by the business
    units it is shared with) that is listed or theirs to edit, as the pages show it; else None, so that
    neither a pending registration nor a restricted project of others is revealed."""
    projects = Project.objects.visible_to(request.user).select_related("business_unit")
    project = projects.filter(slug=slug).first()
    if project is None or not (project.is_listed or can_edit(request.user, project)):
        return None
    return project


# --- shared references ---------------------------------------------------------------------------------


class BusinessUnitRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
