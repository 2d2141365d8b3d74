"""What the catalog API's views share: the projects a caller may know of, the editor check, ordering by
an annotated count."""

from django.core.exceptions import PermissionDenied

from catalog.models import Project
from catalog.permissions import can_edit_project


def visible_projects(user):
    """The projects this person may know of (ProjectQuerySet.visible_to), except those merged away."""
    return Project.objects.visible_to(user).filter(merged_into__isnull=True)


def require_editor(user, project: Project, what: str) -> None:
    if not can_edit_project(user, project):
        raise PermissionDenied(f"Only the project's owners and maintainers (or the program office) {what}.")


class AnnotationOrdering:
    """``?ordering=`` by a count the queryset annotates: ``annotation_ordering`` is (the ordering's name,
    the annotation, the field that breaks ties), and ``-name`` sorts from the largest."""

    annotation_ordering: tuple[str, str, str]

    def filter_queryset(self, queryset):
        ordering = self.request.query_params.get("ordering", "")
        queryset = super().filter_queryset(queryset)
        name, annotation, tie_break = self.annotation_ordering
        if ordering.lstrip("-") == name:
            queryset = queryset.order_by(("-" if ordering.startswith("-") else "") + annotation, tie_break)
        return queryset
