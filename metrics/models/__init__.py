"""The metrics app's models, by what they hold (activity, sync, usage, reports)."""

from metrics.models.activity import Comment, Commit, ForgeAccount, Issue, PullRequest, Release, Review, State
from metrics.models.aggregates import ContributorDay, RequestDay
from metrics.models.reports import ReportSnapshot, ReuseValueSettings
from metrics.models.sync import ManifestFile, SyncState, WebhookDelivery
from metrics.models.usage import (
    CONSUMPTION_KINDS,
    DailyRollup,
    SearchDay,
    SearchPersonDay,
    UsageEvent,
    UsageKind,
    VisitorDay,
)

__all__ = [
    "CONSUMPTION_KINDS",
    "Comment",
    "Commit",
    "ContributorDay",
    "DailyRollup",
    "ForgeAccount",
    "Issue",
    "ManifestFile",
    "PullRequest",
    "Release",
    "ReportSnapshot",
    "RequestDay",
    "ReuseValueSettings",
    "Review",
    "SearchDay",
    "SearchPersonDay",
    "State",
    "SyncState",
    "UsageEvent",
    "UsageKind",
    "VisitorDay",
    "WebhookDelivery",
]
