from django.urls import path

from catalog import views, views_avatar, views_radar

app_name = "catalog"

urlpatterns = [
    path("", views.search, name="search"),
    path("register/", views.register, name="register"),
    path("register/duplicates/", views.register_duplicates, name="register_duplicates"),
    path("review/", views.review_queue, name="review_queue"),
    path("suggest/", views.search_suggest, name="suggest"),
    path("duplicates/", views_radar.duplicates, name="duplicates"),
    path("duplicates/<str:key>/not-duplicates/", views_radar.duplicates_dismiss, name="duplicates_dismiss"),
    path("duplicates/<str:key>/tell-owners/", views_radar.duplicates_tell, name="duplicates_tell"),
    path("<slug:slug>/", views.project_detail, name="project"),
    path("<slug:slug>/avatar.svg", views_avatar.project_avatar, name="avatar"),
    path("<slug:slug>/edit/", views.project_edit, name="edit"),
    path("<slug:slug>/review/", views.project_review, name="review"),
    path("<slug:slug>/curate/", views.project_curate, name="curate"),
    path("<slug:slug>/merge/", views.project_merge, name="merge"),
    path("<slug:slug>/merge/targets/", views.merge_targets, name="merge_targets"),
    path("<slug:slug>/assets/new/", views.asset_edit, name="asset_new"),
    path("<slug:slug>/assets/<slug:asset_slug>/", views.asset_detail, name="asset"),
    path("<slug:slug>/assets/<slug:asset_slug>/edit/", views.asset_edit, name="asset_edit"),
    path("<slug:slug>/assets/<slug:asset_slug>/adopt/", views.asset_adopt, name="adopt"),
    path(
        "<slug:slug>/assets/<slug:asset_slug>/adoptions/<int:adoption_id>/end/",
        views.adoption_end,
        name="adoption_end",
    ),
]
