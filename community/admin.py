from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from catalog.admin_uploads import ImportPageMixin
from catalog.permissions import is_program_office
from community import identity
from community.directory import (
    FORMATS,
    MAX_DIRECTORY_BYTES,
    DirectoryFormatError,
    directory_import,
    parse_directory,
)
from community.models import (
    Badge,
    BadgeAward,
    DirectoryEntry,
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
    UnitSource,
)


class _OneChoiceFilter(admin.SimpleListFilter):
    """A list filter of one choice, which narrows the list to the rows `condition` holds for."""

    choice: tuple[str, str]
    condition: Q

    def lookups(self, request, model_admin):
        return [self.choice]

    def queryset(self, request, queryset):
        return queryset.filter(self.condition) if self.value() == self.choice[0] else queryset


class UnitRequestFilter(_OneChoiceFilter):
    title = "business unit request"
    parameter_name = "unit_request"
    choice = ("pending", "Waiting for confirmation")
    condition = Q(requested_business_unit__isnull=False)


class IdentityClaimFilter(_OneChoiceFilter):
    title = "forge identity"
    parameter_name = "identity"
    choice = ("unverified", "Typed, not verified")
    condition = (Q(github_login_verified=False) & ~Q(github_login="")) | (
        Q(gitlab_username_verified=False) & ~Q(gitlab_username="")
    )


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "business_unit",
        "business_unit_source",
        "requested_business_unit",
        "team",
        "github_login",
        "github_login_verified",
        "gitlab_username",
        "gitlab_username_verified",
        "stage",
    ]
    list_filter = [
        UnitRequestFilter,
        IdentityClaimFilter,
        "business_unit_source",
        "stage",
        "participation_level",
        "business_unit",
    ]
    list_select_related = ["business_unit", "requested_business_unit"]
    search_fields = ["display_name", "user__email", "github_login", "gitlab_username"]
    raw_id_fields = ["user"]
    filter_horizontal = ["skills"]
    # What decides access and attribution changes only through community.identity (audited, the person
    # told): the actions below, and the unit field of the change page (see save_model).
    readonly_fields = [
        "github_login",
        "github_login_verified",
        "gitlab_username",
        "gitlab_username_verified",
        "business_unit_source",
        "requested_business_unit",
        "unit_requested_at",
        "stage",
        "stage_since",
        "participation_level",
        "evaluated_at",
    ]
    actions = ["confirm_unit_requests", "decline_unit_requests", "confirm_forge_identities"]

    def save_model(self, request, obj, form, change):
        if "business_unit" in form.changed_data:
            unit = obj.business_unit
            obj.business_unit = Practitioner.objects.get(pk=obj.pk).business_unit if change else None
            super().save_model(request, obj, form, change)
            identity.practitioner_unit_set(
                practitioner=obj, unit=unit, source=UnitSource.PROGRAM_OFFICE, by=request.user
            )
            return
        super().save_model(request, obj, form, change)

    @staticmethod
    def _unit_requests(request, queryset):
        """The selected people who asked for a business unit; only the program office decides on them."""
        if not is_program_office(request.user):
            raise PermissionDenied
        return queryset.filter(requested_business_unit__isnull=False).select_related(
            "user", "requested_business_unit"
        )

    @admin.action(description="Confirm requested business units", permissions=["change"])
    def confirm_unit_requests(self, request, queryset):
        pending = self._unit_requests(request, queryset)
        count = identity.unit_requests_confirm(practitioners=pending, by=request.user)
        self.message_user(request, f"Confirmed {count} business unit request(s).", messages.SUCCESS)

    @admin.action(description="Decline requested business units", permissions=["change"])
    def decline_unit_requests(self, request, queryset):
        pending = self._unit_requests(request, queryset)
        count = identity.unit_requests_decline(practitioners=pending, by=request.user)
        self.message_user(request, f"Declined {count} business unit request(s).", messages.SUCCESS)

    @admin.action(description="Confirm forge identities", permissions=["change"])
    def confirm_forge_identities(self, request, queryset):
        if not is_program_office(request.user):
            raise PermissionDenied
        confirmed, skipped = identity.forge_identities_confirm(
            practitioners=queryset.select_related("user"), by=request.user
        )
        self.message_user(request, f"Confirmed {confirmed} forge identity(ies).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Left {skipped} alone: another person has proven that login. Settle it with both people.",
                messages.WARNING,
            )


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


class DirectoryImportForm(forms.Form):
    """The admin's upload: the same import as ``manage.py import_directory``."""

    files = forms.FileField(
        widget=forms.ClearableFileInput(),
        help_text="HR CSV with the columns email, name, business_unit, github_login, gitlab_username; or "
        "a Backstage YAML file with User and Group entities. At most 20 MB.",
    )
    format = forms.ChoiceField(choices=list(FORMATS.items()))
    check_only = forms.BooleanField(
        required=False, initial=True, help_text="Check the file and show what would change; write nothing."
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("files")
        if upload is None or cleaned.get("format") not in FORMATS:
            return cleaned
        if upload.size > MAX_DIRECTORY_BYTES:
            raise forms.ValidationError(f"{upload.name}: the file is larger than 20 MB.")
        try:
            cleaned["records"] = parse_directory(
                format=cleaned["format"], files=[(upload.name, upload.read())]
            )
        except DirectoryFormatError as error:
            raise forms.ValidationError(f"{error} Nothing was imported.") from error
        return cleaned


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(ImportPageMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "display_name",
        "business_unit",
        "github_login",
        "gitlab_username",
        "user",
        "source",
    ]
    list_filter = ["source", "business_unit"]
    list_select_related = ["business_unit", "user"]
    search_fields = ["email", "display_name", "github_login", "gitlab_username"]
    # Entries come from the import (which also updates forge accounts and linked people); the user link
    # from a verified sign-in. Editing them by hand would bypass both.
    readonly_fields = [
        "email", "display_name", "business_unit", "github_login", "gitlab_username", "source",
        "external_key", "user", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def import_view(self, request):
        """Upload HR's CSV or Backstage's YAML; report what changed."""
        if not (is_program_office(request.user) and self.has_change_permission(request)):
            raise PermissionDenied
        report = None
        form = DirectoryImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            source = DirectoryEntry.Source.CSV if data["format"] == "csv" else DirectoryEntry.Source.BACKSTAGE
            report = directory_import(
                records=data["records"], source=source, by=request.user, dry_run=data["check_only"]
            )
            self.message_user(request, report.summary, messages.INFO if report.dry_run else messages.SUCCESS)
        return self.import_page(
            request,
            template="community/admin/import_directory.html",
            title="Import the organisation directory",
            form=form,
            report=report,
        )
