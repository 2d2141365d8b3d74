"""/api/v1/: each app's endpoints, the OpenAPI schema and its interactive docs."""

from django.conf import settings
from django.urls import include, path, re_path
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from catalog import api as catalog_api
from community import api as community_api
from metrics import api as metrics_api
from portal.api import errors, root

DOCS_CSP = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}

router = SimpleRouter()
for module in (catalog_api, community_api, metrics_api):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [
    path("", root.ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the docs page needs no inline script (CSP);
    # Swagger UI does insert <style> elements, which only this page allows.
    path(
        "docs/",
        csp_override(DOCS_CSP)(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    *catalog_api.urlpatterns,
    *community_api.urlpatterns,
    *metrics_api.urlpatterns,
    path("", include(router.urls)),
    # [\s\S]: also paths with a newline in them.
    re_path(r"^[\s\S]*$", errors.not_found),
]
