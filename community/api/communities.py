"""The API of project communities: memberships (joining and leaving) and trusted committers."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.models import ProjectRole
from catalog.permissions import can_edit_project
from community import selectors, services
from community.api.common import (
    COMPANY,
    DisplayNameField,
    HeldOnceViewSet,
    documented,
    editor_projects,
    is_office,
    listed_projects,
    project_filter,
    requested_person,
    requested_project,
    username_filter,
    username_input,
)
from community.models import Membership

# --- memberships ---------------------------------------------------------------------------------------


class MembershipFilter(filters.FilterSet):
    project = project_filter()
    username = username_filter("The member.")


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.CharField(source="project.slug", read_only=True, help_text="The project's slug.")
    project_name = serializers.CharField(source="project.name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = DisplayNameField()
    joined_at = serializers.DateTimeField(read_only=True)


class MembershipJoinSerializer(serializers.Serializer):
    project = serializers.SlugField(
        max_length=120, help_text="The slug of the project whose community to join."
    )


@documented(
    list=extend_schema(
        summary="Community memberships",
        description=(
            "Current members of project communities. As on the members pages, you see the members who "
            "show their projects on their profile, yourself, and every member of the projects you run."
        ),
    ),
    create=HeldOnceViewSet.create_schema(
        summary="Join a project's community",
        description="You join as yourself; joining again answers 200 with the membership you have.",
        request=MembershipJoinSerializer,
        response=MembershipSerializer,
    ),
    destroy=HeldOnceViewSet.destroy_schema(
        summary="Leave a project's community",
        description="Only the member leaves; nobody ends someone else's membership (403).",
        record="membership",
        done="You left the community.",
    ),
)
class MembershipViewSet(HeldOnceViewSet):
    serializer_class = MembershipSerializer
    create_serializer_class = MembershipJoinSerializer
    filterset_class = MembershipFilter
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

    def record_make(self, request, data: dict) -> tuple[Membership, bool]:
        project = requested_project(request, data["project"])
        existed = Membership.objects.filter(project=project, user=request.user, left_at__isnull=True).exists()
        membership = services.membership_join(project=project, user=request.user)
        membership.project, membership.user = project, request.user
        return membership, not existed

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        if membership.user_id != request.user.pk:
            raise PermissionDenied("Only the member can leave a community; nobody ends another's membership.")
        services.membership_leave(project=membership.project, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- trusted committers --------------------------------------------------------------------------------


class TrustedCommitterFilter(filters.FilterSet):
    project = project_filter()
    username = username_filter("The person.")


class TrustedCommitterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    project = serializers.CharField(source="project.slug", read_only=True, help_text="The project's slug.")
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = DisplayNameField()
    since = serializers.DateTimeField(source="created_at", read_only=True)


class TrustedCommitterAppointSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=120, help_text="The project's slug.")
    username = username_input("The person to appoint (an active account).")


@documented(
    list=extend_schema(
        summary="Trusted committers",
        description="Who holds the trusted-committer role of the projects you can see.",
    ),
    create=HeldOnceViewSet.create_schema(
        summary="Appoint a trusted committer",
        description=(
            "For the project's maintainers and owners and the program office. The recorded reason is the "
            "evidence the portal finds (merged requests and reviews), as on the members page. Appointing "
            "someone who holds the role already answers 200."
        ),
        request=TrustedCommitterAppointSerializer,
        response=TrustedCommitterSerializer,
    ),
    destroy=HeldOnceViewSet.destroy_schema(
        summary="Remove a trusted committer",
        description="For the project's maintainers and owners and the program office.",
        record="trusted-committer role",
        done="The role is withdrawn.",
    ),
)
class TrustedCommitterViewSet(HeldOnceViewSet):
    serializer_class = TrustedCommitterSerializer
    create_serializer_class = TrustedCommitterAppointSerializer
    filterset_class = TrustedCommitterFilter
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

    def record_make(self, request, data: dict) -> tuple[ProjectRole, bool]:
        project = requested_project(request, data["project"])
        if not can_edit_project(request.user, project):
            raise PermissionDenied(
                "Only the project's maintainers and owners (or the program office) appoint trusted committers."
            )
        person = requested_person(data["username"])
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
        return role, not held

    def destroy(self, request, *args, **kwargs):
        role = self.get_object()
        services.trusted_committer_remove(project=role.project, user=role.user, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
