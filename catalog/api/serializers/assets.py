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
from catalog.effort import MAX_OVERRIDE_DAYS, Effort, EffortBasis, assets_effort, effort_override_clean
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


class AssetListSerializer(serializers.ListSerializer):
    """A page of assets whose build efforts are read together (catalog.effort.assets_effort: two queries
    for the page, not two per asset)."""

    def to_representation(self, data):
        assets = list(data.all() if hasattr(data, "all") else data)
        efforts = assets_effort(assets)
        for asset in assets:
            asset.effort = efforts[asset.pk]
        return super().to_representation(assets)


class EffortBasisSerializer(serializers.Serializer):
    source = serializers.ChoiceField(
        choices=[EffortBasis.OVERRIDE, EffortBasis.MODEL, EffortBasis.UNKNOWN],
        help_text="override: set by its maintainers; cocomo: COCOMO II over its project's lines of code; "
        "unknown: neither.",
    )
    text = serializers.CharField(help_text="Where the figure comes from, in words.")
    lines = serializers.IntegerField(help_text="The lines of code the estimate used (0 unless cocomo).")


class AssetSerializer(TopicAndLanguageNames, serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    estimated_effort_days = serializers.SerializerMethodField(
        help_text="What building it anew would take, in engineer-days (null: unknown); see effort_basis."
    )
    effort_basis = serializers.SerializerMethodField()
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
            "estimated_effort_days",
            "effort_basis",
            "effort_override_reason",
            "page",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = AssetListSerializer

    @staticmethod
    def _effort(asset: Asset) -> Effort:
        if not hasattr(asset, "effort"):
            asset.effort = assets_effort([asset])[asset.pk]
        return asset.effort

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_estimated_effort_days(self, asset: Asset) -> float | None:
        return self._effort(asset).days

    @extend_schema_field(EffortBasisSerializer)
    def get_effort_basis(self, asset: Asset) -> dict:
        effort = self._effort(asset)
        return {"source": effort.basis, "text": effort.text, "lines": effort.lines}


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
    estimated_effort_days = serializers.DecimalField(
        max_digits=9,
        decimal_places=1,
        min_value=0,
        max_value=MAX_OVERRIDE_DAYS,
        required=False,
        allow_null=True,
        help_text="The build effort its maintainers set, in engineer-days (with `effort_override_reason`); "
        "null: estimated from the size of the project's code (COCOMO II).",
    )
    effort_override_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Why: required with a figure."
    )

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
            data.setdefault("estimated_effort_days", current.effort_days_override)
            data.setdefault("effort_override_reason", current.effort_override_reason)
        try:
            effort_days, effort_reason = effort_override_clean(
                data.get("estimated_effort_days"), data.get("effort_override_reason", "")
            )
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return services.AssetFields(
            name=data["name"].strip(),
            kind=data["kind"],
            description=data["description"].strip(),
            url=data.get("url", ""),
            topics=data.get("topics", []),
            languages=data.get("languages", []),
            package_url=data.get("package_url", ""),
            effort_days=effort_days,
            effort_reason=effort_reason,
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
