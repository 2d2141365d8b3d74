"""What other apps add to the metrics report, registered when they start (their AppConfig.ready).

Metrics never imports community (DESIGN.md), yet the report of METRICS.md holds figures community
computes: the onboardings of Reuse and Collaboration and the journey funnel. Community registers them
here; the report, its CSV, the API and the dashboards read them from here, so a figure registered once
appears in every one of them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

__all__ = [
    "PeriodFigure",
    "ProgramSection",
    "period_figures",
    "program_sections",
    "register_period_figure",
    "register_program_section",
    "compute_period_figures",
]


@dataclass(frozen=True)
class PeriodFigure:
    """A figure of one category of every report (program, unit, project) over the period [start, end):
    `compute(start=, end=, projects=)` where `projects` is None for the whole program."""

    category: str
    key: str
    compute: Callable[..., object]


@dataclass(frozen=True)
class ProgramSection:
    """A section of the program report only (not a project's), as of the period's last day:
    `compute(end=, business_unit=)` gives its figures; the program dashboard shows them with `template`,
    whose context `present(figures)` makes."""

    key: str
    compute: Callable[..., dict]
    template: str
    present: Callable[[dict], dict]


_figures: dict[tuple[str, str], PeriodFigure] = {}
_sections: dict[str, ProgramSection] = {}


def register_period_figure(figure: PeriodFigure) -> None:
    """Register (or replace: ready() may run more than once in tests) a figure of a category."""
    _figures[(figure.category, figure.key)] = figure


def register_program_section(section: ProgramSection) -> None:
    _sections[section.key] = section


def period_figures(category: str) -> list[PeriodFigure]:
    return [figure for (cat, _key), figure in _figures.items() if cat == category]


def program_sections() -> list[ProgramSection]:
    return list(_sections.values())


def compute_period_figures(*, category: str, start: date, end: date, projects: QuerySet | None) -> dict:
    return {f.key: f.compute(start=start, end=end, projects=projects) for f in period_figures(category)}
