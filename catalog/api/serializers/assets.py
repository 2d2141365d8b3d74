"""Serializers of assets and their adoptions."""

from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog import services
from catalog.api.serializers.common import (
    TopicAndLanguageNames,
    WordList,
    names_of,
)
from catalog.models import (
    Adoption,
    AdoptionSource,
    Asset,
    AssetKind,
    BusinessUnit,
)
from catalog.packages import HELP_TEXT as PACKAGE_URL_HELP
from catalog.packages import MAX_LENGTH as PACKAGE_URL_MAX_LENGTH
from catalog.packages import package_url_clean
from catalog.selectors import assets_visible_to


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
