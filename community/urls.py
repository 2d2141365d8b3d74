"""The community app's pages. Included at the site root after the catalog's URLs: the catalog's
`<slug>/` patterns match one segment only, so `catalog/<slug>/community/` is free for these."""

from django.urls import path

from community.views import badges, journey, library, maintainer, people

app_name = "community"

urlpatterns = [
    path("journey/", journey.journey, name="journey"),
    path("badges/", badges.badges, name="badges"),
    path("badges/<slug:slug>/", badges.badge, name="badge"),
    # People: profiles, kudos, the rules of engagement, and project communities.
    path("practitioners/me/edit/", people.profile_edit, name="profile_edit"),
    path("practitioners/me/projects/", maintainer.projects_mine, name="projects_mine"),
    path("practitioners/<str:username>/", people.profile, name="profile"),
    path("practitioners/<str:username>/kudos/", people.kudos_give, name="kudos"),
    path("rules/", people.rules, name="rules"),
    path("catalog/<slug:slug>/community/", people.members, name="members"),
    path("catalog/<slug:slug>/community/join/", people.membership_join, name="join"),
    path("catalog/<slug:slug>/community/leave/", people.membership_leave, name="leave"),
    path(
        "catalog/<slug:slug>/community/trusted-committers/appoint/",
        people.trusted_committer_appoint,
        name="trusted_committer_appoint",
    ),
    path(
        "catalog/<slug:slug>/community/trusted-committers/remove/",
        people.trusted_committer_remove,
        name="trusted_committer_remove",
    ),
    # The library. The starter kit comes before <slug> so that it is never taken for a guide's slug.
    path("guidelines/", library.guidelines, name="guidelines"),
    path("guidelines/starter-kit/", library.starter_kit, name="starter_kit"),
    path("guidelines/<slug:slug>/", library.guide_detail, name="guide_detail"),
    path("guidelines/<slug:slug>/download/", library.guide_download, name="guide_download"),
]
