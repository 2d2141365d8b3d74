"""Writes to the catalog, by what they change: projects (registration, editing, repositories, scores) and
assets with their adoptions. Every name is exported here: callers import from catalog.services."""

from catalog.services.assets import (
    ADOPTION_END_REFUSED,
    AssetFields,
    _asset_slug,
    adoption_create,
    adoption_end,
    asset_save,
)
from catalog.services.changes import project_changes_record
from catalog.services.detected import DetectedChanges, FoundDependency, detected_adoptions_update
from catalog.services.notices import (
    RELEASE_NOTICE_DAYS,
    DigestRun,
    consumer_digests_send,
    consumer_notices_for_lifecycle,
    consumer_notices_for_releases,
)
from catalog.services.projects import (
    PARTICIPATION_FIELDS,
    RESERVED_SLUGS,
    SIMPLE_FIELDS,
    EntryFields,
    ProjectFields,
    program_office_members,
    project_register,
    project_score_refresh,
    project_update,
    unique_slug,
)

__all__ = [
    "ADOPTION_END_REFUSED",
    "RELEASE_NOTICE_DAYS",
    "DigestRun",
    "consumer_digests_send",
    "consumer_notices_for_lifecycle",
    "consumer_notices_for_releases",
    "PARTICIPATION_FIELDS",
    "RESERVED_SLUGS",
    "SIMPLE_FIELDS",
    "EntryFields",
    "AssetFields",
    "DetectedChanges",
    "FoundDependency",
    "ProjectFields",
    "_asset_slug",
    "adoption_create",
    "adoption_end",
    "asset_save",
    "detected_adoptions_update",
    "program_office_members",
    "project_changes_record",
    "project_register",
    "project_score_refresh",
    "project_update",
    "unique_slug",
]
