"""The API's projects: register, edit, review, curate, and the entries similar to a project."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import curation, selectors, services
from catalog.api.filters import ProjectFilter
from catalog.api.serializers.projects import (
    CurationSerializer,
    LookAlikeSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    RegistrationRefusedSerializer,
    ReviewSerializer,
    SimilarEntrySerializer,
)
from catalog.api.views.common import require_editor, visible_projects
from catalog.models import Project, ProjectRole
from catalog.permissions import is_program_office

# How many similar entries /projects/{slug}/similar/ lists, unless asked, and at most.
SIMILAR_DEFAULT, SIMILAR_MAX = 5, 20


@extend_schema(tags=["catalog"])
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects of the catalog. Registering makes a project that waits for the program office's review."""

    queryset = Project.objects.none()  # the model, for the schema; get_queryset gives the rows
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = ProjectFilter
    ordering_fields = ["name", "activity_score", "created_at", "updated_at"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            visible_projects(self.request.user)
            .select_related("business_unit")
            .prefetch_related(
                "topics",
                "languages",
                "repositories",
                "visible_units",
                Prefetch("roles", queryset=ProjectRole.objects.select_related("user")),
            )
        )

    def get_serializer_class(self):
        if self.action in {"create", "partial_update"}:
            return ProjectWriteSerializer
        if self.action == "review":
            return ReviewSerializer
        if self.action == "curate":
            return CurationSerializer
        if self.action == "similar":
            return SimilarEntrySerializer
        return ProjectSerializer

    def _project_data(self, project: Project) -> dict:
        """The project as the API shows it, read again after a write."""
        return ProjectSerializer(self.get_queryset().get(pk=project.pk)).data

    def _program_office_request(self, serializer_class, *, what: str) -> tuple[Project, dict]:
        """The project and the checked request of an action only the program office takes."""
        project = self.get_object()
        if not is_program_office(self.request.user):
            raise PermissionDenied(f"Only the program office {what}.")
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return project, serializer.validated_data

    def _check_duplicates(
        self, serializer, *, exclude_pk: int | None = None, confirm: bool
    ) -> Response | None:
        """selectors.registration_check on the request: None when it may go ahead, else the API's 400
        error with the look-alikes. A new registration (`confirm`) is checked by meaning too; an edit,
        never held up by look-alikes, by repository and name."""
        fields = serializer.validated_data
        check = selectors.registration_check(
            registration=serializer.registration(),
            viewer=self.request.user,
            exclude_pk=exclude_pk,
            confirmed_different=bool(fields.get("not_a_duplicate")) if confirm else None,
        )
        if not check.errors:
            return None
        refused = serializers.ValidationError({field: [message] for field, message in check.errors.items()})
        response = self.handle_exception(refused)  # the API's one error shape (EXCEPTION_HANDLER)
        response.data["look_alikes"] = LookAlikeSerializer(
            check.duplicates, many=True, context={"request": self.request}
        ).data
        return response

    @extend_schema(
        request=ProjectWriteSerializer, responses={201: ProjectSerializer, 400: RegistrationRefusedSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = ProjectWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        refused = self._check_duplicates(serializer, confirm=True)
        if refused is not None:
            return refused
        project = services.project_register(user=request.user, fields=serializer.to_fields())
        return Response(self._project_data(project), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ProjectWriteSerializer, responses={200: ProjectSerializer, 400: RegistrationRefusedSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        require_editor(request.user, project, "edit it")
        serializer = ProjectWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = serializer.to_fields(current=project)
        refused = self._check_duplicates(serializer, exclude_pk=project.pk, confirm=False)
        if refused is not None:
            return refused
        services.project_update(project=project, user=request.user, fields=fields)
        return Response(self._project_data(project))

    def update(self, request, *args, **kwargs):  # PUT is not offered: edits are partial
        return self.http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(request=ReviewSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, slug=None):
        """The program office approves a registration, asks for changes or rejects it (with a reason)."""
        project, decision = self._program_office_request(ReviewSerializer, what="reviews registrations")
        curation.project_review(project=project, reviewer=request.user, **decision)
        return Response(self._project_data(project))

    @extend_schema(request=CurationSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def curate(self, request, slug=None):
        """The program office features or verifies a project."""
        project, flags = self._program_office_request(CurationSerializer, what="curates the catalog")
        for flag, value in flags.items():
            curation.project_flag_set(project=project, user=request.user, flag=flag, value=value)
        return Response(self._project_data(project))

    @extend_schema(
        parameters=[
            OpenApiParameter("limit", int, description=f"1 to {SIMILAR_MAX}; more gives {SIMILAR_MAX}.")
        ],
        responses={200: SimilarEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def similar(self, request, slug=None):
        """Before you build this, look at…: the projects and assets nearest in meaning to this project
        (its name, description, motivation, topics and skills) among those the caller may see, most
        similar first. Neither the project nor its own assets are listed."""
        project = self.get_object()
        limit = serializers.IntegerField(min_value=1).run_validation(
            request.query_params.get("limit", SIMILAR_DEFAULT)
        )
        similar = selectors.similar_entries(
            viewer=request.user, project=project, limit=min(limit, SIMILAR_MAX)
        )
        return Response(SimilarEntrySerializer(similar, many=True, context={"request": request}).data)
