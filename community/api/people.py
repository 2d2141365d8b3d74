"""The API of people: practitioners (public fields, as each profile's privacy allows), memberships,
trusted committers and kudos."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.models import Project, ProjectRole
from catalog.permissions import can_edit_project
from community import selectors, services
from community.api.common import (
    COMPANY,
    ID_PATH,
    USERNAME_PATH,
    BusinessUnitRefSerializer,
    User,
    editor_projects,
    id_parameter,
    is_office,
    listed_projects,
    visible_project,
)
from community.models import BadgeAward, Membership, Practitioner, Stage

# --- practitioners -------------------------------------------------------------------------------------


def _details_shown(request) -> Q:
    """People (users) whose profile details (unit, team, bio, skills) the caller sees. A person without a
    profile yet has the defaults: visible to the company."""
    if is_office(request):
        return Q()
    return Q(pk=request.user.pk) | Q(practitioner__isnull=True) | Q(practitioner__visibility=COMPANY)


def _shown_with(request, flag: str) -> Q:
    """People whose profile shows `flag` (show_badges / show_activity / show_projects) to the caller."""
    if is_office(request):
        return Q()
    return (
        Q(pk=request.user.pk)
        | Q(practitioner__isnull=True)
        | Q(practitioner__visibility=COMPANY, **{f"practitioner__{flag}": True})
    )


class PractitionerFilter(filters.FilterSet):
    stage = filters.ChoiceFilter(
        choices=Stage.choices,
        method="filter_stage",
        help_text="People at this journey stage (only those whose profile shows it to you).",
    )
    skill = filters.CharFilter(
        method="filter_skill",
        max_length=60,
        help_text="People with this skill of the curated vocabulary (case-insensitive name).",
    )
    business_unit = filters.CharFilter(
        method="filter_business_unit", max_length=120, help_text="People of this business unit (its slug)."
    )

    class Meta:
        model = User
        fields: list[str] = []

    def filter_stage(self, queryset, name, value):
        at_stage = Q(practitioner__stage=value)
        if value == Stage.EXPLORER:
            at_stage |= Q(practitioner__isnull=True)  # everyone starts as an explorer
        return queryset.filter(at_stage & _shown_with(self.request, "show_badges"))

    def filter_skill(self, queryset, name, value):
        holders = Practitioner.objects.filter(skills__name__iexact=value.strip()).values("user_id")
        return queryset.filter(Q(pk__in=holders) & _details_shown(self.request))

    def filter_business_unit(self, queryset, name, value):
        return queryset.filter(
            Q(practitioner__business_unit__slug=value.strip()) & _details_shown(self.request)
        )


def _tags(value) -> list[str]:
    return [str(tag) for tag in value] if isinstance(value, list) else []


class PractitionerSerializer(serializers.Serializer):
    """A profile as the caller may see it: what the profile hides is null (never an e-mail address)."""

    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="The profile page.")
    private = serializers.BooleanField(
        read_only=True, help_text="The person shows only their name to colleagues."
    )
    business_unit = BusinessUnitRefSerializer(read_only=True, allow_null=True)
    team = serializers.CharField(read_only=True, allow_null=True)
    bio = serializers.CharField(read_only=True, allow_null=True)
    skills = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    interests = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    stage = serializers.ChoiceField(choices=Stage.choices, read_only=True, allow_null=True)
    participation_level = serializers.ChoiceField(
        choices=Practitioner._meta.get_field("participation_level").choices, read_only=True, allow_null=True
    )
    badges_count = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Badges the person currently holds."
    )

    def to_representation(self, user):
        request = self.context["request"]
        practitioner = selectors.practitioner_of(user)
        owner = request.user.pk == user.pk
        privileged = owner or is_office(request)
        public = practitioner.visibility == COMPANY
        details = privileged or public
        badges = privileged or (public and practitioner.show_badges)
        activity = privileged or (public and practitioner.show_activity)
        unit = practitioner.business_unit if details else None
        skills = [skill.name for skill in practitioner.skills.all()] if practitioner.pk else []
        return super().to_representation(
            {
                "username": user.get_username(),
                "display_name": selectors.display_name(user),
                "url": reverse("community:profile", kwargs={"username": user.get_username()}),
                "private": not public,
                "business_unit": unit,
                "team": practitioner.team if details else None,
                "bio": practitioner.bio if details else None,
                "skills": skills if details else None,
                "interests": _tags(practitioner.interests) if details else None,
                "stage": practitioner.stage if badges else None,
                "participation_level": practitioner.participation_level if activity else None,
                "badges_count": getattr(user, "badges_count", 0) if badges else None,
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="Practitioners",
        description="Active people, by username, with the public part of their profile.",
        tags=["community"],
    ),
    retrieve=extend_schema(summary="A practitioner", tags=["community"]),
)
class PractitionerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PractitionerSerializer
    filterset_class = PractitionerFilter
    lookup_field = "username"
    lookup_value_regex = USERNAME_PATH
    ordering_fields = ["username"]
    ordering = ["username"]

    def get_queryset(self):
        current = (
            BadgeAward.objects.filter(user=OuterRef("pk"), revoked_at__isnull=True, badge__active=True)
            .order_by()
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            User.objects.filter(is_active=True)
            .select_related("practitioner__business_unit")
            .prefetch_related("practitioner__skills")
            .annotate(badges_count=Coalesce(Subquery(current, output_field=IntegerField()), Value(0)))
        )


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


@extend_schema_view(
    list=extend_schema(
        summary="Community memberships",
        description=(
            "Current members of project communities. As on the members pages, you see the members who "
            "show their projects on their profile, yourself, and every member of the projects you run."
        ),
        tags=["community"],
    ),
    create=extend_schema(
        summary="Join a project's community",
        description="You join as yourself; joining again answers 200 with the membership you have.",
        request=MembershipJoinSerializer,
        responses={201: MembershipSerializer, 200: MembershipSerializer},
        tags=["community"],
    ),
    destroy=extend_schema(
        summary="Leave a project's community",
        description="Only the member leaves; nobody ends someone else's membership (403).",
        parameters=[id_parameter("membership")],
        responses={204: OpenApiResponse(description="You left the community.")},
        tags=["community"],
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
        project = visible_project(request, payload.validated_data["project"])
        if project is None:
            raise ValidationError({"project": ["There is no such project in the catalog."]})
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


@extend_schema_view(
    list=extend_schema(
        summary="Trusted committers",
        description="Who holds the trusted-committer role of the projects you can see.",
        tags=["community"],
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
        tags=["community"],
    ),
    destroy=extend_schema(
        summary="Remove a trusted committer",
        description="For the project's maintainers and owners and the program office.",
        parameters=[id_parameter("trusted-committer role")],
        responses={204: OpenApiResponse(description="The role is withdrawn.")},
        tags=["community"],
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
        project = visible_project(request, payload.validated_data["project"])
        if project is None:
            raise ValidationError({"project": ["There is no such project in the catalog."]})
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


# --- kudos ---------------------------------------------------------------------------------------------


class KudosCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]+\Z", max_length=150, help_text="Whom to thank.")
    message = serializers.CharField(
        max_length=4 * services.KUDOS_MAX,
        help_text=f"Plain text (markup is removed), up to {services.KUDOS_MAX} characters.",
    )
    project = serializers.SlugField(
        max_length=120, required=False, allow_null=True, help_text="Optional: a listed project it was for."
    )

    def validate_message(self, value: str) -> str:
        text = selectors.plain_text(value)
        if not text:
            raise serializers.ValidationError("Write a few words of thanks.")
        if len(text) > services.KUDOS_MAX:
            raise serializers.ValidationError(
                f"At most {services.KUDOS_MAX} characters, please (this is {len(text)})."
            )
        return text


class KudosSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="receiver.username", read_only=True, help_text="Who was thanked.")
    project = serializers.CharField(source="project.slug", read_only=True, allow_null=True)
    message = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


@extend_schema_view(
    create=extend_schema(
        summary="Thank someone (kudos)",
        description=(
            "Anyone signed in thanks someone else (not themselves: 403) whose profile shows more than a "
            "name, optionally for a listed project. The person is told, and it shows on their profile."
        ),
        request=KudosCreateSerializer,
        responses={201: KudosSerializer},
        tags=["community"],
    ),
)
class KudosViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = KudosCreateSerializer

    def create(self, request, *args, **kwargs):
        payload = KudosCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        receiver = (
            User.objects.select_related("practitioner")
            .filter(username=data["username"], is_active=True)
            .first()
        )
        if receiver is None:
            raise ValidationError({"username": ["There is no active person with this username."]})
        if receiver.pk == request.user.pk:
            raise PermissionDenied("Kudos are for thanking others.")
        practitioner = selectors.practitioner_of(receiver)
        if practitioner.visibility != COMPANY and not is_office(request):
            # The profile page offers kudos only where the profile shows more than a name.
            raise PermissionDenied("This person keeps their profile private.")
        project = None
        if data.get("project"):
            project = Project.objects.listed().visible_to(request.user).filter(slug=data["project"]).first()
            if project is None:
                raise ValidationError({"project": ["Kudos can name only projects listed in the catalog."]})
        try:
            kudos = services.kudos_give(
                giver=request.user, receiver=receiver, message=data["message"], project=project
            )
        except ValueError as error:
            raise ValidationError({"message": [str(error)]}) from None
        return Response(KudosSerializer(kudos).data, status=status.HTTP_201_CREATED)
