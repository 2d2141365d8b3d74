from django.urls import path

from catalog.views import assets, avatar, curation, projects, radar, search

app_name = "catalog"

urlpatterns = [
    path("", search.search, name="search"),
    path("register/", projects.register, name="register"),
    path("register/duplicates/", projects.register_duplicates, name="register_duplicates"),
    path("review/", curation.review_queue, name="review_queue"),
    path("suggest/", search.search_suggest, name="suggest"),
    path("duplicates/", radar.duplicates, name="duplicates"),
    path("duplicates/<str:key>/not-duplicates/", radar.duplicates_dismiss, name="duplicates_dismiss"),
    path("duplicates/<str:key>/tell-owners/", radar.duplicates_tell, name="duplicates_tell"),
    path("<slug:slug>/", projects.project_detail, name="project"),
    path("<slug:slug>/avatar.svg", avatar.project_avatar, name="avatar"),
    path("<slug:slug>/edit/", projects.project_edit, name="edit"),
    path("<slug:slug>/review/", curation.project_review, name="review"),
    path("<slug:slug>/curate/", curation.project_curate, name="curate"),
    path("<slug:slug>/merge/", curation.project_merge, name="merge"),
    path("<slug:slug>/merge/targets/", curation.merge_targets, name="merge_targets"),
    path("<slug:slug>/assets/new/", assets.asset_edit, name="asset_new"),
    path("<slug:slug>/assets/<slug:asset_slug>/", assets.asset_detail, name="asset"),
    path("<slug:slug>/assets/<slug:asset_slug>/edit/", assets.asset_edit, name="asset_edit"),
    path("<slug:slug>/assets/<slug:asset_slug>/adopt/", assets.asset_adopt, name="adopt"),
    path(
        "<slug:slug>/assets/<slug:asset_slug>/adoptions/<int:adoption_id>/end/",
        assets.adoption_end,
        name="adoption_end",
    ),
]
