from django.contrib import admin

from catalog.admin import ReadOnlyAdmin
from metrics.manifests import manifest_kind
from metrics.models import ForgeAccount, ManifestFile, SyncState, WebhookDelivery


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = [
        "repository",
        "last_finished_at",
        "last_request_count",
        "consecutive_failures",
        "last_error",
    ]
    list_select_related = ["repository"]
    search_fields = ["repository__url", "repository__full_name"]
    readonly_fields = ["cursors", "etags", "last_started_at", "last_finished_at", "last_full_sync_at"]

    @admin.display(description="last error")
    def last_error(self, state: SyncState) -> str:
        return state.repository.last_error


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["received_at", "forge", "event", "action", "repository", "processed_at", "error"]
    list_filter = ["forge", "event"]
    list_select_related = ["repository"]
    readonly_fields = ["payload"]
    raw_id_fields = ["repository"]


@admin.register(ForgeAccount)
class ForgeAccountAdmin(admin.ModelAdmin):
    list_display = ["login", "forge", "name", "email", "is_bot", "user"]
    list_filter = ["forge", "is_bot"]
    search_fields = ["login", "name", "email"]
    raw_id_fields = ["user"]


@admin.register(ManifestFile)
class ManifestFileAdmin(ReadOnlyAdmin):
    """The dependency manifests the sync read (metrics.sync.manifest_scan), to see what it found and why
    a file could not be read. Read-only: the sync keeps them in step with the repositories."""

    list_display = ["repository", "path", "kind", "read_at", "dependency_count", "error_line"]
    list_select_related = ["repository"]
    search_fields = ["repository__url", "repository__full_name", "path"]
    date_hierarchy = "read_at"
    ordering = ["repository__url", "path"]
    readonly_fields = ["repository", "path", "kind", "blob_sha", "read_at", "dependencies", "error"]
    fields = readonly_fields

    @admin.display(description="kind")
    def kind(self, manifest: ManifestFile) -> str:
        return manifest_kind(manifest.path)

    @admin.display(description="dependencies")
    def dependency_count(self, manifest: ManifestFile) -> int:
        return len(manifest.dependencies)

    @admin.display(description="error")
    def error_line(self, manifest: ManifestFile) -> str:
        return manifest.error.splitlines()[0][:120] if manifest.error else ""
