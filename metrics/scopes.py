"""Whose figures a report holds, as one viewer may read them: the one place where a dashboard, the metrics
API and the snapshots decide which restricted projects a report leaves out (catalog's visibility rule)."""

import hashlib
from dataclasses import dataclass

from django.db.models import QuerySet

from catalog.models import BusinessUnit, Project, Visibility
from catalog.permissions import is_program_office

__all__ = ["ReportScope", "report_scope", "viewer_scope"]


@dataclass(frozen=True)
class ReportScope:
    """Whose figures a report holds: one project, a business unit's listed projects, or the program, less
    the restricted projects hidden from the viewer. `hidden` is None when the viewer hides nothing (the
    program office, or no restricted project exists): the program is then every project (scope None)."""

    project_id: int | None = None
    business_unit_id: int | None = None
    hidden: tuple[int, ...] | None = None

    @property
    def key(self) -> str:
        """The snapshot key. Hidden sets are hashed: bounded length, and viewers hiding different projects
        never share figures."""
        if self.project_id is not None:
            key = f"project:{self.project_id}"
        elif self.business_unit_id is not None:
            key = f"unit:{self.business_unit_id}"
        else:
            key = "program"
        if self.hidden is not None:
            digest = hashlib.sha256(",".join(map(str, self.hidden)).encode()).hexdigest()[:16]
            key += f":hides:{digest}"
        return key

    def params(self) -> dict:
        return {
            "project": self.project_id,
            "business_unit": self.business_unit_id,
            "hidden": None if self.hidden is None else list(self.hidden),
        }

    @classmethod
    def from_params(cls, params: dict) -> "ReportScope":
        hidden = params.get("hidden")
        return cls(
            project_id=params.get("project"),
            business_unit_id=params.get("business_unit"),
            hidden=None if hidden is None else tuple(hidden),
        )

    def projects(self) -> QuerySet | None:
        if self.project_id is not None:
            return Project.objects.filter(pk=self.project_id)
        listed = Project.objects.listed()
        if self.hidden:
            listed = listed.exclude(pk__in=self.hidden)
        if self.business_unit_id is not None:
            return listed.filter(business_unit_id=self.business_unit_id)
        return None if self.hidden is None else listed


def viewer_scope(
    *, project: Project | None = None, business_unit: BusinessUnit | None = None, viewer=None
) -> ReportScope:
    """The scope of a report as `viewer` may read it. Program and unit figures leave out the restricted
    projects not shared with the viewer; no viewer: everything (the program office's view, commands)."""
    if project is not None:
        return ReportScope(project_id=project.pk)
    unit_id = business_unit.pk if business_unit is not None else None
    if (
        viewer is None
        or is_program_office(viewer)
        or not Project.objects.filter(visibility=Visibility.UNITS).exists()
    ):
        return ReportScope(business_unit_id=unit_id)
    restricted = Project.objects.listed().filter(visibility=Visibility.UNITS)
    if unit_id is not None:
        restricted = restricted.filter(business_unit_id=unit_id)
    seen = Project.objects.visible_to(viewer).values("pk")
    hidden = tuple(sorted(restricted.exclude(pk__in=seen).values_list("pk", flat=True)))
    if unit_id is not None:
        # Nothing of the unit hidden: the unit's figures are everyone's.
        return ReportScope(business_unit_id=unit_id, hidden=hidden or None)
    # A program scope of listed projects (even none hidden) differs from the unrestricted program, which
    # also counts usage outside projects: the empty set keeps its own key.
    return ReportScope(hidden=hidden)


def report_scope(project: Project | None, business_unit: BusinessUnit | None, viewer=None) -> QuerySet | None:
    """The projects a report covers: one project, a unit's listed projects, or None for the program
    (see viewer_scope)."""
    return viewer_scope(project=project, business_unit=business_unit, viewer=viewer).projects()
