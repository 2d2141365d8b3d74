"""Every API error is JSON of one shape: a message, the field at fault, and all field messages."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from catalog.parsing import size_text

NON_FIELD = "non_field_errors"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as {"field.sub": [messages]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = key if not prefix else (prefix if key == NON_FIELD else f"{prefix}.{key}")
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {prefix or NON_FIELD: [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or NON_FIELD: [str(detail)]}


def error_body(message: str, *, field: str | None = None, errors: dict | None = None) -> dict:
    return {"error": message, "field": field, "errors": errors or {}}


def exception_handler(exc, context):
    if isinstance(exc, RequestDataTooBig):
        # Django refuses request.body beyond DATA_UPLOAD_MAX_MEMORY_SIZE with a SuspiciousOperation, which
        # would become its HTML 400 page: the API answers in JSON, with the status that says why.
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(error_body(f"The body is larger than {size_text(limit)}."), status=413)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        field, messages = next(iter(errors.items()), (NON_FIELD, ["Invalid input."]))
        shown_field = None if field == NON_FIELD else field
        message = messages[0] if shown_field is None else f"{field}: {messages[0]}"
        response.data = error_body(message, field=shown_field, errors=errors)
    else:
        if isinstance(exc, Http404):
            message = "Not found."
        elif isinstance(exc, PermissionDenied):
            message = str(exc) or "You may not do this."
        else:
            detail = getattr(exc, "detail", str(exc))
            message = str(detail)
        response.data = error_body(message)
    return response


@csrf_exempt  # it writes nothing; without this a POST would get the CSRF failure page in HTML
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Anything under /api/v1/ that is no endpoint: JSON, not the site's HTML 404 page."""
    return JsonResponse(error_body("No such API endpoint; see /api/v1/docs/."), status=404)
