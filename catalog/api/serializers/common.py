"""What the catalog API's serializers share, and the named things projects carry (topics, languages, units)."""

from rest_framework import serializers

from catalog.api.filters import MAX_WORDS
from catalog.models import (
    BusinessUnit,
    Language,
    Topic,
)


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
