"""The admin's upload pages (the catalog import, the organisation directory import): one route and one
page layout for each ModelAdmin that offers one."""

from django.template.response import TemplateResponse
from django.urls import path


class ImportPageMixin:
    """A ModelAdmin with an upload page at ``import/`` (its ``import_view``), named
    ``<app>_<model>_import`` for the links to it."""

    def get_urls(self):
        opts = self.model._meta
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{opts.app_label}_{opts.model_name}_import",
            )
        ]
        return urls + super().get_urls()

    def import_page(self, request, *, template: str, title: str, form, report) -> TemplateResponse:
        """The upload page: the form, and the report of what the last upload did (or would do)."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "form": form,
            "report": report,
            "has_view_permission": self.has_view_permission(request),
        }
        return TemplateResponse(request, template, context)
