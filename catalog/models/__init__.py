"""The catalog's models, by responsibility; everything is importable from `catalog.models`."""

from catalog.models.assets import (
    Adoption,
    AdoptionQuerySet,
    AdoptionSource,
    Asset,
    AssetKind,
    adoption_identity,
    adoption_product_key,
    adoption_team_key,
)
from catalog.models.imports import (
    ImportedEntry,
    ProjectLink,
    ProjectRelation,
    ProjectRelationQuerySet,
)
from catalog.models.notices import (
    ConsumerDigest,
    ConsumerNotice,
)
from catalog.models.notifications import (
    Notification,
    NotificationQuerySet,
)
from catalog.models.projects import (
    REGISTRABLE_LIFECYCLES,
    BusinessUnit,
    Language,
    Lifecycle,
    NamedModel,
    Project,
    ProjectChange,
    ProjectQuerySet,
    ProjectRole,
    ReviewStatus,
    Topic,
    Visibility,
    visible_to_q,
)
from catalog.models.radar import (
    DuplicateCluster,
    DuplicateDismissal,
    DuplicateMember,
    DuplicateNotice,
    DuplicateRun,
)
from catalog.models.repositories import (
    Forge,
    Repository,
)
from catalog.models.search import (
    SAMPLE_KEY_RANGE,
    EntryType,
    IdArrayField,
    MeaningIndex,
    MeaningIndexPart,
    SearchEntry,
    SearchTerm,
    sample_key_new,
)

__all__ = [
    "REGISTRABLE_LIFECYCLES",
    "Adoption",
    "AdoptionSource",
    "AdoptionQuerySet",
    "Asset",
    "AssetKind",
    "BusinessUnit",
    "ConsumerDigest",
    "ConsumerNotice",
    "DuplicateCluster",
    "DuplicateDismissal",
    "DuplicateMember",
    "DuplicateNotice",
    "DuplicateRun",
    "EntryType",
    "Forge",
    "IdArrayField",
    "ImportedEntry",
    "MeaningIndex",
    "MeaningIndexPart",
    "Language",
    "Lifecycle",
    "NamedModel",
    "Notification",
    "NotificationQuerySet",
    "Project",
    "ProjectChange",
    "ProjectLink",
    "ProjectQuerySet",
    "ProjectRelation",
    "ProjectRelationQuerySet",
    "ProjectRole",
    "Repository",
    "ReviewStatus",
    "SAMPLE_KEY_RANGE",
    "SearchEntry",
    "SearchTerm",
    "Topic",
    "Visibility",
    "adoption_identity",
    "adoption_product_key",
    "adoption_team_key",
    "sample_key_new",
    "visible_to_q",
]
