"""The value of reuse (issue 18) over a small hand-built history, every figure computed by hand.

Two units (Payments, Retail), three assets: the Payments Ledger project's "Ledger SDK" and "Ledger CLI"
(its 10,000 counted lines of Python shared between them: 5,000 each) and Retail's "Design Tokens", whose
maintainers set 40 engineer-days. Period: Q1 2026 = [2026-01-01, 2026-04-01), 90 days.

COCOMO II.2000 as the Model Definition Manual (2.1) publishes it: PM = A × KSLOC^E × ΠEM, E = B + 0.01 ×
ΣSF, A = 2.94, B = 0.91, nominal scale factors PREC 3.72, FLEX 3.04, RESL 4.24, TEAM 3.29, PMAT 4.68,
ΠEM = 1, 152 hours a person-month; an engineer-day is 8 hours. For 5 KSLOC: E = 0.91 + 0.1897 = 1.0997;
ln 5 = 1.609438, × 1.0997 = 1.769919, e^ = 5.870293, × 2.94 = 17.2586 PM, × 152 / 8 = 327.91 → 327.9 days.
"""

from datetime import date

import pytest

from catalog import effort as model
from catalog.models import Adoption, AdoptionSource, Visibility
from metrics.models import ReuseValueSettings
from metrics.reports import metrics_report, report_csv
from metrics.scopes import viewer_scope
from metrics.selectors import reuse_value
from tests.factories import (
    AssetFactory,
    BusinessUnitFactory,
    PractitionerFactory,
    ProjectFactory,
    RepositoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 4, 1)
MONTHS = [(date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1)), (date(2026, 3, 1), END)]
SDK_DAYS = 327.9  # see the module's docstring


# --- the effort model against the manual's published figures ---------------------------------------------


def test_the_effort_model_uses_the_published_cocomo_ii_2000_constants():
    # The manual's calibration and its Nominal scale factor values, typed from its tables.
    assert (model.COCOMO_A, model.COCOMO_B) == (2.94, 0.91)
    assert model.NOMINAL_SCALE_FACTORS == {
        "PREC": 3.72,
        "FLEX": 3.04,
        "RESL": 4.24,
        "TEAM": 3.29,
        "PMAT": 4.68,
    }
    assert model.EFFORT_MULTIPLIERS_NOMINAL == 1.0
    assert model.HOURS_PER_PERSON_MONTH == 152
    assert model.cocomo_exponent() == pytest.approx(1.0997)
    assumptions = model.effort_assumptions()
    assert assumptions["scale_factor_sum"] == 18.97 and assumptions["exponent"] == 1.0997
    assert assumptions["engineer_days_per_person_month"] == 19


@pytest.mark.parametrize(
    ("ksloc", "person_months"),
    [
        # By hand: ln 100 = 4.605170, × 1.0997 = 5.064307, e^ = 158.2705, × 2.94 = 465.315.
        (100, 465.315),
        (5, 17.2586),  # the module's docstring
        (1, 2.94),  # 1^E = 1: A itself
        (0, 0.0),
    ],
)
def test_person_months_follow_the_published_equation(ksloc, person_months):
    assert model.cocomo_person_months(ksloc) == pytest.approx(person_months, abs=0.001)
    # The equation as published, with the published values.
    published = 2.94 * ksloc ** (0.91 + 0.01 * (3.72 + 3.04 + 4.24 + 3.29 + 4.68)) * 1.0 if ksloc else 0.0
    assert model.cocomo_person_months(ksloc) == pytest.approx(published)


def test_a_person_month_of_152_hours_is_19_engineer_days_of_8_hours():
    assert model.engineer_days(1) == 19
    assert model.engineer_days(17.2586) == pytest.approx(327.91, abs=0.01)


# --- the history ------------------------------------------------------------------------------------------


@pytest.fixture
def history():
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    retail = BusinessUnitFactory(name="Retail", slug="retail")
    ledger = ProjectFactory(name="Payments Ledger", slug="ledger", business_unit=payments)
    RepositoryFactory(project=ledger, code_lines={"Python": 10_000}, code_lines_basis="counted")
    storefront = ProjectFactory(name="Storefront", business_unit=retail)
    RepositoryFactory(project=storefront, code_lines={"TypeScript": 80_000}, code_lines_basis="bytes")
    sdk = AssetFactory(project=ledger, name="Ledger SDK", slug="sdk")
    cli = AssetFactory(project=ledger, name="Ledger CLI", slug="cli")
    tokens = AssetFactory(
        project=storefront,
        name="Design Tokens",
        slug="tokens",
        effort_days_override=40,
        effort_override_reason="Two engineers for four weeks, as booked",
    )
    # Consuming projects whose code uses the assets (adoptions found in code): teams of their unit by name.
    checkout = ProjectFactory(name="Checkout", business_unit=retail)
    analytics = ProjectFactory(name="Analytics", business_unit=retail)
    checkout_repo = RepositoryFactory(project=checkout)
    analytics_repo = RepositoryFactory(project=analytics)
    ledger_repo = RepositoryFactory(project=ledger)

    def declared(asset, unit, team, since, ended=None, product=""):
        Adoption.objects.create(
            asset=asset, business_unit=unit, team=team, product=product, since=since, ended_on=ended
        )

    def detected(asset, project, repository, since):
        Adoption.objects.create(
            asset=asset, business_unit=project.business_unit, team=project.name, since=since,
            source=AdoptionSource.DETECTED, repository=repository, manifest_path="package.json", manifest_line=3,
        )  # fmt: skip

    # Ledger SDK (host: Payments)
    declared(sdk, retail, "Checkout", date(2026, 1, 10))  # counts: Retail's Checkout, from 10 Jan
    detected(sdk, checkout, checkout_repo, date(2026, 2, 1))  # the same team found in code: once
    declared(sdk, retail, " checkout ", date(2026, 2, 5), product="Kiosk")  # the same team, another product
    declared(sdk, payments, "Billing", date(2026, 1, 5))  # the host unit: no reuse
    declared(sdk, retail, "Web", date(2025, 11, 1), ended=date(2025, 12, 1))  # before the period...
    declared(sdk, retail, "web", date(2026, 2, 10))  # ...so using it again saves nothing new
    declared(sdk, retail, "Mobile", date(2026, 3, 1), ended=date(2026, 3, 1))  # withdrawn the same day
    detected(sdk, analytics, analytics_repo, date(2025, 12, 1))  # Analytics used it before the period
    # Ledger CLI (host: Payments)
    detected(cli, analytics, analytics_repo, date(2026, 3, 15))  # counts: Retail's Analytics
    declared(cli, retail, "Ops", date(2026, 4, 1))  # the day after the period: not in it
    # Design Tokens (host: Retail, 40 days set by hand)
    declared(tokens, payments, "Ledger UI", date(2026, 2, 20))  # counts
    detected(tokens, ledger, ledger_repo, date(2026, 3, 2))  # counts: Payments' "Payments Ledger"
    declared(tokens, retail, "Storefront", date(2026, 1, 2))  # the host unit
    return {
        "payments": payments,
        "retail": retail,
        "ledger": ledger,
        "sdk": sdk,
        "cli": cli,
        "tokens": tokens,
    }


def _costs(day_cost=800, yearly=365_000, currency="EUR"):
    ReuseValueSettings.objects.create(
        pk=1, engineer_day_cost=day_cost, program_yearly_cost=yearly, currency=currency
    )


def test_the_value_of_reuse_counts_each_team_of_another_unit_once_in_the_period_it_began(history):
    _costs()
    value = reuse_value(projects=None, start=START, end=END, buckets=MONTHS)
    # Teams: SDK 1 (Checkout), CLI 1 (Analytics), Tokens 2 (Ledger UI, Payments Ledger) = 4.
    # Days: 327.9 + 327.9 + 2 × 40 = 735.8; money at 800 EUR: 588,640.
    # Program cost of 90 days at 365,000 a year: 90,000; value ÷ cost = 6.54.
    assert value["reusing_teams"] == 4 and value["teams_without_effort"] == 0
    assert value["effort_saved_days"] == 735.8
    assert value["value"] == 588_640.0
    assert value["program_cost"] == 90_000.0
    assert value["value_to_program_cost"] == 6.54
    assert [(a["asset"], a["teams"], a["effort_days"], a["days"], a["value"]) for a in value["by_asset"]] == [
        ("Ledger CLI", 1, SDK_DAYS, SDK_DAYS, 262_320.0),
        ("Ledger SDK", 1, SDK_DAYS, SDK_DAYS, 262_320.0),
        ("Design Tokens", 2, 40.0, 80.0, 64_000.0),
    ]
    # Provided: Payments' two assets 655.8, Retail's tokens 80. Received: Retail's teams 655.8 (2 teams),
    # Payments' teams 80 (2 teams).
    assert [
        (u["business_unit"], u["provided_days"], u["provided_value"], u["received_days"], u["reusing_teams"])
        for u in value["by_business_unit"]
    ] == [("Payments", 655.8, 524_640.0, 80.0, 2), ("Retail", 80.0, 64_000.0, 655.8, 2)]
    # January: Checkout (10 Jan); February: Ledger UI (20 Feb); March: Analytics (15 Mar), Payments Ledger (2 Mar).
    assert [(b["start"], b["days"], b["value"]) for b in value["over_time"]] == [
        ("2026-01-01", 327.9, 262_320.0),
        ("2026-02-01", 40.0, 32_000.0),
        ("2026-03-01", 367.9, 294_320.0),
    ]
    assert value["assumptions"]["overrides"] == [
        {"asset": "Design Tokens", "days": 40.0, "reason": "Two engineers for four weeks, as booked"}
    ]
    assert value["assumptions"]["engineer_day_cost"] == 800.0 and value["assumptions"]["period_days"] == 90


def test_periods_add_up_and_a_team_counts_only_in_its_first_period(history):
    jan_feb = reuse_value(projects=None, start=date(2026, 1, 1), end=date(2026, 3, 1))
    march = reuse_value(projects=None, start=date(2026, 3, 1), end=END)
    whole = reuse_value(projects=None, start=START, end=END)
    assert jan_feb["effort_saved_days"] == 367.9 and march["effort_saved_days"] == 367.9
    assert whole["effort_saved_days"] == 735.8
    # Before the period: Web (Nov) and Analytics' SDK (Dec), once each, whose later uses count nothing.
    assert reuse_value(projects=None, start=date(2025, 10, 1), end=START)["effort_saved_days"] == 2 * SDK_DAYS


def test_without_costs_the_value_is_in_engineer_days_only(history):
    value = reuse_value(projects=None, start=START, end=END)
    assert value["effort_saved_days"] == 735.8
    assert value["value"] is None and value["program_cost"] is None and value["value_to_program_cost"] is None
    assert all(line["value"] is None for line in value["by_asset"])


def test_a_project_report_values_its_own_assets_only(history):
    _costs()
    report = metrics_report(project=history["ledger"], start=START, end=END)
    reuse = report["reuse_and_collaboration"]
    assert reuse["estimated_effort_saved_days"] == 655.8 and reuse["estimated_value"] == 524_640.0
    assert [a["asset"] for a in report["value_of_reuse"]["by_asset"]] == ["Ledger CLI", "Ledger SDK"]
    # Found in code and active on 1 April: SDK by Checkout and by Analytics, CLI by Analytics: 3 adoptions
    # from 2 repositories.
    assert (reuse["adoptions_detected"], reuse["consuming_repositories"]) == (3, 2)


def test_the_program_report_and_its_csv_carry_the_four_figures(history):
    _costs()
    report = metrics_report(start=START, end=END)
    reuse = report["reuse_and_collaboration"]
    # Detected and active on 1 April: SDK ×2, CLI, Tokens = 4, from 3 repositories.
    assert (reuse["adoptions_detected"], reuse["consuming_repositories"]) == (4, 3)
    assert (reuse["estimated_effort_saved_days"], reuse["estimated_value"]) == (735.8, 588_640.0)
    rows = report_csv(report).splitlines()
    for line in (
        "reuse_and_collaboration,adoptions_detected,4",
        "reuse_and_collaboration,consuming_repositories,3",
        "reuse_and_collaboration,estimated_effort_saved_days,735.8",
        "reuse_and_collaboration,estimated_value,588640.0",
    ):
        assert line in rows


def test_an_asset_of_unknown_effort_adds_its_teams_but_no_value(history):
    outsider = ProjectFactory(name="Uncounted", business_unit=history["payments"])  # no repository counted
    asset = AssetFactory(project=outsider, name="Uncounted Lib")
    Adoption.objects.create(
        asset=asset, business_unit=history["retail"], team="Checkout", since=date(2026, 1, 20)
    )
    value = reuse_value(projects=None, start=START, end=END)
    assert value["reusing_teams"] == 5 and value["teams_without_effort"] == 1
    assert value["effort_saved_days"] == 735.8
    line = next(a for a in value["by_asset"] if a["asset"] == "Uncounted Lib")
    assert line["effort_days"] is None and line["effort_basis"] == "unknown" and line["days"] == 0


def test_a_restricted_projects_asset_is_left_out_of_the_reports_of_those_who_may_not_see_it(history):
    history["ledger"].visibility = Visibility.UNITS
    history["ledger"].save()
    retail_person = UserFactory()
    PractitionerFactory(user=retail_person, business_unit=history["retail"])
    projects = viewer_scope(viewer=retail_person).projects()
    value = reuse_value(projects=projects, start=START, end=END)
    assert [a["asset"] for a in value["by_asset"]] == ["Design Tokens"]
    assert value["effort_saved_days"] == 80.0
    payments_person = UserFactory()
    PractitionerFactory(user=payments_person, business_unit=history["payments"])
    seen = reuse_value(projects=viewer_scope(viewer=payments_person).projects(), start=START, end=END)
    assert {a["asset"] for a in seen["by_asset"]} == {"Ledger SDK", "Ledger CLI", "Design Tokens"}


# --- the asset's effort ------------------------------------------------------------------------------------


def test_an_assets_effort_says_where_it_comes_from(history):
    efforts = model.assets_effort([history["sdk"], history["tokens"]])
    sdk = efforts[history["sdk"].pk]
    assert (sdk.days, sdk.basis, sdk.lines) == (SDK_DAYS, "cocomo", 5_000)
    assert sdk.text == (
        "COCOMO II from 10,000 lines (counted; Python 10,000), shared by the project's 2 assets: 5,000 lines each"
    )
    tokens = efforts[history["tokens"].pk]
    assert (tokens.days, tokens.basis) == (40.0, "override")
    assert tokens.text == "set by its maintainers: Two engineers for four weeks, as booked"


def test_effort_of_many_assets_takes_two_queries(history, django_assert_num_queries):
    assets = [history["sdk"], history["cli"], history["tokens"]]
    with django_assert_num_queries(2):
        model.assets_effort(assets)
