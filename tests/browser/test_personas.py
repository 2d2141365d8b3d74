"""Each persona's main task on a wide screen (1280 px) and on a phone (360 px), from the navigation a person
would use, with axe in light and dark on every page visited: an explorer's first visit, a maintainer's
"My projects", and a reviewer's queue and merge."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Forge, Lifecycle, ProjectRole, Repository, ReviewStatus
from catalog.search_index import entries_rebuild
from tests.activity import account, pr
from tests.browser.test_accessibility import OVERFLOWING_JS
from tests.factories import BusinessUnitFactory, ProjectFactory, pending_registration

WIDTHS = {"wide": (1280, 800), "phone": (360, 740)}


def _open_person_menu(page, width: int) -> None:
    """The person's menu in the top bar; on a phone, behind the Menu button first."""
    if width < 800:
        page.get_by_role("button", name="Menu").click()
    page.locator("summary.nav__account").click()


def _fits(page, width: int) -> None:
    if page.evaluate("document.documentElement.scrollWidth") > width:
        culprits = page.evaluate(OVERFLOWING_JS, width)
        raise AssertionError(f"{page.url} scrolls sideways at {width} px: {', '.join(culprits)}")


@pytest.mark.parametrize("size", WIDTHS)
def test_an_explorer_is_invited_to_say_what_they_know_and_led_from_the_journey_to_a_first_project(
    page, live_server, person, login, axe, size
):
    width, height = WIDTHS[size]
    ProjectFactory(name="Event Bus", contributions_wanted="Docs and tests", activity_score=50)
    page.set_viewport_size({"width": width, "height": height})
    login(page, person("kim", first_name="Kim", last_name="Streams"))
    page.goto(live_server.url + "/")
    first = page.get_by_role("region", name="Your first project")
    expect(first).to_contain_text("Projects that want help, the most active and welcoming first.")
    expect(first.get_by_role("link", name="Add your skills and interests")).to_be_visible()
    expect(first.get_by_role("link", name="Event Bus")).to_be_visible()
    axe(page, f"the home page of a new account ({size})")
    _fits(page, width)

    _open_person_menu(page, width)
    page.get_by_role("link", name="My journey").click()
    expect(page.get_by_role("heading", name="Where you stand: Explorer")).to_be_visible()
    axe(page, f"the journey ({size})")
    _fits(page, width)
    page.get_by_role("link", name="find a first project").click()
    expect(page.get_by_role("heading", name="Your first project")).to_be_in_viewport()


@pytest.mark.parametrize("size", WIDTHS)
def test_a_maintainer_sees_what_waits_and_resubmits_a_registration_sent_back(
    page, live_server, person, login, axe, size
):
    width, height = WIDTHS[size]
    maya = person("maya", first_name="Maya", last_name="Maintainer")
    ledger = ProjectFactory(name="Payments Ledger")
    ProjectRole.objects.create(project=ledger, user=maya, role=ProjectRole.Role.MAINTAINER)
    repository = Repository.objects.create(
        project=ledger, forge=Forge.GITHUB, url="https://github.example.com/pay/ledger"
    )
    waiting_request = pr(repository, account("newbie"), timezone.now() - timedelta(days=3))
    vault = ProjectFactory(
        name="Card Vault",
        review_status=ReviewStatus.CHANGES_REQUESTED,
        review_note="Say who may use it.",
        lifecycle=Lifecycle.PROPOSED,
    )
    ProjectRole.objects.create(project=vault, user=maya, role=ProjectRole.Role.OWNER)

    page.set_viewport_size({"width": width, "height": height})
    login(page, maya)
    _open_person_menu(page, width)
    page.get_by_role("link", name="My projects").click()
    expect(page.get_by_role("heading", name="My projects", level=1)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("2 of your 2 projects need you.")
    sent_back = page.get_by_role("region", name="Card Vault Changes requested")
    expect(sent_back).to_contain_text("“Say who may use it.”")
    waiting = page.get_by_role("region", name="Payments Ledger Listed")
    number = waiting_request.number
    expect(waiting.get_by_role("link", name=f"#{number}")).to_have_attribute(
        "href", f"https://github.example.com/pay/ledger/pull/{number}"
    )
    axe(page, f"My projects ({size})")
    _fits(page, width)

    sent_back.get_by_role("link", name="Edit and resubmit").click()
    expect(page).to_have_url(f"{live_server.url}/catalog/card-vault/edit/")


@pytest.mark.parametrize("size", WIDTHS)
def test_a_reviewer_reads_the_queue_and_opens_the_merge_of_a_look_alike(
    page, live_server, person, login, axe, size
):
    width, height = WIDTHS[size]
    unit = BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    starter = person("sam", first_name="Sam", last_name="Starter")
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    keep = ProjectFactory(name="Fraud Signals", business_unit=unit)
    pending_registration(
        starter=starter,
        name="Fraud Signal",
        slug="fraud-signal",
        business_unit=unit,
        declared_readiness=["README"],
        repository_url="https://git.example.com/risk/fraud-signal",
    )
    entries_rebuild(project_ids=[keep.pk])

    page.set_viewport_size({"width": width, "height": height})
    login(page, office)
    if width < 800:
        page.get_by_role("button", name="Menu").click()
    page.get_by_text("Program office", exact=True).click()
    page.get_by_role("link", name="Review queue").click()
    entry = page.locator("article", has=page.get_by_role("heading", name="Fraud Signal", exact=True))
    expect(entry.get_by_role("link", name="https://git.example.com/risk/fraud-signal")).to_be_visible()
    expect(entry).to_contain_text("1 of 9, as declared by the starter")
    expect(entry.get_by_role("link", name="Fraud Signals", exact=True)).to_be_visible()
    axe(page, f"the review queue ({size})")
    _fits(page, width)

    entry.get_by_role("link", name="merge Fraud Signal into Fraud Signals…").click()
    expect(page.locator("h1")).to_have_text("Merge Fraud Signal into Fraud Signals?")
    axe(page, f"the merge's confirmation ({size})")
    _fits(page, width)


INNERSOURCE_JSON = """{
  "title": "Fraud Signals",
  "description": "Real-time fraud scores for card payments, as a service.",
  "topics": ["fraud", "payments"],
  "_InnerSourceMetadata": {"motivation": "Every payment team scores fraud on its own."}
}"""


@pytest.mark.parametrize("size", WIDTHS)
def test_a_starter_registers_a_project_from_its_innersource_json(page, live_server, person, login, axe, size):
    width, height = WIDTHS[size]
    BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    sam = person("sam", first_name="Sam", last_name="Starter")
    page.set_viewport_size({"width": width, "height": height})
    login(page, sam)
    _open_person_menu(page, width)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Register a project").click()
    page.get_by_text("Start from an innersource.json or catalog-info.yaml").click()
    page.get_by_label("Upload a file").set_input_files(
        {"name": "innersource.json", "mimeType": "application/json", "buffer": INNERSOURCE_JSON.encode()}
    )
    page.get_by_role("button", name="Fill the form from it").click()

    expect(page.get_by_role("textbox", name="Name (required)")).to_have_value("Fraud Signals")
    expect(page.get_by_role("textbox", name="Description (required)")).to_have_value(
        "Real-time fraud scores for card payments, as a service."
    )
    # A new project starts proposed, incubating or active; one on its way out is not offered.
    lifecycles = page.get_by_role("combobox", name="Lifecycle (required)").locator("option").all_inner_texts()
    assert "Deprecated" not in lifecycles and "Archived" not in lifecycles
    axe(page, f"the registration filled from a file ({size})")
    _fits(page, width)
    page.get_by_role("combobox", name="Host business unit (required)").select_option(label="Risk Engineering")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message--success")).to_contain_text("Fraud Signals is registered")

    _open_person_menu(page, width)
    page.get_by_role("link", name="My projects").click()
    expect(page.get_by_role("region", name="Fraud Signals Pending review")).to_contain_text(
        "Waiting for the program office's review since"
    )
    axe(page, f"My projects with a pending registration ({size})")
