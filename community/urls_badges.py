from django.urls import path

from . import views_badges

urlpatterns = [
    path("badges/", views_badges.badges, name="badges"),
    path("badges/<slug:slug>/", views_badges.badge, name="badge"),
]
