"""Serializers of the catalog API: projects, assets, adoptions and the named things projects carry."""

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import services
from catalog.api.filters import MAX_WORDS
from catalog.forms import FORGE_CHOICES, maintainers_for, repository_urls_checked
from catalog.models import (
    REGISTRABLE_LIFECYCLES,
    Adoption,
    AdoptionSource,
    Asset,
    AssetKind,
    BusinessUnit,
    Language,
    Lifecycle,
    Project,
    ProjectRole,
    Topic,
    Visibility,
)
from catalog.packages import HELP_TEXT as PACKAGE_URL_HELP
from catalog.packages import MAX_LENGTH as PACKAGE_URL_MAX_LENGTH
from catalog.packages import package_url_clean
from catalog.readiness import READINESS_ITEMS
from catalog.selectors import assets_visible_to


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


def names_of(related) -> list[str]:
    return [item.name for item in related.all()]


class TopicAndLanguageNames:
    """The topics and languages of a project or asset as their names (its SerializerMethodFields)."""

    def get_topics(self, described) -> list[str]:
        return names_of(described.topics)

    def get_languages(self, described) -> list[str]:
        return names_of(described.languages)


class ProjectSerializer(TopicAndLanguageNames, serializers.ModelSerializer):
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
    forge = serializers.ChoiceField(
        choices=FORGE_CHOICES,
        required=False,
        allow_blank=True,
        help_text=(
            "The forge of the repositories on hosts the portal does not know (github.com, gitlab.com and "
            "the configured GitHub Enterprise and GitLab hosts are recognised by their host): github or "
            "gitlab; empty reads them as plain git. Omitted on an edit: the repositories keep their forge."
        ),
    )
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
        required=False,
        default=False,
        help_text=(
            "Confirms the project differs from similar ones: those with a very similar name or doing "
            "the same job by meaning (name, description, motivation, topics, skills). Without it a "
            "registration with such look-alikes gets a 400 listing them (look_alikes)."
        ),
    )

    def validate_lifecycle(self, lifecycle: str) -> str:
        # A registration (not an edit, which is partial) starts with a lifecycle of a project in use.
        if not self.partial and lifecycle not in REGISTRABLE_LIFECYCLES:
            offered = ", ".join(REGISTRABLE_LIFECYCLES)
            raise serializers.ValidationError(f"A project registers as one of {offered}; change it later.")
        return lifecycle

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
            repository_forge=data.get("forge"),
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
    """The project's current values of what to_fields reads: an omitted field keeps its value."""
    return {
        **{name: getattr(project, name) for name in services.SIMPLE_FIELDS},
        "repository_urls": [r.url for r in project.repositories.all()],
        "topics": names_of(project.topics),
        "languages": names_of(project.languages),
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


class AssetSerializer(TopicAndLanguageNames, serializers.ModelSerializer):
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
            "package_url",
            "topics",
            "languages",
            "adoptions",
            "page",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssetWriteSerializer(serializers.Serializer):
    project = serializers.SlugField(max_length=120, help_text="Slug of the project (when adding).")
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    description = serializers.CharField(max_length=300)
    url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    package_url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=PACKAGE_URL_MAX_LENGTH,
        default="",
        trim_whitespace=True,
        help_text=PACKAGE_URL_HELP,
    )
    topics = WordList()
    languages = WordList(max_items=10)

    def validate_package_url(self, value: str) -> str:
        try:
            return package_url_clean(value)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def to_fields(self, *, current: Asset | None = None) -> services.AssetFields:
        data = dict(self.validated_data)
        if current is not None and self.partial:
            data.setdefault("name", current.name)
            data.setdefault("kind", current.kind)
            data.setdefault("description", current.description)
            data.setdefault("url", current.url)
            data.setdefault("package_url", current.package_url)
            data.setdefault("topics", names_of(current.topics))
            data.setdefault("languages", names_of(current.languages))
        return services.AssetFields(
            name=data["name"].strip(),
            kind=data["kind"],
            description=data["description"].strip(),
            url=data.get("url", ""),
            topics=data.get("topics", []),
            languages=data.get("languages", []),
            package_url=data.get("package_url", ""),
        )


class VisibleAssetField(serializers.PrimaryKeyRelatedField):
    """An asset id among the assets of listed projects the caller sees: a hidden asset is refused with
    the same words as a missing one."""

    default_error_messages = {
        "does_not_exist": "No such asset.",
        "incorrect_type": "An asset id is a number.",
    }

    def get_queryset(self):
        return assets_visible_to(self.context["request"].user)


class AdoptionConsumerSerializer(serializers.Serializer):
    project = serializers.SlugField(help_text="The consuming project's slug.")
    repository = serializers.CharField(help_text="The repository whose manifests name the asset.")
    manifest_path = serializers.CharField()
    manifest_line = serializers.IntegerField(allow_null=True)


class AdoptionSerializer(serializers.ModelSerializer):
    asset = VisibleAssetField()
    project = serializers.CharField(source="asset.project.slug", read_only=True)
    business_unit = serializers.SlugRelatedField(slug_field="slug", queryset=BusinessUnit.objects.all())
    team = serializers.CharField(max_length=120)
    product = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")

    source = serializers.ChoiceField(
        choices=AdoptionSource.choices,
        read_only=True,
        help_text="declared: a team said so; detected: a dependency manifest of a synced repository names the "
        "asset's package (then `team` is the consuming project's name, or “A project of <unit>” when you may "
        "not see that project, and it ends when the dependency is removed).",
    )
    consumer = serializers.SerializerMethodField(
        help_text="For an adoption found in code: the consuming project, its repository and where in it; null "
        "for a declared adoption or a project you may not see."
    )

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
            "source",
            "version",
            "consumer",
        ]
        read_only_fields = ["id", "project", "ended_on", "created_at", "source", "version"]

    @extend_schema_field(AdoptionConsumerSerializer(allow_null=True))
    def get_consumer(self, adoption: Adoption) -> dict | None:
        consumer = getattr(adoption, "consumer", None)  # set by catalog.selectors.adoptions_shown
        if consumer is None:
            return None
        return {
            "project": consumer.slug,
            "repository": adoption.repository.url,
            "manifest_path": adoption.manifest_path,
            "manifest_line": adoption.manifest_line or None,
        }

    def to_representation(self, instance: Adoption) -> dict:
        data = super().to_representation(instance)
        if hasattr(instance, "shown_team"):  # a restricted consuming project's name is not shown
            data["team"] = instance.shown_team
        return data


class AdoptionEndSerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The first day the team no longer uses the asset (today when left out); not in the future.",
    )


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


class LookAlikeSerializer(serializers.Serializer):
    """A project that looks like the one being registered (catalog.selectors.registration_check)."""

    name = serializers.CharField(help_text="Its name; a project the caller may not see is not named.")
    slug = serializers.CharField(source="project.slug", allow_null=True, default=None)
    url = serializers.SerializerMethodField()
    reason = serializers.CharField(
        help_text="Why it looks alike: the same repository, a very similar name, or the same job in "
        "meaning (how close, shared topics and words); an asset doing the job names its project."
    )
    blocking = serializers.BooleanField(
        help_text="The same repository: not registrable. Otherwise confirm with not_a_duplicate."
    )
    similarity = serializers.FloatField(
        allow_null=True, default=None, help_text="Cosine of the meanings (0 to 1), when alike in meaning."
    )

    def get_url(self, look_alike) -> str | None:
        project = look_alike["project"]
        if project is None:
            return None
        request = self.context.get("request")
        path = project.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class RegistrationRefusedSerializer(serializers.Serializer):
    """A registration (or an edit) refused by the duplicate rule: the API's error, with the look-alikes."""

    error = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    look_alikes = LookAlikeSerializer(many=True)


class SimilarEntrySerializer(serializers.Serializer):
    """One entry near in meaning to a project: a project or an asset (of `project`)."""

    type = serializers.CharField(source="entry.entry_type")
    slug = serializers.CharField(source="entry.slug")
    name = serializers.CharField(source="entry.name")
    project = serializers.CharField(source="entry.project.slug", help_text="The project, or the asset's.")
    business_unit = serializers.CharField(source="entry.business_unit.slug")
    kind = serializers.CharField(source="entry.kind")
    similarity = serializers.FloatField(
        min_value=0, max_value=1, help_text="Cosine similarity of the two texts' meanings, 0 to 1."
    )
    similarity_words = serializers.CharField(help_text="The similarity in words, as the pages say it.")
    url = serializers.SerializerMethodField()

    def get_url(self, similar) -> str:
        request = self.context.get("request")
        path = similar.entry.path
        return request.build_absolute_uri(path) if request is not None else path
