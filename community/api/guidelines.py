"""The API of the guidelines library: guides and templates, read only (they are edited in the admin)."""

import re

from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from community.api.common import SLUG_PATH, documented
from community.library import LibraryError, render_markdown, template_render
from community.models import Guide

# --- guidelines and templates --------------------------------------------------------------------------


class GuideFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Guide.Kind.choices, help_text="guide or template.")
    in_starter_kit = filters.BooleanFilter(help_text="Templates of the starter kit.")


class GuideSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Guide.Kind.choices, read_only=True)
    summary = serializers.CharField(read_only=True)
    filename = serializers.CharField(read_only=True, help_text="Templates: the file it becomes; else empty.")
    in_starter_kit = serializers.BooleanField(read_only=True)
    latest_version = serializers.IntegerField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    url = serializers.SerializerMethodField(help_text="The guide's page.")

    def get_url(self, guide) -> str:
        return reverse("community:guide_detail", kwargs={"slug": guide.slug})


class GuideVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(read_only=True)
    note = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class GuideDetailSerializer(GuideSerializer):
    version = serializers.IntegerField(
        source="shown_version", read_only=True, help_text="The version shown (?version=, else the latest)."
    )
    body = serializers.CharField(
        read_only=True, help_text="Markdown (guides) or the template's source with its placeholders."
    )
    body_html = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Guides: the Markdown as sanitised HTML; null for templates.",
    )
    preview = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Templates: the file it becomes, with placeholders; null for guides or when it cannot render.",
    )
    preview_error = serializers.CharField(
        read_only=True, allow_null=True, help_text="Why a template cannot be rendered; else null."
    )
    download_url = serializers.CharField(
        read_only=True, allow_null=True, help_text="Templates: the download page; null for guides."
    )
    versions = GuideVersionSerializer(source="version_list", many=True, read_only=True)


@documented(
    list=extend_schema(
        summary="Guidelines and templates",
        description="The library: guides to read and templates to take (those with at least one version).",
    ),
    retrieve=extend_schema(
        summary="A guide or template",
        description="Its text at one version, as Markdown and (guides) sanitised HTML, or (templates) a preview.",
        parameters=[
            OpenApiParameter(
                "version",
                OpenApiTypes.INT,
                description="A version number (404 when the guide has none such); the latest when omitted.",
            )
        ],
        responses={200: GuideDetailSerializer},
    ),
)
class GuideViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GuideSerializer
    filterset_class = GuideFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATH
    ordering_fields = ["title"]
    ordering = ["kind", "order", "title"]

    def get_queryset(self):
        return Guide.objects.annotate(
            latest_version=Max("versions__version"), updated_at=Max("versions__created_at")
        ).filter(latest_version__isnull=False)

    def retrieve(self, request, *args, **kwargs):
        guide = self.get_object()
        versions = list(guide.versions.all())
        version = versions[0]
        if "version" in request.query_params:
            wanted = request.query_params["version"]
            if not re.fullmatch(r"-?[0-9]{1,30}", wanted):
                raise ValidationError({"version": ["A version is a whole number."]})
            # As on the guide's page: a version it does not have is not found.
            version = next((v for v in versions if v.version == int(wanted)), None)
            if version is None:
                raise Http404(f"{guide.title} has no version {wanted}.")
        version.guide = guide
        guide.shown_version, guide.body, guide.version_list = version.version, version.body, versions
        guide.body_html = guide.preview = guide.preview_error = guide.download_url = None
        if guide.kind == Guide.Kind.GUIDE:
            guide.body_html = str(render_markdown(version.body))
        else:
            try:
                guide.preview = template_render(version=version, project=None)
            except LibraryError as error:
                guide.preview_error = str(error)
            guide.download_url = reverse("community:guide_download", kwargs={"slug": guide.slug})
        return Response(GuideDetailSerializer(guide).data)
