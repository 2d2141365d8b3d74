"""The catalog's API: search, projects, assets, adoptions, topics, languages and business units.

Reads are for signed-in people; writes go through catalog.services with the pages' permissions: anyone
signed in registers a project (it waits for review) and adopts assets; owners, maintainers and the
program office edit a project and its assets; the program office reviews and curates.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django_filters import rest_framework as filters
from django_filters.widgets import QueryArrayWidget
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors, services
from catalog.forms import maintainers_for, repository_urls_checked
from catalog.models import (
    Adoption,
    Asset,
    AssetKind,
    BusinessUnit,
    Language,
    Lifecycle,
    Project,
    ProjectRole,
    ReviewStatus,
    Topic,
    Visibility,
    sees_everything,
    visible_to_q,
)
from catalog.readiness import READINESS_ITEMS
from catalog.views import can_edit
from portal.permissions import is_program_office

MAX_WORDS = 20


# --- filters ------------------------------------------------------------------------------------------


class WordListField(forms.Field):
    """A repeatable query parameter (`?topic=a&topic=b`), as on the catalog pages."""

    widget = QueryArrayWidget

    def clean(self, value) -> list[str]:
        words = [v.strip() for v in (value or []) if isinstance(v, str) and v.strip()]
        if len(words) > MAX_WORDS:
            raise forms.ValidationError(f"At most {MAX_WORDS} values.")
        if any(len(word) > 120 or "\x00" in word for word in words):
            raise forms.ValidationError("Each value is a word of at most 120 characters.")
        return words


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class WordsFilter(filters.Filter):
    """Matches any of the given words (OR), like the catalog's facets."""

    field_class = WordListField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value}).distinct()


def _text_filter(fields: tuple[str, ...]):
    def method(queryset, name, value):
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

    return method


class ProjectFilter(filters.FilterSet):
    q = filters.CharFilter(
        method=_text_filter(("name", "slug", "description")),
        max_length=200,
        help_text="Words in the name or description (for ranked search with facets: /api/v1/search/).",
    )
    topic = WordsFilter(field_name="topics__name", help_text="Topic names (any of them).")
    language = WordsFilter(field_name="languages__name", help_text="Language names (any of them).")
    business_unit = WordsFilter(field_name="business_unit__slug", help_text="Business unit slugs.")
    lifecycle = filters.MultipleChoiceFilter(choices=Lifecycle.choices)
    review_status = filters.MultipleChoiceFilter(
        choices=ReviewStatus.choices, help_text="The program office sees every status; others their own."
    )
    wants_contributions = filters.BooleanFilter(method="filter_wants_contributions")
    featured = filters.BooleanFilter()
    verified = filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["q", "topic", "language", "business_unit", "lifecycle", "review_status"]

    def filter_wants_contributions(self, queryset, name, value):
        wanting = ~Q(contributions_wanted="")
        return queryset.filter(wanting) if value else queryset.exclude(wanting)


class AssetFilter(filters.FilterSet):
    q = filters.CharFilter(method=_text_filter(("name", "slug", "description")), max_length=200)
    project = filters.CharFilter(field_name="project__slug", max_length=120, help_text="Project slug.")
    kind = filters.MultipleChoiceFilter(choices=AssetKind.choices)
    topic = WordsFilter(field_name="topics__name")
    language = WordsFilter(field_name="languages__name")
    business_unit = WordsFilter(field_name="project__business_unit__slug")

    class Meta:
        model = Asset
        fields = ["q", "project", "kind", "topic", "language", "business_unit"]


class AdoptionFilter(filters.FilterSet):
    asset = filters.NumberFilter(field_name="asset_id", min_value=1, max_value=2**31 - 1)
    project = filters.CharFilter(field_name="asset__project__slug", max_length=120)
    business_unit = WordsFilter(field_name="business_unit__slug")
    active = filters.BooleanFilter(method="filter_active", help_text="Not ended (or ending in the future).")

    class Meta:
        model = Adoption
        fields = ["asset", "project", "business_unit"]

    def filter_active(self, queryset, name, value):
        active_ids = Adoption.objects.active().values("pk")
        return queryset.filter(pk__in=active_ids) if value else queryset.exclude(pk__in=active_ids)


class NameFilter(filters.FilterSet):
    q = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=60)


# --- serializers --------------------------------------------------------------------------------------


class RepositorySerializer(serializers.Serializer):
    url = serializers.CharField()
    forge = serializers.CharField()
    full_name = serializers.CharField()
    stars = serializers.IntegerField()
    forks = serializers.IntegerField()
    open_issues = serializers.IntegerField()
    last_synced_at = serializers.DateTimeField(allow_null=True)


class WordList(serializers.ListField):
    def __init__(self, *, max_length: int = 60, max_items: int = MAX_WORDS, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            child=serializers.CharField(max_length=max_length, trim_whitespace=True),
            max_length=max_items,
            **kwargs,
        )


def _names(related) -> list[str]:
    return [item.name for item in related.all()]


class ProjectSerializer(serializers.ModelSerializer):
    business_unit = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topics = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    owners = serializers.SerializerMethodField()
    maintainers = serializers.SerializerMethodField()
    repositories = RepositorySerializer(many=True, read_only=True)
    page = serializers.CharField(source="get_absolute_url", read_only=True)
    visible_units = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    # Empty when not given, so plain strings rather than "uri" in the schema.
    docs_url = serializers.CharField(read_only=True)
    contributing_url = serializers.CharField(read_only=True)
    logo_url = serializers.CharField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "description",
            "motivation",
            "business_unit",
            "lifecycle",
            "topics",
            "languages",
            "license",
            "docs_url",
            "contributing_url",
            "communication_url",
            "skills_wanted",
            "contributions_wanted",
            "logo_url",
            "declared_readiness",
            "review_status",
            "visibility",
            "visible_units",
            "featured",
            "verified",
            "activity_score",
            "repositories",
            "owners",
            "maintainers",
            "page",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_topics(self, project) -> list[str]:
        return _names(project.topics)

    def get_languages(self, project) -> list[str]:
        return _names(project.languages)

    def _people(self, project, role: str) -> list[str]:
        return [r.user.get_username() for r in project.roles.all() if r.role == role]

    def get_owners(self, project) -> list[str]:
        return self._people(project, ProjectRole.Role.OWNER)

    def get_maintainers(self, project) -> list[str]:
        return self._people(project, ProjectRole.Role.MAINTAINER)


class ProjectWriteSerializer(serializers.Serializer):
    """What registration and editing accept; the same rules as the registration form."""

    name = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=300)
    business_unit = serializers.SlugRelatedField(slug_field="slug", queryset=BusinessUnit.objects.all())
    lifecycle = serializers.ChoiceField(choices=Lifecycle.choices, default=Lifecycle.PROPOSED)
    motivation = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    repository_urls = WordList(max_length=400)
    topics = WordList()
    languages = WordList(max_items=10)
    license = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")
    docs_url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    contributing_url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    communication_url = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    skills_wanted = WordList()
    contributions_wanted = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, default=""
    )
    logo_url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    declared_readiness = serializers.ListField(
        child=serializers.ChoiceField(choices=READINESS_ITEMS), required=False, max_length=20
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.COMPANY)
    visible_units = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=BusinessUnit.objects.all(),
        many=True,
        required=False,
        help_text="Business units (slugs) that see a restricted project besides its host unit.",
    )
    maintainer_emails = serializers.ListField(
        child=serializers.EmailField(), required=False, max_length=20, help_text="People with an account."
    )
    not_a_duplicate = serializers.BooleanField(
        required=False, default=False, help_text="Confirms the project differs from similar ones."
    )

    def validate_repository_urls(self, urls: list[str]) -> list[str]:
        try:
            return repository_urls_checked(urls)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_maintainer_emails(self, emails: list[str]) -> list:
        try:
            return maintainers_for(emails)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_fields(self, *, current: Project | None = None) -> services.ProjectFields:
        """ProjectFields from the request, falling back to the project's values for omitted fields."""
        data = dict(self.validated_data)
        if current is not None and self.partial:
            for name, value in _project_values(current).items():
                data.setdefault(name, value)
        maintainers = data.get("maintainer_emails")
        return services.ProjectFields(
            name=data["name"].strip(),
            description=data["description"].strip(),
            business_unit=data["business_unit"],
            motivation=data.get("motivation", "").strip(),
            lifecycle=data.get("lifecycle", Lifecycle.PROPOSED),
            topics=data.get("topics", []),
            languages=data.get("languages", []),
            license=data.get("license", "").strip(),
            repository_urls=data.get("repository_urls", []),
            docs_url=data.get("docs_url", ""),
            contributing_url=data.get("contributing_url", ""),
            communication_url=data.get("communication_url", "").strip(),
            skills_wanted=data.get("skills_wanted", []),
            contributions_wanted=data.get("contributions_wanted", "").strip(),
            logo_url=data.get("logo_url", ""),
            declared_readiness=list(data.get("declared_readiness", [])),
            maintainers=maintainers,
            visibility=data.get("visibility", Visibility.COMPANY),
            visible_units=list(data.get("visible_units", [])),
        )


def _project_values(project: Project) -> dict:
    return {
        "name": project.name,
        "description": project.description,
        "business_unit": project.business_unit,
        "motivation": project.motivation,
        "lifecycle": project.lifecycle,
        "repository_urls": [r.url for r in project.repositories.all()],
        "topics": _names(project.topics),
        "languages": _names(project.languages),
        "license": project.license,
        "docs_url": project.docs_url,
        "contributing_url": project.contributing_url,
        "communication_url": project.communication_url,
        "skills_wanted": project.skills_wanted,
        "contributions_wanted": project.contributions_wanted,
        "logo_url": project.logo_url,
        "declared_readiness": project.declared_readiness,
        "visibility": project.visibility,
        "visible_units": list(project.visible_units.all()),
    }


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "request_changes", "reject"])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data):
        if data["decision"] != "approve" and not data["note"].strip():
            raise serializers.ValidationError({"note": "Say why, so that the starter knows what to change."})
        return data


class CurationSerializer(serializers.Serializer):
    featured = serializers.BooleanField(required=False)
    verified = serializers.BooleanField(required=False)

    def validate(self, data):
        if not data:
            raise serializers.ValidationError("Send featured and/or verified.")
        return data


class AssetSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topics = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField()
    adoptions = serializers.IntegerField(source="active_adoptions", read_only=True)
    page = serializers.CharField(source="get_absolute_url", read_only=True)
    url = serializers.CharField(read_only=True, help_text="Where to get it (empty when not given).")

    class Meta:
        model = Asset
        fields = [
            "id",
            "project",
            "name",
            "slug",
            "kind",
            "description",
            "url",
            "topics",
            "languages",
            "adoptions",
            "page",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_topics(self, asset) -> list[str]:
        return _names(asset.topics)

    def get_languages(self, asset) -> list[str]:
        return _names(asset.languages)


class AssetWriteSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=120, help_text="Slug of the project (when adding).")
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    description = serializers.CharField(max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    topics = WordList()
    languages = WordList(max_items=10)

    def to_fields(self, *, current: Asset | None = None) -> services.AssetFields:
        data = dict(self.validated_data)
        if current is not None and self.partial:
            data.setdefault("name", current.name)
            data.setdefault("kind", current.kind)
            data.setdefault("description", current.description)
            data.setdefault("url", current.url)
            data.setdefault("topics", _names(current.topics))
            data.setdefault("languages", _names(current.languages))
        return services.AssetFields(
            name=data["name"].strip(),
            kind=data["kind"],
            description=data["description"].strip(),
            url=data.get("url", ""),
            topics=data.get("topics", []),
            languages=data.get("languages", []),
        )


class AdoptionSerializer(serializers.ModelSerializer):
    asset = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    project = serializers.CharField(source="asset.project.slug", read_only=True)
    business_unit = serializers.SlugRelatedField(slug_field="slug", queryset=BusinessUnit.objects.all())
    team = serializers.CharField(max_length=120)
    product = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    class Meta:
        model = Adoption
        fields = [
            "id",
            "asset",
            "project",
            "business_unit",
            "team",
            "product",
            "since",
            "ended_on",
            "created_at",
        ]
        read_only_fields = ["id", "project", "ended_on", "created_at"]


class TopicSerializer(serializers.ModelSerializer):
    projects = serializers.IntegerField(source="project_count", read_only=True)

    class Meta:
        model = Topic
        fields = ["name", "projects"]


class LanguageSerializer(serializers.ModelSerializer):
    projects = serializers.IntegerField(source="project_count", read_only=True)

    class Meta:
        model = Language
        fields = ["name", "projects"]


class BusinessUnitSerializer(serializers.ModelSerializer):
    projects = serializers.IntegerField(source="project_count", read_only=True)

    class Meta:
        model = BusinessUnit
        fields = ["name", "slug", "projects"]


# --- views --------------------------------------------------------------------------------------------


def visible_projects(user):
    """Listed projects, and for their owners and maintainers (or the program office) the unlisted ones."""
    projects = Project.objects.filter(merged_into__isnull=True)
    if is_program_office(user):
        return projects
    if not user.is_authenticated:
        return projects.filter(review_status=ReviewStatus.APPROVED, visibility=Visibility.COMPANY)
    own = ProjectRole.objects.filter(user=user, role__in=ProjectRole.EDITOR_ROLES).values("project_id")
    return projects.filter(Q(review_status=ReviewStatus.APPROVED) | Q(pk__in=own)).visible_to(user)


def _active_adoptions() -> Q:
    today = timezone.now().date()
    in_use = Q(adoptions__ended_on__isnull=True) | Q(adoptions__ended_on__gt=today)
    return in_use & Q(adoptions__since__lte=today)


def _require_editor(user, project: Project, what: str) -> None:
    if not can_edit(user, project):
        raise PermissionDenied(f"Only the project's owners and maintainers (or the program office) {what}.")


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
        return ProjectSerializer

    def _check_duplicates(self, serializer, *, exclude_pk: int | None = None, confirm: bool) -> None:
        fields = serializer.validated_data
        duplicates = selectors.project_duplicates(
            viewer=self.request.user,
            name=fields.get("name", ""),
            repository_urls=fields.get("repository_urls", []),
            exclude_pk=exclude_pk,
        )
        blocking = [d for d in duplicates if d["blocking"]]
        if blocking:
            raise serializers.ValidationError(
                {"repository_urls": [f"This repository is already registered by “{blocking[0]['name']}”."]}
            )
        if confirm and duplicates and not fields.get("not_a_duplicate"):
            names = ", ".join(d["project"].name for d in duplicates[:5])
            raise serializers.ValidationError(
                {
                    "not_a_duplicate": [
                        f"Similar projects exist ({names}); send not_a_duplicate: true if yours differs."
                    ]
                }
            )

    @extend_schema(request=ProjectWriteSerializer, responses={201: ProjectSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ProjectWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._check_duplicates(serializer, confirm=True)
        project = services.project_register(user=request.user, fields=serializer.to_fields())
        return Response(
            ProjectSerializer(self.get_queryset().get(pk=project.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ProjectWriteSerializer, responses={200: ProjectSerializer})
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        _require_editor(request.user, project, "edit it")
        serializer = ProjectWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = serializer.to_fields(current=project)
        self._check_duplicates(serializer, exclude_pk=project.pk, confirm=False)
        services.project_update(project=project, user=request.user, fields=fields)
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered: edits are partial
        return self.http_method_not_allowed(request, *args, **kwargs)

    @extend_schema(request=ReviewSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, slug=None):
        """The program office approves a registration, asks for changes or rejects it (with a reason)."""
        project = self.get_object()
        if not is_program_office(request.user):
            raise PermissionDenied("Only the program office reviews registrations.")
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.project_review(project=project, reviewer=request.user, **serializer.validated_data)
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)

    @extend_schema(request=CurationSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def curate(self, request, slug=None):
        """The program office features or verifies a project."""
        project = self.get_object()
        if not is_program_office(request.user):
            raise PermissionDenied("Only the program office curates the catalog.")
        serializer = CurationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        for flag, value in serializer.validated_data.items():
            services.project_flag_set(project=project, user=request.user, flag=flag, value=value)
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)


@extend_schema(tags=["catalog"])
class AssetViewSet(
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

    def filter_queryset(self, queryset):
        # `ordering=adoptions` sorts by the annotation.
        ordering = self.request.query_params.get("ordering", "")
        queryset = super().filter_queryset(queryset)
        if ordering.lstrip("-") == "adoptions":
            queryset = queryset.order_by(("-" if ordering.startswith("-") else "") + "active_adoptions", "pk")
        return queryset

    @extend_schema(request=AssetWriteSerializer, responses={201: AssetSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AssetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = get_object_or_404(
            Project.objects.filter(merged_into__isnull=True), slug=serializer.validated_data["project"]
        )
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
    """Teams that use an asset ("Use this"). Anyone signed in records one for an approved project's asset."""

    queryset = Adoption.objects.none()
    lookup_value_regex = "[0-9]+"
    serializer_class = AdoptionSerializer
    filterset_class = AdoptionFilter
    ordering_fields = ["since", "created_at"]
    ordering = ["-since", "-pk"]

    def get_queryset(self):
        visible = Project.objects.listed().visible_to(self.request.user)
        return Adoption.objects.filter(asset__project__in=visible).select_related(
            "asset__project", "business_unit"
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not data["asset"].project.is_visible_to(self.request.user):
            raise serializers.ValidationError({"asset": ["No such asset."]})
        if not data["asset"].project.is_listed:
            raise PermissionDenied("Only assets of approved projects can be adopted.")
        serializer.instance = services.adoption_create(
            asset=data["asset"],
            user=self.request.user,
            business_unit=data["business_unit"],
            team=data["team"],
            product=data.get("product", ""),
            since=data.get("since"),
        )


class _NamedViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "name"
    lookup_value_regex = "[^/]+"
    filterset_class = NameFilter
    ordering_fields = ["name", "projects"]
    ordering = ["name"]

    def get_queryset(self):
        listed = Q(projects__review_status=ReviewStatus.APPROVED, projects__merged_into__isnull=True)
        if not sees_everything(self.request.user):
            listed &= visible_to_q(self.request.user, prefix="projects__")
        return self.model.objects.annotate(project_count=Count("projects", filter=listed, distinct=True))

    def filter_queryset(self, queryset):
        ordering = self.request.query_params.get("ordering", "")
        queryset = super().filter_queryset(queryset)
        if ordering.lstrip("-") == "projects":
            queryset = queryset.order_by(("-" if ordering.startswith("-") else "") + "project_count", "name")
        return queryset


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
    model = BusinessUnit
    serializer_class = BusinessUnitSerializer


# --- search -------------------------------------------------------------------------------------------


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class SearchEntrySerializer(serializers.Serializer):
    type = serializers.CharField(source="entry_type")
    name = serializers.CharField()
    slug = serializers.CharField()
    project = serializers.CharField(source="project.slug")
    kind = serializers.CharField()
    summary = serializers.CharField()
    page = serializers.CharField(source="path")
    business_unit = serializers.CharField(source="business_unit.slug")
    lifecycle = serializers.CharField()
    languages = serializers.SerializerMethodField()
    activity_score = serializers.IntegerField()
    adoptions = serializers.IntegerField(source="adoption_count")
    wants_contributions = serializers.BooleanField()
    featured = serializers.BooleanField()
    verified = serializers.BooleanField()

    def get_languages(self, entry) -> list[str]:
        return _names(entry.languages)


class SearchResultsSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="The number of results; rounded to two significant figures when total_is_estimate."
    )
    total_is_estimate = serializers.BooleanField(
        help_text="Whether count is estimated, as it is for a broad search (thousands of matches)."
    )
    facet_counts_are_estimates = serializers.BooleanField(
        help_text="Whether the facet counts are estimated, as they are for a broad search."
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    corrected_query = serializers.CharField(help_text="The typo-corrected query that was searched, if any.")
    suggestions = serializers.ListField(child=serializers.CharField())
    facets = serializers.DictField(child=FacetValueSerializer(many=True))
    results = SearchEntrySerializer(many=True)


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Words; prefix matching, typos corrected."),
    *[
        OpenApiParameter(name, {"type": "array", "items": {"type": "string"}}, explode=True)
        for name in ("kind", "language", "topic", "business_unit", "lifecycle")
    ],
    OpenApiParameter("wants_contributions", bool),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int, description="At most 100."),
]


class SearchView(APIView):
    """The catalog page's search: ranked, typo-tolerant, with facet counts, over projects and assets."""

    @extend_schema(
        tags=["catalog"],
        operation_id="search",
        parameters=SEARCH_PARAMETERS,
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        query = selectors.CatalogQuery.from_params(request.query_params)
        try:
            page_size = int(request.query_params.get("page_size") or 20)
        except ValueError:
            raise serializers.ValidationError({"page_size": ["A whole number from 1 to 100."]}) from None
        if not 1 <= page_size <= 100:
            raise serializers.ValidationError({"page_size": ["A whole number from 1 to 100."]})
        results = selectors.catalog_search(query=query, viewer=request.user, page_size=page_size)
        facets = {
            name: [
                {"value": f.value, "label": f.label, "count": f.count, "selected": f.selected} for f in values
            ]
            for name, values in results.facets.items()
        }
        body = {
            "count": results.total,
            "total_is_estimate": results.total_is_estimate,
            "facet_counts_are_estimates": results.facet_counts_are_estimates,
            "page": results.page.number,
            "pages": results.page.paginator.num_pages,
            "corrected_query": results.corrected_query,
            "suggestions": results.suggestions,
            "facets": facets,
            "results": SearchEntrySerializer(results.entries, many=True).data,
        }
        return Response(body)


ROUTES = [
    ("projects", ProjectViewSet, "project"),
    ("assets", AssetViewSet, "asset"),
    ("adoptions", AdoptionViewSet, "adoption"),
    ("topics", TopicViewSet, "topic"),
    ("languages", LanguageViewSet, "language"),
    ("business-units", BusinessUnitViewSet, "business-unit"),
]
urlpatterns = [path("search/", SearchView.as_view(), name="search")]
