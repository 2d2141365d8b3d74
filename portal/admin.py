from django.contrib import admin

from catalog.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "message", "read_at"]
    raw_id_fields = ["user"]
