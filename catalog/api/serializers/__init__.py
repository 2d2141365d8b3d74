"""Serializers of the catalog API: projects, assets, adoptions and the named things projects carry."""

from catalog.api.serializers.assets import (
    AdoptionConsumerSerializer,
    AdoptionEndSerializer,
    AdoptionSerializer,
    AssetSerializer,
    AssetWriteSerializer,
    VisibleAssetField,
)
from catalog.api.serializers.common import (
    BusinessUnitSerializer,
    LanguageSerializer,
    RepositorySerializer,
    TopicAndLanguageNames,
    TopicSerializer,
    WordList,
    names_of,
)
from catalog.api.serializers.projects import (
    CurationSerializer,
    LookAlikeSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    RegistrationRefusedSerializer,
    ReviewSerializer,
    SimilarEntrySerializer,
)

__all__ = [
    "AdoptionConsumerSerializer",
    "AdoptionEndSerializer",
    "AdoptionSerializer",
    "AssetSerializer",
    "AssetWriteSerializer",
    "BusinessUnitSerializer",
    "CurationSerializer",
    "LanguageSerializer",
    "LookAlikeSerializer",
    "ProjectSerializer",
    "ProjectWriteSerializer",
    "RegistrationRefusedSerializer",
    "RepositorySerializer",
    "ReviewSerializer",
    "SimilarEntrySerializer",
    "TopicAndLanguageNames",
    "TopicSerializer",
    "VisibleAssetField",
    "WordList",
    "names_of",
]
