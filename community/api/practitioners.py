"""The API of practitioners: public fields, as each profile's privacy allows."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets

from community import selectors
from community.api.common import (
    COMPANY,
    USERNAME_PATH,
    BusinessUnitRefSerializer,
    User,
    documented,
    is_office,
)
from community.models import BadgeAward, Practitioner, Stage

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


@documented(
    list=extend_schema(
        summary="Practitioners",
        description="Active people, by username, with the public part of their profile.",
    ),
    retrieve=extend_schema(summary="A practitioner"),
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
