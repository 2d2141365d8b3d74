"""People: profiles, kudos, the rules of engagement, and project communities (members, joining,
trusted committers). Included at the site root after the catalog's URLs: the catalog's `<slug>/`
patterns match one segment only, so `catalog/<slug>/community/` is free for these."""

from django.urls import path

from community import views_people as views

urlpatterns = [
    path("practitioners/me/edit/", views.profile_edit, name="profile_edit"),
    path("practitioners/<str:username>/", views.profile, name="profile"),
    path("practitioners/<str:username>/kudos/", views.kudos_give, name="kudos"),
    path("rules/", views.rules, name="rules"),
    path("catalog/<slug:slug>/community/", views.members, name="members"),
    path("catalog/<slug:slug>/community/join/", views.membership_join, name="join"),
    path("catalog/<slug:slug>/community/leave/", views.membership_leave, name="leave"),
    path(
        "catalog/<slug:slug>/community/trusted-committers/appoint/",
        views.trusted_committer_appoint,
        name="trusted_committer_appoint",
    ),
    path(
        "catalog/<slug:slug>/community/trusted-committers/remove/",
        views.trusted_committer_remove,
        name="trusted_committer_remove",
    ),
]
