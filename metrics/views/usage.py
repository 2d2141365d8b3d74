"""The beacon: clicks the server does not see (a result click, a contribute click), sent by
static/js/usage.js with navigator.sendBeacon.

CSRF-exempt because sendBeacon cannot carry a token; it only ever adds a counted click, strictly
validated, and cross-site senders are refused by their Origin. A text/plain body keeps the beacon a
"simple" request (no CORS preflight).
"""

import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from catalog.models import Project
from catalog.parsing import ParseError, load_json
from catalog.ratelimit import rate_limited
from metrics.models import UsageKind
from metrics.usage import usage_record

MAX_BODY_BYTES = 4096
MAX_POSITION = 100_000
FIELDS = {
    UsageKind.RESULT_CLICK: {"kind", "search_id", "position", "path"},
    UsageKind.CONTRIBUTE_CLICK: {"kind", "project"},
}


class BadBeacon(ValueError):
    pass


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _payload(request: HttpRequest) -> dict:
    content_type = request.content_type or ""
    if content_type not in {"text/plain", "application/json"}:
        raise BadBeacon("the body must be text/plain or application/json")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise BadBeacon(f"the body must be at most {MAX_BODY_BYTES} bytes")
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise BadBeacon(f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        payload = load_json(body)
    except ParseError as error:
        raise BadBeacon("the body must be a JSON object") from error
    if not isinstance(payload, dict):
        raise BadBeacon("the body must be a JSON object")
    return payload


def _result_click(payload: dict) -> dict:
    try:
        search_id = uuid.UUID(str(payload.get("search_id")))
    except ValueError as error:
        raise BadBeacon("search_id must be a UUID") from error
    position = payload.get("position")
    # bool is an int in Python: true must not pass for position 1.
    if not isinstance(position, int) or isinstance(position, bool) or not 1 <= position <= MAX_POSITION:
        raise BadBeacon("position must be an integer from 1")
    path = payload.get("path")
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or len(path) > 500
        or not url_has_allowed_host_and_scheme(path, allowed_hosts=None)
    ):
        raise BadBeacon("path must be a path on this site")
    return {"search_event_id": search_id, "position": position, "path": path, **_result_of(path)}


def _result_of(path: str) -> dict:
    """The project (and asset) a result links to, so that clicks count per project in the rollups."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return {}
    if match.namespace != "catalog" or not match.kwargs.get("slug"):
        return {}
    # Resolved to ids when stored, like a page view's: no query here.
    return {"project_slug": match.kwargs["slug"], "asset_slug": match.kwargs.get("asset_slug")}


def _contribute_click(request: HttpRequest, payload: dict) -> dict:
    slug = payload.get("project")
    if not isinstance(slug, str) or not slug or len(slug) > 200:
        raise BadBeacon("project must be a project's slug")
    # A project the sender does not see is as missing as one that does not exist.
    project = Project.objects.visible_to(request.user).filter(slug=slug).values_list("pk", flat=True).first()
    if project is None:
        raise BadBeacon("no such project")
    return {"project": project}


def _same_origin(request: HttpRequest) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return True
    return url_has_allowed_host_and_scheme(origin + "/", allowed_hosts={request.get_host()})


@csrf_exempt
@require_POST
@rate_limited(scope="beacon", rate_setting="USAGE_BEACON_RATE")
def beacon(request: HttpRequest) -> HttpResponse:
    if not _same_origin(request):
        return _bad("cross-site beacons are not accepted", status=403)
    try:
        payload = _payload(request)
        kind = payload.get("kind")
        if kind not in FIELDS:
            raise BadBeacon("kind must be result_click or contribute_click")
        unknown = set(payload) - FIELDS[kind]
        if unknown:
            raise BadBeacon(f"unexpected fields: {', '.join(sorted(unknown))}")
        if kind == UsageKind.RESULT_CLICK:
            fields = _result_click(payload)
        else:
            fields = _contribute_click(request, payload)
    except BadBeacon as error:
        return _bad(str(error))
    usage_record(kind=kind, request=request, **fields)
    return HttpResponse(status=204)
