"""Views of the catalog API: projects (register, edit, review, curate), assets, adoptions and the
named lists (topics, languages, business units)."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import curation, selectors, services
from catalog.api.filters import AdoptionFilter, AssetFilter, NameFilter, ProjectFilter
from catalog.api.serializers import (
    AdoptionEndSerializer,
    AdoptionSerializer,
    AssetSerializer,
    AssetWriteSerializer,
    BusinessUnitSerializer,
    CurationSerializer,
    LanguageSerializer,
    LookAlikeSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    RegistrationRefusedSerializer,
    ReviewSerializer,
    SimilarEntrySerializer,
    TopicSerializer,
)
from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    Language,
    Project,
    ProjectRole,
    Topic,
)
from catalog.permissions import can_edit_project, is_program_office

# How many similar entries /projects/{slug}/similar/ lists, unless asked, and at most.
SIMILAR_DEFAULT, SIMILAR_MAX = 5, 20


def visible_projects(user):
    """The projects this person may know of (ProjectQuerySet.visible_to), except those merged away."""
    return Project.objects.visible_to(user).filter(merged_into__isnull=True)


def _active_adoptions() -> Q:
    today = timezone.now().date()
    in_use = Q(adoptions__ended_on__isnull=True) | Q(adoptions__ended_on__gt=today)
    return in_use & Q(adoptions__since__lte=today)


def _require_editor(user, project: Project, what: str) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(f"Only the project's owners and maintainers (or the program office) {what}.")


class _AnnotationOrdering:
    """``?ordering=`` by a count the queryset annotates: ``annotation_ordering`` is (the ordering's name,
    the annotation, the field that breaks ties), and ``-name`` sorts from the largest."""

    annotation_ordering: tuple[str, str, str]

    def filter_queryset(self, queryset):
        ordering = self.request.query_params.get("ordering", "")
        queryset = super().filter_queryset(queryset)
        name, annotation, tie_break = self.annotation_ordering
        if ordering.lstrip("-") == name:
            queryset = queryset.order_by(("-" if ordering.startswith("-") else "") + annotation, tie_break)
        return queryset


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
        meaning = {}
        if confirm:
            meaning = {
                "description": fields.get("description", ""),
                "motivation": fields.get("motivation", ""),
                "topic_names": fields.get("topics", []),
                "skills": fields.get("skills_wanted", []),
            }
        check = selectors.registration_check(
            viewer=self.request.user,
            name=fields.get("name", ""),
            repository_urls=fields.get("repository_urls", []),
            exclude_pk=exclude_pk,
            confirmed_different=bool(fields.get("not_a_duplicate")) if confirm else None,
            **meaning,
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
        _require_editor(request.user, project, "edit it")
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


@extend_schema(tags=["catalog"])
class AssetViewSet(
    _AnnotationOrdering,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reusable assets (libraries, services, templates…) of the catalog's projects."""

    queryset = Asset.objects.none()
    lookup_value_regex = "[0-9]+"
    filterset_class = AssetFilter
    ordering_fields = ["name", "created_at", "adoptions"]
    ordering = ["name"]
    annotation_ordering = ("adoptions", "active_adoptions", "pk")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Asset.objects.filter(project__in=visible_projects(self.request.user))
            .select_related("project")
            .prefetch_related("topics", "languages")
            .annotate(active_adoptions=Count("adoptions", filter=_active_adoptions(), distinct=True))
        )

    def get_serializer_class(self):
        return AssetWriteSerializer if self.action in {"create", "partial_update"} else AssetSerializer

    @extend_schema(request=AssetWriteSerializer, responses={201: AssetSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AssetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A project this person does not see is as missing as one that does not exist (404 either way).
        project = get_object_or_404(visible_projects(request.user), slug=serializer.validated_data["project"])
        _require_editor(request.user, project, "add its assets")
        asset = services.asset_save(project=project, user=request.user, fields=serializer.to_fields())
        return Response(
            AssetSerializer(self.get_queryset().get(pk=asset.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AssetWriteSerializer, responses={200: AssetSerializer})
    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        _require_editor(request.user, asset.project, "edit its assets")
        serializer = AssetWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.asset_save(
            project=asset.project, user=request.user, fields=serializer.to_fields(current=asset), asset=asset
        )
        return Response(AssetSerializer(self.get_queryset().get(pk=asset.pk)).data)

    def update(self, request, *args, **kwargs):
        return self.http_method_not_allowed(request, *args, **kwargs)


@extend_schema(tags=["catalog"])
class AdoptionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Teams that use an asset ("Use this"). Anyone signed in records one for an approved project's asset;
    who recorded it, the project's owners and maintainers and the program office end it."""

    queryset = Adoption.objects.none()
    lookup_value_regex = "[0-9]+"
    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter
    ordering_fields = ["since", "created_at"]
    ordering = ["-since", "-pk"]

    def get_queryset(self):
        visible = Project.objects.listed().visible_to(self.request.user)
        return Adoption.objects.filter(asset__project__in=visible).select_related(
            "asset__project", *selectors.ADOPTION_RELATED
        )

    def get_serializer_class(self):
        return AdoptionEndSerializer if self.action == "end" else AdoptionSerializer

    # Every adoption leaves through selectors.adoptions_shown: one found in the code of a project the
    # viewer may not see does not name it.
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = selectors.adoptions_shown(list(queryset if page is None else page), viewer=request.user)
        data = AdoptionSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def get_object(self):
        adoption = super().get_object()
        selectors.adoptions_shown([adoption], viewer=self.request.user)
        return adoption

    @extend_schema(
        request=AdoptionSerializer,
        responses={201: AdoptionSerializer, 200: AdoptionSerializer},
        description="Records that a team uses an asset (201). The same team of the same unit declaring it "
        "again for the same product (names compared trimmed and case-insensitively) gets the adoption "
        "already recorded (200), and nothing new is recorded.",
    )
    def create(self, request, *args, **kwargs):
        serializer = AdoptionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data  # the serializer accepts only assets of listed projects one sees
        try:
            adoption, created = services.adoption_create(
                asset=data["asset"],
                user=request.user,
                business_unit=data["business_unit"],
                team=data["team"],
                product=data.get("product", ""),
                since=data.get("since"),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_detail(error)) from error
        return Response(
            AdoptionSerializer(adoption, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=AdoptionEndSerializer, responses={200: AdoptionSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """The team no longer uses the asset from `on` (today when left out); the adoption stays, with its
        end date, as history."""
        adoption = self.get_object()
        serializer = AdoptionEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.adoption_end(
                adoption=adoption, user=request.user, on=serializer.validated_data.get("on")
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(_detail(error)) from error
        return Response(AdoptionSerializer(adoption, context=self.get_serializer_context()).data)


def _detail(error: DjangoValidationError) -> dict | list:
    """A service's ValidationError as DRF's: by field when it names one."""
    return error.message_dict if hasattr(error, "error_dict") else error.messages


class _NamedViewSet(_AnnotationOrdering, viewsets.ReadOnlyModelViewSet):
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = NameFilter
    ordering_fields = ["name", "projects"]
    ordering = ["name"]
    annotation_ordering = ("projects", "project_count", "name")

    # Whether a name with no project this person sees is listed at all: a topic or language used only
    # by restricted projects would tell of them; business units are the organisation's, not a secret.
    lists_unused = False

    def get_queryset(self):
        seen = Project.objects.listed().visible_to(self.request.user).values("pk")
        names = self.model.objects.annotate(
            project_count=Count("projects", filter=Q(projects__in=seen), distinct=True)
        )
        if self.lists_unused:
            return names
        in_use = Q(projects__in=seen) | Q(assets__project__in=seen)
        return names.filter(pk__in=self.model.objects.filter(in_use).values("pk"))


@extend_schema(tags=["catalog"])
class TopicViewSet(_NamedViewSet):
    """Topics with the number of listed projects that carry them."""

    model = Topic
    serializer_class = TopicSerializer


@extend_schema(tags=["catalog"])
class LanguageViewSet(_NamedViewSet):
    model = Language
    serializer_class = LanguageSerializer


@extend_schema(tags=["catalog"])
class BusinessUnitViewSet(_NamedViewSet):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    lists_unused = True
    model = BusinessUnit
    serializer_class = BusinessUnitSerializer
