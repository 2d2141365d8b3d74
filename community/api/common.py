"""What the community API's modules share: path patterns, the caller's standing, project visibility."""

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from catalog.models import Project
from catalog.permissions import is_program_office
from catalog.selectors import project_for_viewer
from community.models import Practitioner

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
    """The ids of the projects this person edits (catalog.permissions' rule, as a subquery)."""
    return Project.objects.editable_by(user).values("pk")


def listed_projects(user):
    """The ids of the listed projects this person sees, as a subquery."""
    return Project.objects.listed().visible_to(user).values("pk")


def requested_project(request, slug: str) -> Project:
    """The project a request's `project` field names (catalog.selectors.project_for_viewer): a field
    error (400) where a page answers 404."""
    try:
        return project_for_viewer(viewer=request.user, slug=slug)
    except Http404:
        raise ValidationError({"project": ["There is no such project in the catalog."]}) from None


# --- shared references ---------------------------------------------------------------------------------


class BusinessUnitRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
