"""Panels of the project page that other apps fill, registered when they start (their AppConfig.ready).

Catalog is the base app and imports none of the others (DESIGN.md), yet a reader judging a project wants
what they know: the latest release, open and good-first issues, the last commit (metrics). An app
registers a panel here; the project page shows every registered panel with its template, in order.
"""

from collections.abc import Callable
from dataclasses import dataclass

from catalog.models import Project

__all__ = ["ProjectPanel", "project_panels", "project_panels_register"]


@dataclass(frozen=True, kw_only=True)
class ProjectPanel:
    """`context(project=, viewer=)` gives the template's context, or None to leave the panel out (nothing
    to show). It must run a fixed number of queries: it runs on every view of a project page."""

    key: str
    template: str
    context: Callable[..., dict | None]
    order: int = 0


_panels: dict[str, ProjectPanel] = {}


def project_panels_register(panel: ProjectPanel) -> None:
    """Register (or replace: ready() may run more than once in tests) a panel."""
    _panels[panel.key] = panel


def project_panels(*, project: Project, viewer) -> list[dict]:
    """The panels to show on `project`'s page for `viewer`, in order: {"template": ..., **context}."""
    shown = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(project=project, viewer=viewer)
        if context is not None:
            shown.append({"template": panel.template, "key": panel.key, **context})
    return shown
