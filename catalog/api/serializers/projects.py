"""Serializers of projects: reading, registering and editing them, their review and curation, look-alikes and similar entries."""

from django import forms
from rest_framework import serializers

from catalog import selectors, services
from catalog.api.serializers.common import (
    RepositorySerializer,
    TopicAndLanguageNames,
    WordList,
    names_of,
)
from catalog.forms import FORGE_CHOICES, maintainers_for, repository_urls_checked
from catalog.models import (
    REGISTRABLE_LIFECYCLES,
    BusinessUnit,
    Lifecycle,
    Project,
    ProjectRole,
    Visibility,
)
from catalog.readiness import READINESS_ITEMS


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
            *services.PARTICIPATION_FIELDS,
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

    def registration(self) -> selectors.Registration:
        """What the valid request registers (an edit: what it changes), for the look-alikes check."""
        data = self.validated_data
        return selectors.Registration(
            name=data.get("name", ""),
            repository_urls=data.get("repository_urls", []),
            description=data.get("description", ""),
            motivation=data.get("motivation", ""),
            topic_names=data.get("topics", []),
            skills=data.get("skills_wanted", []),
        )

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
    asks_confirmation = serializers.BooleanField(
        default=True,
        help_text="Whether a new registration must confirm it is different (not_a_duplicate): a similar name, "
        "or a job very close in meaning; a looser likeness is only shown.",
    )

    def get_url(self, look_alike) -> str | None:
        project = look_alike["project"]
        if project is None:
            return None
        request = self.context.get("request")
        path = project.get_absolute_url()
        return request.build_absolute_uri(path) if request is not None else path


class RegistrationRefusedSerializer(serializers.Serializer):
    """A registration (or an edit) refused: the API's error; with the look-alikes when the duplicate rule
    refused it (another field's error alone has none)."""

    error = serializers.CharField()
    field = serializers.CharField(allow_null=True, required=False)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    look_alikes = LookAlikeSerializer(many=True, required=False)


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
