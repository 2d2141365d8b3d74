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
        path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
        path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("catalog/", include("catalog.urls")),
    path("", include("metrics.urls")),
    path("", include("community.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "InnerSource Portal administration"
admin.site.site_title = "InnerSource Portal"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
