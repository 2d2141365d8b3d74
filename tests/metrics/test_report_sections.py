"""Figures other apps add to the metrics report (metrics.report_sections): registered once, a figure is in
the report of every scope, its CSV and the API, and a program section is on the program dashboard only.
Community's own registrations (onboardings, the journey) are what the other metrics tests check."""

import csv
import io

import pytest
from django.urls import reverse

from metrics import report_sections
from metrics.report_sections import PeriodFigure, ProgramSection
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered():
    """A period figure and a program section of a made-up app, taken out again afterwards."""
    calls = []

    def figure(*, start, end, projects):
        calls.append(projects)
        return (end - start).days

    report_sections.register_period_figure(
        PeriodFigure(category="time_to_value", key="days_seen", compute=figure)
    )
    report_sections.register_program_section(
        ProgramSection(
            key="weather",
            compute=lambda *, end, business_unit: {"sunny_days": end.day},
            template="community/_journey_panel.html",
            present=lambda figures: {"stages": [{"label": "Sunny days", "count": figures["sunny_days"]}]},
        )
    )
    yield calls
    report_sections._figures.pop(("time_to_value", "days_seen"))
    report_sections._sections.pop("weather")


@pytest.fixture
def reader(client):
    client.force_login(UserFactory(username="reader"))


def test_a_registered_figure_and_section_reach_the_api_the_csv_and_the_program_dashboard(
    client, reader, registered
):
    project = ProjectFactory()
    period = {"start": "2026-03-01", "end": "2026-03-11"}

    program = client.get("/api/v1/metrics/", period).json()
    assert program["time_to_value"]["days_seen"] == 10 and program["weather"] == {"sunny_days": 11}
    one = client.get(f"/api/v1/projects/{project.slug}/metrics/", period).json()
    assert one["time_to_value"]["days_seen"] == 10 and "weather" not in one
    assert [list(p) for p in registered if p is not None] == [[project]]  # the project's report: its own

    rows = list(csv.reader(io.StringIO(client.get("/api/v1/metrics/", {**period, "format": "csv"}).text)))
    assert ["time_to_value", "days_seen", "10"] in rows and ["weather", "sunny_days", "11"] in rows

    html = client.get(reverse("metrics:dashboard"), period).text
    assert "Sunny days" in html and "Practitioner journey" in html  # community's section is still there
    html = client.get(reverse("metrics:project_dashboard", args=[project.slug]), period).text
    assert "Sunny days" not in html


def test_community_registers_its_figures_when_it_starts():
    assert ("reuse_and_collaboration", "new_onboardings") in report_sections._figures
    assert [section.key for section in report_sections.program_sections()] == ["journey"]
