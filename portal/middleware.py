"""The portal's own middleware: a NUL character in an address or a form is refused with a 400
(NulCharacterMiddleware);
a database that cannot be reached is a 503 with a readable page, not a
500 (DatabaseUnavailableMiddleware); with PORTAL_SIGN_IN_REQUIRED the whole portal asks for a signed-in
person (SignInRequiredMiddleware).

While PostgreSQL restarts (or fails over), every request that needs it fails: the visitor gets a short
"try again" page (the API a JSON error of its usual shape) with `Retry-After`, and the log one warning
line instead of a traceback per request. Django reconnects by itself once the database is back
(CONN_HEALTH_CHECKS): nothing needs restarting.

Place it after the security middleware, so that its answers carry the same security headers.
"""

import logging
import sys

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"error": "The service is briefly unavailable; try again shortly.", "field": None, "errors": {}},
            status=503,
        )
    else:
        # Rendered without the request: the usual context processors would query the database.
        body = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # An error raised by another middleware never reaches process_exception: Django has made it a
        # 500 already; the signal below noted whether the database was the cause.
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return database_unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("database unavailable for %s: %s", request.path_info, exception)
            return database_unavailable(request)
        return None


def _note_database_errors(sender, request=None, **kwargs) -> None:
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request._database_unavailable = True


got_request_exception.connect(_note_database_errors, dispatch_uid="portal.middleware.database")


# Paths that answer anonymous callers whatever the setting: the probes, the forges' webhooks (they
# authenticate themselves with a signature or token) and the API (it answers 401 JSON itself). Static
# files never get here (whitenoise serves them first); they are listed in case it is taken out.
OPEN_PATHS = ("/healthz", "/readyz")
OPEN_PREFIXES = ("/webhooks/", "/api/")


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """With PORTAL_SIGN_IN_REQUIRED on, an anonymous visitor of any page is sent to the sign-in page
    (and back afterwards), as most intranets want. Django's LoginRequiredMiddleware does the sending; the
    views that mark themselves `login_not_required` stay open: allauth's sign-in, sign-up, password
    reset and e-mail confirmation pages (and the admin's own sign-in page). Place it after the
    authentication middleware.

    The setting is read on every request (not when the middleware is built), so one process, and its
    tests, can switch it."""

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not settings.PORTAL_SIGN_IN_REQUIRED:
            return None
        path = request.path_info
        if path in OPEN_PATHS or path.startswith((*OPEN_PREFIXES, settings.STATIC_URL or "/static/")):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NulCharacterMiddleware:
    """A NUL character anywhere in the path, the query string or a URL-encoded form is refused with a
    400, before any view runs: PostgreSQL text cannot hold one (psycopg raises, which would be a 500 on
    every filter, search and lookup that passes a parameter on to a query), and no name, slug or word of
    ours contains one. One check here instead of one in each view that reads a parameter. API bodies are
    checked by the API's JSON parser (portal.api.parsers); multipart fields by the forms' validators."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            return self._refused(request, field=None)
        for key, values in self._parameters(request):
            if "\x00" in key or any("\x00" in value for value in values):
                return self._refused(request, field=key.replace("\x00", "%00"))
        return self.get_response(request)

    @staticmethod
    def _parameters(request: HttpRequest):
        """The query string's parameters, and a URL-encoded form's (a choice looked up by a slug or a
        username would reach the database). Webhooks are left alone: their bodies are checked against
        a signature first. Multipart bodies are left to the forms' own validators."""
        yield from request.GET.lists()
        if (
            request.method == "POST"
            and request.content_type == "application/x-www-form-urlencoded"
            and not request.path_info.startswith("/webhooks/")
        ):
            yield from request.POST.lists()

    @staticmethod
    def _refused(request: HttpRequest, *, field: str | None) -> HttpResponse:
        message = "A NUL character (%00) is not accepted here."
        if request.path_info.startswith("/api/"):
            # The API's error shape (portal.api.errors): the parameter at fault is named.
            body = {"error": f"{field}: {message}" if field else message, "field": field, "errors": {}}
            if field:
                body["errors"] = {field: [message]}
            return JsonResponse(body, status=400)
        where = f"The field {field!r}" if field else "The address"
        text = f"{where} contains a NUL character (%00), which no page accepts."
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
