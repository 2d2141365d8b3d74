from django.contrib import admin

from community.models import (
    Badge,
    BadgeAward,
    Guide,
    GuideVersion,
    JourneySettings,
    Kudos,
    Membership,
    Practitioner,
    RulesAcceptance,
    RulesVersion,
    Skill,
    StageChange,
    StageContent,
)


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "business_unit", "team", "stage", "participation_level"]
    list_filter = ["stage", "participation_level", "business_unit"]
    search_fields = ["display_name", "user__email", "github_login", "gitlab_username"]
    raw_id_fields = ["user"]
    filter_horizontal = ["skills"]
    readonly_fields = ["stage", "stage_since", "participation_level", "evaluated_at"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "project", "joined_at", "left_at"]
    raw_id_fields = ["user", "project"]


@admin.register(JourneySettings)
class JourneySettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "contributor_merged_requests",
        "trusted_committer_merged",
        "trusted_committer_reviews",
    ]

    def has_add_permission(self, request):
        return not JourneySettings.objects.exists()


@admin.register(StageContent)
class StageContentAdmin(admin.ModelAdmin):
    list_display = ["stage", "summary"]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "from_stage", "to_stage"]
    list_filter = ["to_stage"]
    raw_id_fields = ["user"]


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "rule", "multiple", "auto_revoke", "active"]
    list_filter = ["tier", "active"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BadgeAward)
class BadgeAwardAdmin(admin.ModelAdmin):
    list_display = ["awarded_at", "badge", "user", "key", "revoked_at"]
    list_filter = ["badge"]
    raw_id_fields = ["user"]


class RulesAcceptanceInline(admin.TabularInline):
    model = RulesAcceptance
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["accepted_at"]


@admin.register(RulesVersion)
class RulesVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]


class GuideVersionInline(admin.StackedInline):
    model = GuideVersion
    extra = 0


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "filename", "in_starter_kit", "order"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [GuideVersionInline]


@admin.register(Kudos)
class KudosAdmin(admin.ModelAdmin):
    list_display = ["created_at", "giver", "receiver", "project", "message"]
    raw_id_fields = ["giver", "receiver", "project"]
