from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from catalog.admin_uploads import ImportPageMixin
from catalog.interop import FORMATS, ImportFormatError, catalog_import, parse_files
from catalog.interop.records import MAX_IMPORT_BYTES
from catalog.models import (
    Adoption,
    Asset,
    BusinessUnit,
    ConsumerDigest,
    ConsumerNotice,
    ImportedEntry,
    Language,
    Project,
    ProjectChange,
    ProjectLink,
    ProjectRelation,
    ProjectRole,
    Repository,
    Topic,
)
from catalog.search_index import entries_rebuild


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows a service or the sync keeps: the admin shows them, nobody adds, changes or deletes them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class CatalogImportForm(forms.Form):
    """The admin's upload: the same import as ``manage.py import_catalog``."""

    files = MultipleFileField(
        help_text="SAP: repos.json. innersource: one or more innersource.json files (an object or an array "
        "each). Backstage: one or more catalog-info.yaml files. At most 20 MB each."
    )
    format = forms.ChoiceField(
        choices=[
            ("sap", "SAP portal repos.json"),
            ("innersource", "innersource.json"),
            ("backstage", "Backstage catalog-info.yaml"),
        ]
    )
    business_unit = forms.ModelChoiceField(
        queryset=BusinessUnit.objects.all(),
        required=False,
        help_text="SAP: every project goes here instead of its repository owner's unit. "
        "Others: used when the file names no business unit for a project.",
    )
    overwrite = forms.BooleanField(
        required=False,
        help_text="Also replace values that curators edited in the portal since the last import.",
    )
    check_only = forms.BooleanField(
        required=False, initial=True, help_text="Check the files and show what would change; write nothing."
    )
    logo_base_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text="SAP: where relative logo paths (./images/…) are served, to keep them as logo URLs.",
    )

    def clean(self):
        cleaned = super().clean()
        uploads = cleaned.get("files") or []
        if not uploads or cleaned.get("format") not in FORMATS:
            return cleaned
        contents = []
        for upload in uploads:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError(f"{upload.name}: the file is larger than 20 MB.")
            contents.append((upload.name, upload.read()))
        try:
            cleaned["entries"] = parse_files(
                format=cleaned["format"], files=contents, logo_base_url=cleaned.get("logo_base_url") or ""
            )
        except ImportFormatError as error:
            raise forms.ValidationError(f"{error} Nothing was imported.") from error
        return cleaned


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
class ProjectAdmin(ImportPageMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "business_unit",
        "lifecycle",
        "review_status",
        "visibility",
        "featured",
        "verified",
        "activity_score",
    ]
    list_filter = ["review_status", "lifecycle", "visibility", "featured", "verified", "business_unit"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics", "languages"]
    raw_id_fields = ["created_by", "merged_into"]
    inlines = [ProjectRoleInline, RepositoryInline]
    readonly_fields = ["activity_score", "activity_score_explanation"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        entries_rebuild(project_ids=[form.instance.pk])

    def import_view(self, request):
        """Upload repos.json, innersource.json or catalog-info.yaml files; report per entry."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = CatalogImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = catalog_import(
                    entries=data["entries"],
                    overwrite=data["overwrite"],
                    dry_run=data["check_only"],
                    business_unit=data["business_unit"].slug if data["business_unit"] else "",
                    actor=request.user,
                )
            except ImportFormatError as error:
                form.add_error(None, f"{error} Nothing was imported.")
            else:
                level = messages.INFO if report.dry_run else messages.SUCCESS
                self.message_user(request, report.summary(), level)
        return self.import_page(
            request,
            template="admin/catalog/import_catalog.html",
            title="Import catalog",
            form=form,
            report=report,
        )


@admin.register(ImportedEntry)
class ImportedEntryAdmin(admin.ModelAdmin):
    list_display = ["source", "external_key", "project", "updated_at"]
    list_filter = ["source"]
    search_fields = ["external_key", "project__name"]
    raw_id_fields = ["project"]
    readonly_fields = ["source", "external_key", "project", "imported_values", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


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


@admin.register(ProjectLink)
class ProjectLinkAdmin(admin.ModelAdmin):
    list_display = ["project", "title", "url", "source_ref"]
    search_fields = ["title", "url", "project__name", "source_ref"]
    raw_id_fields = ["project", "asset"]


@admin.register(ProjectRelation)
class ProjectRelationAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "target_ref", "target_project", "source_ref"]
    list_filter = ["kind"]
    search_fields = ["project__name", "target_ref", "source_ref"]
    raw_id_fields = ["project", "target_project", "target_asset"]


@admin.register(ConsumerNotice)
class ConsumerNoticeAdmin(ReadOnlyAdmin):
    """What each owner of a consuming project is to be told (a release, deprecation or archival of an
    asset their code uses), and in which day's digest it went."""

    list_display = ["user", "asset", "consumer", "kind", "subject", "created_at", "handled_at", "digest"]
    list_filter = ["kind"]
    list_select_related = ["user", "asset", "consumer", "digest"]
    search_fields = ["user__username", "asset__name", "consumer__name", "subject"]
    date_hierarchy = "created_at"


@admin.register(ConsumerDigest)
class ConsumerDigestAdmin(ReadOnlyAdmin):
    """The digests sent: one a day per person, with the lines as they were written."""

    list_display = ["user", "day", "sent_at", "line_count"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    date_hierarchy = "day"

    @admin.display(description="lines")
    def line_count(self, digest: ConsumerDigest) -> int:
        return len(digest.lines)
