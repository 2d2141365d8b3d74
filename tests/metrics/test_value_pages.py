"""The value of reuse on the pages: the program office's costs page (who may, audited), the dashboards'
section, the metrics API and CSV (figures of tests/metrics/test_value_of_reuse.py's history)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from rest_framework.test import APIClient

from metrics.models import ReuseValueSettings
from tests.factories import UserFactory
from tests.metrics.test_value_of_reuse import _costs, history  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

URL = "/metrics/value-settings/"
Q1 = "start=2026-01-01&end=2026-04-01"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_the_program_office_reads_and_sets_the_costs(outsider):
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert signed_in(outsider).get(URL).status_code == 403
    response = signed_in(outsider).post(URL, {"engineer_day_cost": "1", "currency": "EUR"})
    assert response.status_code == 403
    assert not ReuseValueSettings.objects.exists()


def test_the_program_office_sets_the_costs_and_the_audit_log_says_so(program_office):
    client = signed_in(program_office)
    page = client.get(URL).content.decode()
    # The model's constants are on the page.
    for text in (
        "A = 2.94, B = 0.91",
        "PREC 3.72, FLEX 3.04, RESL 4.24, TEAM 3.29, PMAT 4.68",
        "E = 1.0997",
        "152 hours",
    ):
        assert text in page
    response = client.post(
        URL, {"engineer_day_cost": "800", "currency": "eur", "program_yearly_cost": "365000"}
    )
    assert response.status_code == 302
    settings = ReuseValueSettings.objects.get()
    assert (settings.engineer_day_cost, settings.currency, settings.program_yearly_cost) == (
        800,
        "EUR",
        365_000,
    )
    assert settings.updated_by == program_office
    entry = LogEntry.objects.get()
    assert entry.user == program_office
    assert entry.change_message == (
        "Changed the value of reuse settings: engineer day cost: not set → 800; "
        "program yearly cost: not set → 365000"
    )
    assert "Changed the value of reuse settings" in client.get("/audit/").content.decode()
    # The same figures again: nothing to record.
    client.post(URL, {"engineer_day_cost": "800.00", "currency": "EUR", "program_yearly_cost": "365000"})
    assert LogEntry.objects.count() == 1


def test_bad_costs_are_refused_next_to_their_field(program_office):
    response = signed_in(program_office).post(URL, {"engineer_day_cost": "-5", "currency": "euros"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"engineer_day_cost", "currency"}
    assert not ReuseValueSettings.objects.exists() and not LogEntry.objects.exists()


def test_the_program_dashboard_shows_the_value_of_reuse_with_its_assumptions(history, program_office):  # noqa: F811
    _costs()
    page = signed_in(program_office).get(f"/metrics/?{Q1}").content.decode()
    assert 'id="value-heading">Value of reuse</h2>' in page
    assert '<strong id="value-days">735.8</strong>' in page
    assert '<strong id="value-money">588,640 EUR</strong>' in page
    assert '<strong id="value-ratio">6.54 ×</strong>' in page
    assert "Design Tokens 40 engineer-days (Two engineers for four weeks, as booked)" in page
    assert "An engineer-day costs 800.00 EUR" in page
    assert f'href="{URL}"' in page  # the program office is offered its costs page


def test_a_project_dashboard_values_its_own_assets(history, outsider):  # noqa: F811
    _costs()
    page = signed_in(outsider).get(f"/catalog/ledger/metrics/?{Q1}").content.decode()
    assert '<strong id="value-days">655.8</strong>' in page
    assert "Design Tokens" not in page.split('id="value-by-asset"')[1].split("</table>")[0]
    assert URL not in page


def test_the_metrics_api_and_csv_carry_the_value(history, outsider):  # noqa: F811
    _costs()
    api = APIClient()
    api.force_authenticate(outsider)
    body = api.get(f"/api/v1/metrics/?{Q1}").json()
    assert body["reuse_and_collaboration"]["estimated_value"] == 588_640.0
    assert body["reuse_and_collaboration"]["adoptions_detected"] == 4
    assert body["value_of_reuse"]["value_to_program_cost"] == 6.54
    csv = api.get(f"/api/v1/projects/ledger/metrics/?{Q1}&format=csv").content.decode().splitlines()
    assert "reuse_and_collaboration,estimated_effort_saved_days,655.8" in csv
    assert "reuse_and_collaboration,consuming_repositories,2" in csv
    dashboard_csv = signed_in(UserFactory()).get(f"/metrics/?{Q1}&format=csv").content.decode().splitlines()
    assert "reuse_and_collaboration,estimated_value,588640.0" in dashboard_csv
