"""The radar of re-built wheels in the API (program office only): the clusters, and the two actions
the page offers (not duplicates, tell the owners)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.pagination import PortalPagination
from catalog.permissions import is_program_office
from catalog.radar.selectors import cluster_for_viewer, radar_page
from catalog.radar.services import cluster_dismiss, cluster_owners_tell


class DuplicateMemberSerializer(serializers.Serializer):
    slug = serializers.CharField(help_text="the project's slug (an asset's project)")
    name = serializers.CharField()
    business_unit = serializers.CharField(help_text="the business unit's name")
    kind = serializers.CharField(help_text='"project", or the asset\'s kind')
    asset = serializers.CharField(allow_null=True, help_text="the asset's slug, null for a project")
    url = serializers.CharField(help_text="the member's page")


class DuplicateClusterSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="the cluster's key: the same members give the same key")
    projects = DuplicateMemberSerializer(many=True)
    similarity = serializers.FloatField(help_text="0 to 1: the mean cosine of the members' pairs")
    evidence = serializers.CharField()
    business_units = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    owners_told_at = serializers.DateTimeField(allow_null=True)
    merge_urls = serializers.ListField(child=serializers.CharField())


class DuplicatesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    computed_at = serializers.DateTimeField(allow_null=True, help_text="the last run; null before the first")
    clusters = DuplicateClusterSerializer(many=True)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class NoticeSerializer(serializers.Serializer):
    sent = serializers.BooleanField(help_text="false: already sent today, nothing sent again")
    sent_at = serializers.DateTimeField()
    recipients = serializers.IntegerField()


def _office(request) -> None:
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office reads the radar of re-built wheels.")


def _member(member) -> dict:
    project = member.project
    if member.asset_id:
        kind, name, asset = member.asset.kind, member.asset.name, member.asset.slug
        url = reverse("catalog:asset", kwargs={"slug": project.slug, "asset_slug": asset})
    else:
        kind, name, asset, url = "project", project.name, None, project.get_absolute_url()
    return {
        "slug": project.slug,
        "name": name,
        "business_unit": project.business_unit.name,
        "kind": kind,
        "asset": asset,
        "url": url,
    }


class DuplicatesView(APIView):
    @extend_schema(
        tags=["catalog"],
        operation_id="duplicates",
        parameters=[OpenApiParameter("page", int)],
        responses=DuplicatesSerializer,
    )
    def get(self, request):
        """Groups of projects and assets that look like one job built more than once, waiting for a
        decision: across business units first, then the most alike (program office only)."""
        _office(request)
        page_size = PortalPagination().get_page_size(request)
        number = request.query_params.get("page", "1")
        if not number.isdigit() or int(number) < 1:
            raise serializers.ValidationError({"page": ["A whole number from 1."]})
        radar = radar_page(viewer=request.user, page_number=int(number), per_page=page_size)
        if int(number) > radar.page.paginator.num_pages:
            raise Http404
        clusters = [
            {
                "id": cluster.key,
                "projects": [_member(member) for member in cluster.members.all()],
                "similarity": cluster.similarity,
                "evidence": cluster.evidence,
                "business_units": cluster.business_units,
                "computed_at": cluster.computed_at,
                "owners_told_at": cluster.notice.sent_at if cluster.notice else None,
                "merge_urls": [url for _, _, url in cluster.merge_links],
            }
            for cluster in radar.clusters
        ]
        body = {
            "count": radar.page.paginator.count,
            "page": radar.page.number,
            "pages": radar.page.paginator.num_pages,
            "computed_at": radar.last_run.finished_at if radar.last_run else None,
            "clusters": clusters,
        }
        return Response(DuplicatesSerializer(body).data)


def _cluster(request, key: str):
    _office(request)
    cluster = cluster_for_viewer(viewer=request.user, key=key)
    if cluster is None:
        raise Http404
    return cluster


class DuplicateDismissView(APIView):
    @extend_schema(
        tags=["catalog"],
        operation_id="duplicates_not_duplicates",
        request=DismissSerializer,
        responses={204: None},
    )
    def post(self, request, key: str):
        """Mark a cluster "not duplicates", with why: it is not shown again unless another entry joins it."""
        cluster = _cluster(request, key)
        serializer = DismissSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            cluster_dismiss(cluster=cluster, user=request.user, reason=serializer.validated_data["reason"])
        except ValueError as error:
            raise serializers.ValidationError({"reason": [str(error)]}) from None
        return Response(status=204)


class DuplicateTellView(APIView):
    @extend_schema(
        tags=["catalog"], operation_id="duplicates_tell_owners", request=None, responses=NoticeSerializer
    )
    def post(self, request, key: str):
        """Tell the owners and maintainers of the cluster's projects they may want to talk (once a day)."""
        cluster = _cluster(request, key)
        result = cluster_owners_tell(cluster=cluster, user=request.user)
        notice = result.notice
        return Response(
            NoticeSerializer(
                {"sent": result.sent, "sent_at": notice.sent_at, "recipients": notice.recipients}
            ).data
        )
