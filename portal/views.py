from collections.abc import Callable, Iterator

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from catalog import selectors as catalog_selectors
from catalog.models import Notification
from catalog.permissions import is_program_office
from community.recommendations import home_suggestions
from portal import audit, services
from portal.checks import static_files_problem, static_manifest_in_use
from portal.forms import ApiTokenForm, AuditLogFilterForm
from portal.models import ApiToken


def home(request: HttpRequest) -> HttpResponse:
    context = catalog_selectors.home_highlights()
    # An explorer (or someone without a profile yet) is shown first projects matched to them.
    context["first_projects"] = home_suggestions(user=request.user)
    return render(request, "portal/home.html", context)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The database and, when configured, Redis answer; with DEBUG off, the static files are collected
    (without them every page fails)."""
    checks: dict[str, str] = {}
    healthy = True
    static_problem = static_files_problem()
    if static_problem is not None:
        checks["static_files"] = f"error: {static_problem}"
        healthy = False
    elif static_manifest_in_use():
        checks["static_files"] = "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {error.__class__.__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            # Asked directly: the cache fails soft (portal/cache.py) and would hide an unreachable Redis.
            with redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
            ) as client:
                client.ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["redis"] = f"error: {error.__class__.__name__}"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    # A digest of the catalog's assets one's projects use (catalog.services.notices) lists its lines.
    items = list(request.user.notifications.select_related("consumer_digest")[:50])
    return render(request, "portal/notifications.html", {"notifications": items})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.url or "portal:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    request.user.notifications.unread().update(read_at=timezone.now())
    return redirect("portal:notifications")


NEW_TOKEN_KEY = "portal:new-api-token"


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    """A person's API tokens: make one (shown once), see when each was last used, revoke."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _record, token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except services.TokenLimitReached as error:
            form.add_error(None, str(error))
        else:
            # Shown once on the next page (post/redirect/get, so a reload makes no second token).
            request.session[NEW_TOKEN_KEY] = token
            return redirect("portal:api_tokens")
    tokens = list(ApiToken.objects.active().filter(user=request.user))
    context = {"form": form, "tokens": tokens, "new_token": request.session.pop(NEW_TOKEN_KEY, "")}
    return render(request, "portal/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if services.api_token_revoke(user=request.user, token_id=pk):
        messages.success(request, "Revoked. Programs using that token can no longer call the API.")
    else:
        messages.error(request, "No such token of yours (it may be revoked already).")
    return redirect("portal:api_tokens")


AUDIT_PAGE_SIZE = 50


def _audit_log_form(request: HttpRequest) -> AuditLogFilterForm:
    """The filters of the audit log, for the program office only (the page and its exports alike)."""
    if not is_program_office(request.user):
        raise PermissionDenied("Only the program office reads the audit log.")
    # Always bound, so that no filter at all is a valid form that narrows nothing.
    return AuditLogFilterForm(request.GET, auto_id="audit-%s")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The program office's audit log: every recorded change to projects (by owners, maintainers, the
    program office and imports) and every change made in the admin, newest first, a page at a time,
    narrowed by the filters. Filters that do not parse show their error and no table."""
    form = _audit_log_form(request)
    context: dict = {"form": form}
    if form.is_valid():
        filters = form.filters()
        context.update(
            filter_query=form.query(),
            changes=Paginator(audit.project_changes(filters=filters), AUDIT_PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            admin_changes=Paginator(audit.admin_entries(filters=filters), AUDIT_PAGE_SIZE).get_page(
                request.GET.get("admin_page")
            ),
            # The admin table has no project or action to narrow by: the page says it ignored them.
            admin_ignores_filters=bool(filters.project or filters.action),
        )
    return render(request, "portal/audit_log.html", context)


def _audit_csv(request: HttpRequest, *, table: str, lines: Callable[..., Iterator[str]]) -> HttpResponseBase:
    form = _audit_log_form(request)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    filters = form.filters()
    # Streamed: every matching row, read in chunks, however long the log.
    response = StreamingHttpResponse(lines(filters=filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{audit.csv_filename(table=table, filters=filters)}"'
    )
    return response


@login_required
def audit_log_changes_csv(request: HttpRequest) -> HttpResponseBase:
    return _audit_csv(request, table="project-changes", lines=audit.project_changes_csv)


@login_required
def audit_log_admin_csv(request: HttpRequest) -> HttpResponseBase:
    return _audit_csv(request, table="admin-changes", lines=audit.admin_entries_csv)
