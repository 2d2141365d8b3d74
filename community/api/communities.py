"""The API of project communities: memberships (joining and leaving) and trusted committers."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.models import ProjectRole
from catalog.permissions import can_edit_project
from community import selectors, services
from community.api.common import (
    COMPANY,
    ID_PATH,
    User,
    editor_projects,
    id_parameter,
    is_office,
    listed_projects,
    requested_project,
)
from community.models import Membership

# --- memberships ---------------------------------------------------------------------------------------


class MembershipFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__slug", max_length=120, help_text="The project's slug.")
    username = filters.CharFilter(field_name="user__username", max_length=150, help_text="The member.")

    class Meta:
        model = Membership
        fields: list[str] = []


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.CharField(source="project.slug", read_only=True, help_text="The project's slug.")
    project_name = serializers.CharField(source="project.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.SerializerMethodField()
    joined_at = serializers.DateTimeField(read_only=True)

    def get_display_name(self, membership) -> str:
        return selectors.display_name(membership.user)


class MembershipJoinSerializer(serializers.Serializer):
    project = serializers.SlugField(
        max_length=120, help_text="The slug of the project whose community to join."
    )


@extend_schema(tags=["community"])
@extend_schema_view(
    list=extend_schema(
        summary="Community memberships",
        description=(
            "Current members of project communities. As on the members pages, you see the members who "
            "show their projects on their profile, yourself, and every member of the projects you run."
        ),
    ),
    create=extend_schema(
        summary="Join a project's community",
        description="You join as yourself; joining again answers 200 with the membership you have.",
        request=MembershipJoinSerializer,
        responses={201: MembershipSerializer, 200: MembershipSerializer},
    ),
    destroy=extend_schema(
        summary="Leave a project's community",
        description="Only the member leaves; nobody ends someone else's membership (403).",
        parameters=[id_parameter("membership")],
        responses={204: OpenApiResponse(description="You left the community.")},
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    lookup_value_regex = ID_PATH
    ordering_fields = ["joined_at"]
    ordering = ["joined_at", "pk"]

    def get_queryset(self):
        active = Membership.objects.filter(left_at__isnull=True).select_related(
            "project", "user__practitioner"
        )
        if is_office(self.request):
            return active
        user = self.request.user
        shown = Q(user__practitioner__isnull=True) | Q(
            user__practitioner__visibility=COMPANY, user__practitioner__show_projects=True
        )
        return active.filter(
            Q(user_id=user.pk)
            | Q(project__in=editor_projects(user))
            | (Q(project__in=listed_projects(user)) & shown)
        )

    def get_serializer_class(self):
        return MembershipJoinSerializer if self.action == "create" else MembershipSerializer

    def create(self, request, *args, **kwargs):
        payload = MembershipJoinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = requested_project(request, payload.validated_data["project"])
        existed = Membership.objects.filter(project=project, user=request.user, left_at__isnull=True).exists()
        membership = services.membership_join(project=project, user=request.user)
        membership.project, membership.user = project, request.user
        answer = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(MembershipSerializer(membership, context=self.get_serializer_context()).data, answer)

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        if membership.user_id != request.user.pk:
            raise PermissionDenied("Only the member can leave a community; nobody ends another's membership.")
        services.membership_leave(project=membership.project, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- trusted committers --------------------------------------------------------------------------------


class TrustedCommitterFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__slug", max_length=120, help_text="The project's slug.")
    username = filters.CharFilter(field_name="user__username", max_length=150, help_text="The person.")

    class Meta:
        model = ProjectRole
        fields: list[str] = []


class TrustedCommitterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.CharField(source="project.slug", read_only=True, help_text="The project's slug.")
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.SerializerMethodField()
    since = serializers.DateTimeField(source="created_at", read_only=True)

    def get_display_name(self, role) -> str:
        return selectors.display_name(role.user)


class TrustedCommitterAppointSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=120, help_text="The project's slug.")
    username = serializers.RegexField(
        r"^[\w.@+-]+\Z", max_length=150, help_text="The person to appoint (an active account)."
    )


@extend_schema(tags=["community"])
@extend_schema_view(
    list=extend_schema(
        summary="Trusted committers",
        description="Who holds the trusted-committer role of the projects you can see.",
    ),
    create=extend_schema(
        summary="Appoint a trusted committer",
        description=(
            "For the project's maintainers and owners and the program office. The recorded reason is the "
            "evidence the portal finds (merged requests and reviews), as on the members page. Appointing "
            "someone who holds the role already answers 200."
        ),
        request=TrustedCommitterAppointSerializer,
        responses={201: TrustedCommitterSerializer, 200: TrustedCommitterSerializer},
    ),
    destroy=extend_schema(
        summary="Remove a trusted committer",
        description="For the project's maintainers and owners and the program office.",
        parameters=[id_parameter("trusted-committer role")],
        responses={204: OpenApiResponse(description="The role is withdrawn.")},
    ),
)
class TrustedCommitterViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = TrustedCommitterSerializer
    filterset_class = TrustedCommitterFilter
    lookup_value_regex = ID_PATH
    ordering_fields = ["created_at"]
    ordering = ["project__slug", "created_at", "pk"]

    def get_queryset(self):
        roles = ProjectRole.objects.filter(role=ProjectRole.Role.TRUSTED_COMMITTER).select_related(
            "project", "user__practitioner"
        )
        if is_office(self.request):
            return roles
        # The members page names a project's trusted committers to everyone who can see the project.
        user = self.request.user
        return roles.filter(Q(project__in=listed_projects(user)) | Q(project__in=editor_projects(user)))

    def get_serializer_class(self):
        return TrustedCommitterAppointSerializer if self.action == "create" else TrustedCommitterSerializer

    def create(self, request, *args, **kwargs):
        payload = TrustedCommitterAppointSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        project = requested_project(request, payload.validated_data["project"])
        if not can_edit_project(request.user, project):
            raise PermissionDenied(
                "Only the project's maintainers and owners (or the program office) appoint trusted committers."
            )
        person = (
            User.objects.select_related("practitioner")
            .filter(username=payload.validated_data["username"], is_active=True)
            .first()
        )
        if person is None:
            raise ValidationError({"username": ["There is no active person with this username."]})
        held = ProjectRole.objects.filter(
            project=project, user=person, role=ProjectRole.Role.TRUSTED_COMMITTER
        ).exists()
        evidence = {
            c.user.pk: c for c in selectors.trusted_committer_candidates(project=project, now=timezone.now())
        }
        reason = evidence[person.pk].reason if person.pk in evidence else ""
        try:
            role = services.trusted_committer_appoint(
                project=project, user=person, by=request.user, reason=reason
            )
        except ValueError as error:
            raise ValidationError({"username": [str(error)]}) from None
        role.project, role.user = project, person
        answer = status.HTTP_200_OK if held else status.HTTP_201_CREATED
        return Response(TrustedCommitterSerializer(role, context=self.get_serializer_context()).data, answer)

    def destroy(self, request, *args, **kwargs):
        role = self.get_object()
        services.trusted_committer_remove(project=role.project, user=role.user, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
