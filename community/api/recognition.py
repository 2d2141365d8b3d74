"""The API of recognition: badges and their awards, and kudos (one person thanking another)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.models import Project
from community import selectors, services
from community.api.common import (
    COMPANY,
    SLUG_PATH,
    DisplayNameField,
    documented,
    is_office,
    requested_person,
    username_filter,
    username_input,
)
from community.models import Badge, BadgeAward

# --- badges and awards ---------------------------------------------------------------------------------


class BadgeFilter(filters.FilterSet):
    tier = filters.ChoiceFilter(choices=Badge.Tier.choices)


class BadgeSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    how_to_earn = serializers.CharField(read_only=True)
    tier = serializers.ChoiceField(choices=Badge.Tier.choices, read_only=True)
    multiple = serializers.BooleanField(read_only=True, help_text="Granted again for each new achievement.")
    active = serializers.BooleanField(read_only=True)
    holders = serializers.IntegerField(read_only=True, help_text="People who hold it now.")
    held_by_me = serializers.IntegerField(read_only=True, help_text="How many times you hold it now.")
    url = serializers.SerializerMethodField(help_text="The badge's page.")

    def get_url(self, badge) -> str:
        return reverse("community:badge", kwargs={"slug": badge.slug})


@documented(
    list=extend_schema(summary="Badges", description="The active badges."),
    retrieve=extend_schema(summary="A badge"),
)
class BadgeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BadgeSerializer
    filterset_class = BadgeFilter
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATH
    ordering_fields = ["name", "tier"]
    ordering = ["name"]

    def get_queryset(self):
        current = Q(awards__revoked_at__isnull=True)
        badges = Badge.objects.annotate(
            holders=Count("awards__user", filter=current, distinct=True),
            held_by_me=Count("awards", filter=current & Q(awards__user_id=self.request.user.pk)),
        )
        return badges.filter(active=True) if self.action == "list" else badges


class AwardFilter(filters.FilterSet):
    badge = filters.CharFilter(field_name="badge__slug", max_length=50, help_text="The badge's slug.")
    username = username_filter("The holder.")


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    badge = serializers.CharField(source="badge.slug", read_only=True, help_text="The badge's slug.")
    badge_name = serializers.CharField(source="badge.name", read_only=True)
    tier = serializers.ChoiceField(source="badge.tier", choices=Badge.Tier.choices, read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = DisplayNameField()
    awarded_at = serializers.DateTimeField(read_only=True)


@documented(
    list=extend_schema(
        summary="Badge awards",
        description=(
            "Badges people hold now, of the people whose profile shows their badges to you (yours always)."
        ),
    ),
)
class AwardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    ordering_fields = ["awarded_at"]
    ordering = ["-awarded_at", "pk"]

    def get_queryset(self):
        awards = BadgeAward.objects.filter(
            revoked_at__isnull=True, badge__active=True, user__is_active=True
        ).select_related("badge", "user__practitioner")
        if is_office(self.request):
            return awards
        user = self.request.user
        return awards.filter(
            Q(user_id=user.pk)
            | Q(user__practitioner__isnull=True)
            | Q(user__practitioner__visibility=COMPANY, user__practitioner__show_badges=True)
        )


# --- kudos ---------------------------------------------------------------------------------------------


class KudosCreateSerializer(serializers.Serializer):
    username = username_input("Whom to thank.")
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


@documented(
    create=extend_schema(
        summary="Thank someone (kudos)",
        description=(
            "Anyone signed in thanks someone else (not themselves: 403) whose profile shows more than a "
            "name, optionally for a listed project. The person is told, and it shows on their profile."
        ),
        request=KudosCreateSerializer,
        responses={201: KudosSerializer},
    ),
)
class KudosViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = KudosCreateSerializer

    def create(self, request, *args, **kwargs):
        payload = KudosCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        receiver = requested_person(data["username"])
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
