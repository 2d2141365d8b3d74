from django.urls import path

from community import views_library

# The starter kit comes before <slug> so that it is never taken for a guide's slug.
urlpatterns = [
    path("guidelines/", views_library.guidelines, name="guidelines"),
    path("guidelines/starter-kit/", views_library.starter_kit, name="starter_kit"),
    path("guidelines/<slug:slug>/", views_library.guide_detail, name="guide_detail"),
    path("guidelines/<slug:slug>/download/", views_library.guide_download, name="guide_download"),
]
