from django.contrib import admin

from community.models import Practitioner


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "business_unit", "team"]
    list_filter = ["business_unit"]
    search_fields = ["display_name", "user__email", "github_login", "gitlab_username"]
    raw_id_fields = ["user"]
