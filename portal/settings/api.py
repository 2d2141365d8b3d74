"""The REST API (/api/v1/): personal tokens or the site's session; JSON in and out; errors of one shape;
its OpenAPI schema and documentation pages."""

from portal.settings.environment import env_str
from portal.settings.security import TRUSTED_PROXY_COUNT

API_WRITE_RATE = env_str("API_WRITE_RATE", "60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSONParser with a depth limit: too deep or malformed is a JSON 400, never a 500.
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "catalog.pagination.PortalPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttles.WriteRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "ORDERING_PARAM": "ordering",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "InnerSource Portal API",
    "DESCRIPTION": (
        "The catalog, the community and the metrics of the InnerSource portal. Sign in on the site "
        "(session) or send a personal token made on your profile: `Authorization: Bearer <token>`. "
        "Reads need a signed-in person; writes follow the same permissions as the pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several fields are called "kind"; name their enums after what they are.
    "ENUM_NAME_OVERRIDES": {
        "AssetKindEnum": "catalog.models.AssetKind",
        "GuideKindEnum": "community.models.Guide.Kind",
        "UsageReportKindEnum": "metrics.api.usage.ReportedKind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
    ],
}
