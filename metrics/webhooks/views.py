import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from kombu.exceptions import OperationalError as BrokerUnavailable

from catalog.models import Forge, Repository
from catalog.parsing import ParseError, load_json, sentence, size_text
from catalog.ratelimit import rate_limited
from catalog.repositories import repository_for
from metrics.models import WebhookDelivery
from metrics.tasks import process_webhook_delivery
from metrics.webhooks import gitlab
from metrics.webhooks.deliveries import FORGES

logger = logging.getLogger(__name__)


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _raw_body(request: HttpRequest) -> bytes | None:
    """The delivery's bytes, or None when they pass WEBHOOK_MAX_BODY_BYTES (nothing is read past one
    byte more). Read from the stream, not request.body: Django refuses request.body beyond
    DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) with an HTML 400, and GitHub sends up to 25 MB."""
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def _named_repository(request: HttpRequest, *, forge: str) -> Repository | None:
    """The repository a webhook's URL names (`?repository=owner/name`): how a repository with a secret
    of its own is configured, so that its secret is known before the body is read. Unknown: None."""
    named = request.GET.get("repository", "").strip()[:400]
    if not named:
        return None
    if "://" in named:
        return repository_for(forge=forge, web_url=named, full_name="")
    return repository_for(forge=forge, web_url="", full_name=named)


def _receive(request: HttpRequest, *, forge: str, event: str, delivery_id: str) -> JsonResponse:
    """Size, then signature, then parsing: nothing from an unknown sender is ever parsed. The secret is
    the global one, or the own secret of the repository the webhook's URL names (`?repository=`); the
    delivery's repository, read from the signed body, must be that one, and a repository with its own
    secret takes deliveries signed with it only."""
    module = FORGES[forge]
    body = _raw_body(request)
    if body is None:
        return _error(413, f"The delivery is larger than {size_text(settings.WEBHOOK_MAX_BODY_BYTES)}.")
    named = _named_repository(request, forge=forge)
    if request.GET.get("repository") and named is None:
        return _unsigned()  # a repository the portal does not know has no secret here
    global_secret = settings.GITHUB_WEBHOOK_SECRET if forge == Forge.GITHUB else settings.GITLAB_WEBHOOK_TOKEN
    secret = (named.webhook_secret if named is not None else "") or global_secret
    if not secret or not module.signature_valid(body=body, headers=request.headers, secret=secret):
        return _unsigned()
    try:
        payload = load_json(body)
    except ParseError as error:
        return _error(400, sentence(error))
    if not isinstance(payload, dict):
        return _error(400, "The body must be a JSON object.")
    web_url, full_name = module.repository_identity(payload)
    repository = repository_for(forge=forge, web_url=web_url, full_name=full_name)
    if named is not None and (repository is None or repository.pk != named.pk):
        return _unsigned()  # signed for another repository than the delivery's
    if repository is not None and repository.webhook_secret and named is None:
        return _unsigned()  # its own secret replaces the global one for its deliveries
    if event == "ping":
        return JsonResponse({"status": "pong"})
    if event not in module.EVENTS:
        return JsonResponse({"status": "ignored", "reason": f"event {event!r} is not recorded"}, status=202)
    if repository is None:
        return JsonResponse({"status": "ignored", "reason": "no catalog repository matches"}, status=202)
    if not delivery_id and forge == Forge.GITLAB:
        # Older GitLab versions, and proxies that drop headers, send neither Idempotency-Key nor
        # X-Gitlab-Event-UUID: a redelivery is then the same event with the same bytes.
        delivery_id = gitlab.body_delivery_id(event=event, body=body)
    if not delivery_id:
        return _error(400, "The delivery id header is missing.")
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                forge=forge,
                delivery_id=delivery_id[:100],
                event=event,
                action=str(
                    payload.get("action") or (payload.get("object_attributes") or {}).get("action") or ""
                )[:50],
                repository=repository,
                payload=payload,
            )
    except IntegrityError:
        return JsonResponse({"status": "duplicate", "reason": "this delivery was received before"})
    transaction.on_commit(lambda: _enqueue(delivery.pk))
    return JsonResponse({"status": "accepted", "delivery": delivery.pk}, status=202)


def _unsigned() -> JsonResponse:
    return _error(401, "The signature does not match.")


def _enqueue(delivery_id: int) -> None:
    """Queue the processing of a stored delivery. The delivery is already safe in the database, so a broker
    that is down must not turn it into an error the forge would not redeliver: the sweep
    (deliveries_process_pending, on the beat) picks it up once the broker is back."""
    try:
        # No publish retries: the forge is waiting for an answer, and the sweep is the retry.
        process_webhook_delivery.apply_async((delivery_id,), retry=False)
    except BrokerUnavailable:
        logger.warning("could not queue webhook delivery %s; the pending sweep will process it", delivery_id)


@csrf_exempt
@require_POST
@rate_limited(scope="webhook", rate_setting="WEBHOOK_RATE")
def github_webhook(request: HttpRequest) -> JsonResponse:
    return _receive(
        request,
        forge=Forge.GITHUB,
        event=request.headers.get("X-GitHub-Event", ""),
        delivery_id=request.headers.get("X-GitHub-Delivery", ""),
    )


@csrf_exempt
@require_POST
@rate_limited(scope="webhook", rate_setting="WEBHOOK_RATE")
def gitlab_webhook(request: HttpRequest) -> JsonResponse:
    # GitLab sends an idempotency key (newer) or a webhook UUID per delivery; older versions neither
    # (then _receive derives one from the event and the body).
    delivery_id = request.headers.get("Idempotency-Key") or request.headers.get("X-Gitlab-Event-UUID", "")
    return _receive(
        request, forge=Forge.GITLAB, event=request.headers.get("X-Gitlab-Event", ""), delivery_id=delivery_id
    )
