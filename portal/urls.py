from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("healthz", views.healthz, name="healthz"),
        path("readyz", views.readyz, name="readyz"),
        path("notifications/", views.notifications, name="notifications"),
        path("audit/", views.audit_log, name="audit_log"),
        path("audit/project-changes.csv", views.audit_log_changes_csv, name="audit_log_changes_csv"),
        path("audit/admin-changes.csv", views.audit_log_admin_csv, name="audit_log_admin_csv"),
        path("practitioners/me/tokens/", views.api_tokens, name="api_tokens"),
        path("practitioners/me/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
        path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
        path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("api/v1/", include("portal.api.urls")),
    # Before catalog's: the project dashboard sits under catalog/<slug>/metrics/.
    path("", include("metrics.urls")),
    path("catalog/", include("catalog.urls")),
    path("", include("community.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "InnerSource Portal administration"
admin.site.site_title = "InnerSource Portal"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
