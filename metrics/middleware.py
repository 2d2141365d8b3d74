"""Page views and searches, recorded where the server sees them (after the response is built).

The anonymous visitor's pseudonymous id lives in a first-party cookie set here; it is random, never
derived from the IP address. Recording is wrapped so that it can never break the page.
"""

import logging
import time

from django.conf import settings

from metrics import usage
from metrics.models import UsageKind

logger = logging.getLogger(__name__)

# Not pages a person reads: probes, assets, the admin, machine endpoints.
EXCLUDED_PREFIXES = ("/admin/", "/healthz", "/readyz", "/webhooks/", "/usage/beacon/", "/favicon")
# Parameters that shape a result list without narrowing it: alone they do not make a search.
NOT_FILTERS = {"sort"}
# The catalog pages that belong to one project (an asset page belongs to its asset too).
PROJECT_PAGES = {"project", "asset"}


def _excluded(path: str) -> bool:
    return path.startswith(
        (*EXCLUDED_PREFIXES, settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")
    )


def _page_of(request) -> dict:
    """The project (and asset) whose page this is, by slug: page views count per project."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.namespace != "catalog" or match.url_name not in PROJECT_PAGES:
        return {}
    return {"project_slug": match.kwargs.get("slug"), "asset_slug": match.kwargs.get("asset_slug")}


class UsageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _excluded(request.path_info):
            return self.get_response(request)
        minted = self._mint_visitor_id(request)
        response = self.get_response(request)
        started = time.perf_counter()
        try:
            usage.usage_record_events(self._events(request, response))
        except Exception:  # noqa: BLE001 - counting a visit must never cost the visitor the page
            logger.exception("usage: could not record the events of %s", request.path_info)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > 50:
            logger.warning("usage: recording took %.1f ms for %s", elapsed_ms, request.path_info)
        if minted:
            response.set_cookie(
                usage.VISITOR_COOKIE,
                minted,
                max_age=usage.VISITOR_COOKIE_MAX_AGE,
                samesite="Lax",
                httponly=True,
                secure=not settings.DEBUG,
            )
        return response

    @staticmethod
    def _mint_visitor_id(request) -> str:
        """A fresh id for an anonymous visitor without a (valid) cookie; none for people who asked not
        to be tracked, crawlers, or signed-in people (who are counted by their account)."""
        if request.COOKIES.get(usage.VISITOR_COOKIE) and usage.request_visitor_id(request):
            return ""
        if usage.opted_out(request) or usage.is_crawler(request):
            return ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return ""
        request.portal_vid = usage.new_visitor_id()
        return request.portal_vid

    @staticmethod
    def _events(request, response) -> list[dict]:
        events = []
        if (
            request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.headers.get("HX-Request")
        ):
            events.append(
                usage.usage_event(
                    kind=UsageKind.PAGE_VIEW, request=request, path=request.path, **_page_of(request)
                )
            )
        search = getattr(request, "usage_search", None)
        if search and response.status_code == 200:
            filters = search.get("filters") or {}
            if search.get("query") or set(filters) - NOT_FILTERS:
                events.append(
                    usage.usage_event(
                        kind=UsageKind.SEARCH,
                        request=request,
                        path=request.path,
                        event_id=search["event_id"],
                        query=search.get("query") or "",
                        filters=filters,
                        result_count=search.get("result_count"),
                    )
                )
        return [event for event in events if event is not None]
