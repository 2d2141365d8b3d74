"""The API of recognition: badges and their awards."""

from django.db.models import Count, Q
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from community import selectors
from community.api.common import (
    COMPANY,
    SLUG_PATH,
    is_office,
)
from community.models import Badge, BadgeAward

# --- badges and awards ---------------------------------------------------------------------------------


class BadgeFilter(filters.FilterSet):
    tier = filters.ChoiceFilter(choices=Badge.Tier.choices)

    class Meta:
        model = Badge
        fields: list[str] = []


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


@extend_schema_view(
    list=extend_schema(summary="Badges", description="The active badges.", tags=["community"]),
    retrieve=extend_schema(summary="A badge", tags=["community"]),
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
    username = filters.CharFilter(field_name="user__username", max_length=150, help_text="The holder.")

    class Meta:
        model = BadgeAward
        fields: list[str] = []


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    badge = serializers.CharField(source="badge.slug", read_only=True, help_text="The badge's slug.")
    badge_name = serializers.CharField(source="badge.name", read_only=True)
    tier = serializers.ChoiceField(source="badge.tier", choices=Badge.Tier.choices, read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.SerializerMethodField()
    awarded_at = serializers.DateTimeField(read_only=True)

    def get_display_name(self, award) -> str:
        return selectors.display_name(award.user)


@extend_schema_view(
    list=extend_schema(
        summary="Badge awards",
        description=(
            "Badges people hold now, of the people whose profile shows their badges to you (yours always)."
        ),
        tags=["community"],
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
