"""The catalog's search page and the suggestions as someone types."""

import dataclasses
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from catalog import selectors
from catalog.selectors.suggestions import search_suggestions


def search(request: HttpRequest) -> HttpResponse:
    query = selectors.CatalogQuery.from_params(request.GET)
    results = selectors.catalog_search(query=query, viewer=request.user)
    search_id = uuid.uuid4()
    if query.q or request.GET:
        # Usage recording (metrics' middleware) reads this after the response; catalog never imports metrics.
        request.usage_search = {
            "event_id": search_id,
            "query": query.q,
            "filters": {k: v for k, v in request.GET.lists() if k not in {"q", "page"}},
            "result_count": results.total,
        }
    context = {
        "results": results,
        "filters": selectors.filter_links(results=results),
        "sorts": selectors.SORTS,
        "params": request.GET,
        "facet_titles": selectors.FACET_TITLES,
        "search_id": search_id,
    }
    if request.htmx and request.htmx.target == "catalog-results":
        return render(request, "catalog/_results.html", context)
    return render(request, "catalog/search.html", context)


def search_suggest(request: HttpRequest) -> JsonResponse:
    """The search box's suggestions for what is typed so far (static/js/combobox.js shows them)."""
    suggestions = search_suggestions(text=request.GET.get("q", "")[:200], viewer=request.user)
    return JsonResponse({"suggestions": [dataclasses.asdict(s) for s in suggestions]})
