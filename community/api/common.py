"""What the community API's modules share: path patterns, the caller's standing, project visibility, the
documentation of the endpoints, people's names, and the endpoints of records held at most once."""

from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.models import Project
from catalog.permissions import is_program_office
from catalog.selectors import project_for_viewer
from community import selectors
from community.models import Practitioner

User = get_user_model()

COMPANY = Practitioner.Visibility.COMPANY
# Django's username characters (letters, digits and @.+-_); anything else in a path is no username.
USERNAME_PATH = r"[\w.@+-]+"
SLUG_PATH = r"[-a-zA-Z0-9_]+"
ID_PATH = r"[0-9]{1,18}"


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


def requested_person(username: str):
    """The active person a request's `username` field names, with their profile: a field error (400)
    when there is none."""
    person = User.objects.select_related("practitioner").filter(username=username, is_active=True).first()
    if person is None:
        raise ValidationError({"username": ["There is no active person with this username."]})
    return person


# --- people and projects named in requests -------------------------------------------------------------
# Django's usernames have at most 150 characters, the catalog's project slugs 120.


def username_input(help_text: str) -> serializers.RegexField:
    return serializers.RegexField(rf"^{USERNAME_PATH}\Z", max_length=150, help_text=help_text)


def username_filter(help_text: str) -> filters.CharFilter:
    """`?username=`: the records of one person (their `user`)."""
    return filters.CharFilter(field_name="user__username", max_length=150, help_text=help_text)


def project_filter() -> filters.CharFilter:
    """`?project=`: the records of one project, by its slug."""
    return filters.CharFilter(field_name="project__slug", max_length=120, help_text="The project's slug.")


class DisplayNameField(serializers.CharField):
    """The name of the record's person (its `user`) as the pages show it (selectors.display_name)."""

    def __init__(self, **kwargs):
        super().__init__(source="user", read_only=True, **kwargs)

    def to_representation(self, value) -> str:
        return selectors.display_name(value)


# --- shared references ---------------------------------------------------------------------------------


class BusinessUnitRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


# --- documentation -------------------------------------------------------------------------------------


def documented(**operations):
    """A community viewset's documentation: its operations' (drf_spectacular's extend_schema_view), under
    the API's "community" tag."""

    def decorate(viewset):
        return extend_schema(tags=["community"])(extend_schema_view(**operations)(viewset))

    return decorate


# --- records held at most once -------------------------------------------------------------------------


class HeldOnceViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Records a person holds at most once (a membership, a role), listed, made and ended by id. Making
    one that exists answers 200 with it, a new one 201: `create_serializer_class` reads the request, and
    `record_make` finds or makes the record and tells whether it is new."""

    lookup_value_regex = ID_PATH
    create_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        return self.create_serializer_class if self.action == "create" else self.serializer_class

    def record_make(self, request, data: dict) -> tuple[Any, bool]:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        payload = self.create_serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        record, new = self.record_make(request, payload.validated_data)
        answer = status.HTTP_201_CREATED if new else status.HTTP_200_OK
        return Response(self.serializer_class(record, context=self.get_serializer_context()).data, answer)

    @staticmethod
    def create_schema(*, summary: str, description: str, request, response):
        return extend_schema(
            summary=summary,
            description=description,
            request=request,
            responses={201: response, 200: response},
        )

    @staticmethod
    def destroy_schema(*, summary: str, description: str, record: str, done: str):
        """`record`: what the id in the path names; `done`: what the 204 answer means."""
        return extend_schema(
            summary=summary,
            description=description,
            parameters=[
                OpenApiParameter(
                    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {record}'s id."
                )
            ],
            responses={204: OpenApiResponse(description=done)},
        )
