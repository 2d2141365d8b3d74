from django.contrib import admin

from metrics.models import ForgeAccount, SyncState, WebhookDelivery


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
