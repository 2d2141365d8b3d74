from django.contrib import admin

from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    Language,
    Project,
    ProjectChange,
    ProjectRole,
    Repository,
    Topic,
)
from catalog.search_index import entries_rebuild


class ProjectRoleInline(admin.TabularInline):
    model = ProjectRole
    extra = 0
    raw_id_fields = ["user"]


class RepositoryInline(admin.TabularInline):
    model = Repository
    extra = 0
    fields = ["forge", "url", "last_synced_at", "last_error"]
    readonly_fields = ["last_synced_at", "last_error"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "business_unit",
        "lifecycle",
        "review_status",
        "featured",
        "verified",
        "activity_score",
    ]
    list_filter = ["review_status", "lifecycle", "featured", "verified", "business_unit"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics", "languages"]
    raw_id_fields = ["created_by", "merged_into"]
    inlines = [ProjectRoleInline, RepositoryInline]
    readonly_fields = ["activity_score", "activity_score_explanation"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        entries_rebuild(project_ids=[form.instance.pk])


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "project__name"]
    raw_id_fields = ["project"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        entries_rebuild(project_ids=[form.instance.project_id])


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["asset", "business_unit", "team", "product", "since", "ended_on"]
    list_filter = ["business_unit"]
    raw_id_fields = ["asset", "created_by"]


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ["url", "project", "forge", "last_synced_at", "last_error"]
    list_filter = ["forge"]
    search_fields = ["url", "full_name"]
    raw_id_fields = ["project"]


@admin.register(ProjectChange)
class ProjectChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "actor", "action", "note"]
    list_filter = ["action"]
    raw_id_fields = ["project", "actor"]

    def has_change_permission(self, request, obj=None):
        return False


admin.site.register(BusinessUnit, list_display=["name", "slug"], prepopulated_fields={"slug": ["name"]})
admin.site.register(Topic, search_fields=["name"])
admin.site.register(Language, search_fields=["name"])
