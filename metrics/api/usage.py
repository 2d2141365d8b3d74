"""Usage reported by other systems: downloads and consumption of an asset.

`POST /api/v1/usage/`: an artifact registry, a package proxy or a CI pipeline reports that an asset was
downloaded or consumed, so that reuse outside the portal counts in `asset_consumptions` (METRICS.md).
A report is one usage event (metrics.usage) whose quantity is the count: it takes the same road as the
portal's own events (Redis, the drain, the daily rollups), never a write of its own.

- Who reports: the program office, and the owners and maintainers of the asset's project (a service
  account is made a maintainer of the project, or put in the program-office group). Others get 403.
- `reference` makes a report idempotent: the event id is derived from the asset and the reference, and
  events are stored once per id, so a report sent again (a retried pipeline) is counted once.
- `occurred_at` may be in the past down to the usage retention; reporting a day whose rollups are built
  already queues that day's rebuild, so that late reports reach the dashboards too.
"""

import logging
import re
import uuid
from datetime import date, datetime, timedelta

from celery import chain
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from kombu.exceptions import OperationalError as BrokerUnavailable
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Asset, Project
from catalog.permissions import can_edit_project
from metrics import tasks
from metrics.models import DailyRollup, UsageEvent, UsageKind
from metrics.usage import new_event_id, usage_event, usage_record_events

logger = logging.getLogger(__name__)

MAX_COUNT = 10_000
# Clocks of reporting systems drift a little: a report this far ahead of ours is taken as "now".
CLOCK_SKEW = timedelta(minutes=5)
# Late reports for one day within this many seconds share one rebuild of that day's rollups.
ROLLUP_DELAY_SECONDS = 60
# Event ids of reports with a reference: uuid5 of the asset and the reference in this namespace.
REFERENCE_NAMESPACE = uuid.UUID("0b6f3c52-4d0e-5d4e-9a51-3f1c2a7e8d10")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ReportedKind(models.TextChoices):
    """What a system reports, and the usage kinds of METRICS.md's asset consumption they count as."""

    DOWNLOAD = "download", "Download (counted as asset downloads)"
    CONSUMPTION = "consumption", "Consumption (counted as consumption reported through the API)"


USAGE_KINDS = {
    ReportedKind.DOWNLOAD: UsageKind.ASSET_DOWNLOAD,
    ReportedKind.CONSUMPTION: UsageKind.REPORTED_CONSUMPTION,
}
REPORTED_KINDS = {usage: reported for reported, usage in USAGE_KINDS.items()}


def _printable(value: str) -> None:
    if _CONTROL.search(value):
        raise serializers.ValidationError("Control characters are not allowed.")


class UsageReportSerializer(serializers.Serializer):
    asset = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The asset's id (`id` in /api/v1/assets/)."
    )
    kind = serializers.ChoiceField(choices=ReportedKind.choices, help_text="download or consumption.")
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_COUNT, default=1, help_text=f"How many times (1 to {MAX_COUNT})."
    )
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text=(
            "When it happened (ISO 8601; UTC when no offset is given); now when omitted. Not in the "
            "future, and not older than the usage retention."
        ),
    )
    reference = serializers.CharField(
        required=False,
        max_length=200,
        validators=[_printable],
        help_text="An idempotency key of yours: reports of the same asset with the same reference count once.",
    )
    consumer = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=150,
        validators=[_printable],
        help_text="The team or system that consumed it (repeat and one-time consumers); else the reporter.",
    )

    def validate_occurred_at(self, value: datetime) -> datetime:
        now = timezone.now()
        if value > now + CLOCK_SKEW:
            raise serializers.ValidationError("This lies in the future.")
        oldest = now.date() - timedelta(days=settings.USAGE_RETENTION_DAYS - 1)
        if value.date() < oldest:
            raise serializers.ValidationError(
                f"Usage is kept {settings.USAGE_RETENTION_DAYS} days: report nothing older than {oldest}."
            )
        return min(value, now)


class UsageRecordedSerializer(serializers.Serializer):
    event_id = serializers.UUIDField(read_only=True, help_text="The recorded event.")
    asset = serializers.IntegerField(read_only=True)
    project = serializers.CharField(read_only=True, help_text="The slug of the asset's project.")
    kind = serializers.ChoiceField(choices=ReportedKind.choices, read_only=True)
    count = serializers.IntegerField(read_only=True)
    occurred_at = serializers.DateTimeField(read_only=True)
    reference = serializers.CharField(read_only=True, allow_null=True)
    consumer = serializers.CharField(read_only=True)
    duplicate = serializers.BooleanField(
        read_only=True,
        help_text="This reference was recorded already: nothing new is counted and the first report is shown.",
    )


def _event_id(*, asset: Asset, reference: str | None) -> str:
    if not reference:
        return str(new_event_id())
    return str(uuid.uuid5(REFERENCE_NAMESPACE, f"asset:{asset.pk}:{reference}"))


def _rollup_again(day: date) -> None:
    """Rebuild a day's rollups after a late report: dashboards read rollups up to the last rolled-up
    day and raw events after it, so a day rolled up already would not show the report otherwise. The
    drain runs first (the event may still be queued in Redis); reports of one day share a rebuild."""
    last = DailyRollup.objects.aggregate(last=Max("day"))["last"]
    if last is None or day > last:
        return
    if not cache.add(f"usage:api-rollup:{day.isoformat()}", 1, timeout=ROLLUP_DELAY_SECONDS):
        return

    def queue() -> None:
        try:
            chain(tasks.usage_drain.si(), tasks.usage_rollup_day.si(day.isoformat())).apply_async(
                countdown=ROLLUP_DELAY_SECONDS
            )
        except BrokerUnavailable:
            # The event is recorded; the nightly rollup of recent days, or `rollup_metrics`, catches up.
            logger.warning("usage: could not queue the rebuild of the rollups of %s", day, exc_info=True)

    transaction.on_commit(queue)


class UsageReportView(APIView):
    @extend_schema(
        operation_id="usage_report",
        summary="Report downloads or consumption of an asset",
        description=(
            "For systems outside the portal (artifact registry, package proxy, CI). Allowed for the "
            "program office and the owners and maintainers of the asset's project (add a service account "
            "as maintainer); others get 403. `download` counts as an asset download and `consumption` as "
            "consumption reported through the API; both count in `asset_consumptions` with their `count`. "
            "Answers 202 when the report is accepted (it reaches the metrics within seconds), 200 when its "
            "`reference` was recorded before (nothing is counted again)."
        ),
        request=UsageReportSerializer,
        responses={
            202: OpenApiResponse(UsageRecordedSerializer, description="Accepted and recorded."),
            200: OpenApiResponse(UsageRecordedSerializer, description="A repeated reference: counted once."),
        },
        examples=[
            OpenApiExample(
                "A nightly report of a package proxy",
                value={
                    "asset": 42,
                    "kind": "download",
                    "count": 17,
                    "occurred_at": "2026-03-02T00:00:00Z",
                    "reference": "proxy-2026-03-02-asset-42",
                    "consumer": "Payments CI",
                },
                request_only=True,
            )
        ],
        tags=["metrics"],
    )
    def post(self, request):
        payload = UsageReportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        asset = (
            Asset.objects.select_related("project")
            .filter(project__in=Project.objects.visible_to(request.user), pk=data["asset"])
            .first()
        )
        # As in the catalog: an asset of a project one does not see is no asset (400, not 403).
        if asset is None:
            raise serializers.ValidationError({"asset": ["There is no such asset in the catalog."]})
        if not can_edit_project(request.user, asset.project):
            raise PermissionDenied(
                "Only the program office and the project's owners and maintainers report its usage."
            )
        reference = data.get("reference") or None
        event_id = _event_id(asset=asset, reference=reference)
        if reference and (stored := UsageEvent.objects.filter(event_id=event_id).first()):
            answer = {
                "event_id": stored.event_id,
                "asset": asset.pk,
                "project": asset.project.slug,
                "kind": REPORTED_KINDS.get(stored.kind, data["kind"]),
                "count": stored.quantity,
                "occurred_at": stored.occurred_at,
                "reference": reference,
                "consumer": stored.consumer,
                "duplicate": True,
            }
            return Response(UsageRecordedSerializer(answer).data, status=status.HTTP_200_OK)
        occurred_at = data.get("occurred_at") or timezone.now()
        event = usage_event(
            kind=USAGE_KINDS[data["kind"]],
            # The reporter, not its request: a pipeline's curl or python-requests is no crawler here.
            user=request.user,
            project=asset.project,
            asset=asset,
            occurred_at=occurred_at,
            quantity=data["count"],
            consumer=data.get("consumer", ""),
            event_id=event_id,
        )
        usage_record_events([event])
        _rollup_again(occurred_at.date())
        answer = {
            "event_id": event["event_id"],
            "asset": asset.pk,
            "project": asset.project.slug,
            "kind": data["kind"],
            "count": data["count"],
            "occurred_at": occurred_at,
            "reference": reference,
            "consumer": event["consumer"],
            "duplicate": False,
        }
        return Response(UsageRecordedSerializer(answer).data, status=status.HTTP_202_ACCEPTED)
