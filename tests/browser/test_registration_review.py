"""A starter registers a project, the program office approves it, and the catalog then lists it."""

import re

from playwright.sync_api import expect

from catalog.models import Project, ReviewStatus
from tests.factories import BusinessUnitFactory


def test_a_registered_project_reaches_the_catalog_once_the_program_office_approves_it(
    page, new_context, live_server, person, login
):
    BusinessUnitFactory(name="Data Platform", slug="data-platform")
    BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    starter = person("sam", first_name="Sam", last_name="Starter")
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)

    # The starter registers the project.
    login(page, starter)
    page.goto(f"{live_server.url}/catalog/register/")
    expect(page.locator("h1")).to_have_text("Register a project")
    page.get_by_label("Name").fill("Fraud Signals")
    page.get_by_label("Description").fill("Real-time fraud scores for card payments, as a service.")
    page.get_by_label("Host business unit").select_option(label="Risk Engineering")
    page.get_by_label("Repositories").fill("https://git.example.com/risk/fraud-signals")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.locator(".message--success")).to_contain_text(
        "Thank you! Fraud Signals is registered and waits for the program office's review."
    )
    expect(page.locator("h1")).to_have_text("Fraud Signals")
    project = Project.objects.get(name="Fraud Signals")
    assert project.review_status == ReviewStatus.PENDING
    assert project.business_unit.slug == "risk-engineering"
    assert [r.url for r in project.repositories.all()] == ["https://git.example.com/risk/fraud-signals"]

    # Not in the catalog while pending.
    page.goto(f"{live_server.url}/catalog/?q=fraud")
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^0 results"))

    # The program office finds it in the review queue and approves it.
    office_page = new_context().new_page()
    office_page.set_default_timeout(5_000)
    login(office_page, office)
    office_page.goto(f"{live_server.url}/catalog/review/")
    expect(office_page.locator("h1")).to_have_text("Review queue")
    entry = office_page.locator("article", has=office_page.get_by_role("heading", name="Fraud Signals"))
    expect(entry).to_contain_text("Risk Engineering")
    expect(entry).to_contain_text("by Sam Starter")
    entry.get_by_role("radio", name="Approve").check()
    entry.get_by_role("button", name="Send decision").click()

    expect(office_page.locator(".message--success")).to_have_text("Fraud Signals: approved.")
    expect(office_page.get_by_text("Nothing waits for review.")).to_be_visible()
    project.refresh_from_db()
    assert project.review_status == ReviewStatus.APPROVED

    # Now anyone finds it in the catalog.
    page.goto(f"{live_server.url}/catalog/?q=fraud")
    expect(page.locator("#result-list .card__title")).to_have_text(["Fraud Signals"])
    page.locator("#result-list").get_by_role("link", name="Fraud Signals").click()
    expect(page.locator("h1")).to_have_text("Fraud Signals")
    expect(page.get_by_text("Only you and the program office can see this page")).to_have_count(0)


def test_the_units_that_see_a_project_are_asked_only_when_it_is_restricted(page, live_server, person, login):
    BusinessUnitFactory(name="Data Platform", slug="data-platform")
    login(page, person("sam", first_name="Sam", last_name="Starter"))
    page.goto(f"{live_server.url}/catalog/register/")
    units = page.locator("#field-visible_units")
    expect(units).to_be_hidden()
    page.get_by_label("Only some business units").check()
    expect(units).to_be_visible()
    units.get_by_label("Data Platform").check()
    page.get_by_label("Everyone in the company").check()
    expect(units).to_be_hidden()
