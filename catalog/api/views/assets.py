"""The API's assets and adoptions ("Use this")."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.api.filters import AdoptionFilter, AssetFilter
from catalog.api.serializers.assets import (
    AdoptionEndSerializer,
    AdoptionSerializer,
    AssetSerializer,
    AssetWriteSerializer,
)
from catalog.api.views.common import AnnotationOrdering, require_editor, visible_projects
from catalog.models import Adoption, Asset, Project


def _active_adoptions() -> Q:
    today = timezone.now().date()
    in_use = Q(adoptions__ended_on__isnull=True) | Q(adoptions__ended_on__gt=today)
    return in_use & Q(adoptions__since__lte=today)


@extend_schema(tags=["catalog"])
class AssetViewSet(
    AnnotationOrdering,
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
        require_editor(request.user, project, "add its assets")
        asset = services.asset_save(project=project, user=request.user, fields=serializer.to_fields())
        return Response(
            AssetSerializer(self.get_queryset().get(pk=asset.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=AssetWriteSerializer, responses={200: AssetSerializer})
    def partial_update(self, request, *args, **kwargs):
        asset = self.get_object()
        require_editor(request.user, asset.project, "edit its assets")
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
