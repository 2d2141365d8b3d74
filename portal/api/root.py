"""GET /api/v1/: where a script writer starts, as a person starts at the docs: every endpoint with its
methods, the docs and the schema. Read from the URL configuration itself, so an endpoint added to any
app is listed without anyone remembering to."""

import re
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import errors

# Listed apart (docs, schema) or not endpoints at all (this page, the JSON 404 for everything else).
NOT_LISTED = {"root", "docs", "schema"}
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
METHODS = ("get", "post", "put", "patch", "delete")


def _template(route: str) -> str:
    """A route as people write it: `projects/{slug}/metrics/` for both path() and the router's regexes."""
    route = route.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    route = _CONVERTER.sub(r"{\1}", _GROUP.sub(r"{\1}", route))
    # A primary key is the object's `id` in every payload, as the schema names it.
    return route.replace("{pk}", "{id}")


def _methods(callback) -> list[str]:
    """The methods a view answers: those it has (a viewset: those the router bound to an action) and
    does not refuse (http_method_names)."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return []
    actions = getattr(callback, "actions", None)
    offered = actions.keys() if actions is not None else [m for m in METHODS if hasattr(view_class, m)]
    allowed = set(view_class.http_method_names)
    return sorted(method.upper() for method in offered if method in METHODS and method in allowed)


def _walk(patterns, prefix: str):
    for pattern in patterns:
        route = prefix + _template(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name not in NOT_LISTED:
            if pattern.callback is errors.not_found:
                continue
            methods = _methods(pattern.callback)
            if methods:
                yield {"path": route, "methods": methods}


@cache
def endpoints() -> tuple[dict, ...]:
    """Every endpoint of the API's namespace, by path (the URL configuration does not change at run time)."""
    prefix, resolver = get_resolver().namespace_dict["api"]
    base = "/" + _template(prefix)
    return tuple(sorted(_walk(resolver.url_patterns, base), key=lambda endpoint: endpoint["path"]))


class ApiRootView(APIView):
    """Open to everyone: it lists what exists, no data."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="api_root",
        tags=["api"],
        summary="The endpoints of the API, its docs and its schema",
        responses=inline_serializer(
            "ApiRoot",
            {
                "name": serializers.CharField(),
                "docs": serializers.URLField(help_text="The interactive documentation."),
                "schema": serializers.URLField(help_text="The OpenAPI schema."),
                "authentication": serializers.CharField(),
                "endpoints": inline_serializer(
                    "ApiEndpoint",
                    {
                        "path": serializers.CharField(
                            help_text="With {parameters}, e.g. /api/v1/projects/{slug}/"
                        ),
                        "methods": serializers.ListField(child=serializers.CharField()),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        return Response(
            {
                "name": "InnerSource Portal API",
                "docs": request.build_absolute_uri(reverse("api:docs")),
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "authentication": (
                    "Signed in on the site (session), or a personal token made on your profile "
                    "(/practitioners/me/tokens/) sent as `Authorization: Bearer <token>`. Reads need a "
                    "signed-in person; writes follow the pages' permissions."
                ),
                "endpoints": list(endpoints()),
            }
        )
