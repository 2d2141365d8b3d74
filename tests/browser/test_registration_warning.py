"""A starter describes, in other words, a project that already exists: while they type, the form lists it
with why it looks alike (by meaning, with the real model), and they register theirs once they confirm it
is a different one."""

from playwright.sync_api import expect

from catalog.models import Project, ReviewStatus, Topic
from catalog.search_index import entries_rebuild
from tests.factories import BusinessUnitFactory, ProjectFactory

INVOICES = "Turns order data into customer invoices with the legal footer per country."
# The same job in other words: a cosine of 0.48 with the real model, given Invoice Printer's topics (0.35
# without them); a different job scores below 0.
RECEIPTS = (
    "Produces PDF bills for buyers out of purchase records, adding the legal notice each nation requires"
)


def test_a_starter_sees_a_project_doing_the_same_job_while_typing_then_confirms_and_registers(
    page, live_server, person, login, axe, settings
):
    settings.CATALOG_EMBEDDER = "catalog.meaning.WordLlamaEmbedder"  # the live server runs in this process
    finance = BusinessUnitFactory(name="Finance", slug="finance")
    BusinessUnitFactory(name="Retail", slug="retail")
    existing = ProjectFactory(name="Invoice Printer", description=INVOICES, business_unit=finance)
    existing.topics.add(Topic.objects.create(name="billing"), Topic.objects.create(name="pdf"))
    ProjectFactory(name="Holiday Bot", description="Answers questions about leave in chat.")
    entries_rebuild(project_ids=list(Project.objects.values_list("pk", flat=True)))

    login(page, person("sam", first_name="Sam", last_name="Starter"))
    page.goto(f"{live_server.url}/catalog/register/")
    panel = page.locator("#duplicates")
    expect(panel).to_have_attribute("aria-live", "polite")
    expect(panel).to_be_empty()

    page.get_by_label("Name").fill("Receipt maker")
    page.get_by_label("Description").fill(RECEIPTS)

    expect(panel).to_contain_text("Similar projects already exist.")
    link = panel.get_by_role("link", name="Invoice Printer")
    expect(link).to_have_attribute("href", existing.get_absolute_url())
    expect(panel.get_by_role("listitem")).to_have_count(1)
    expect(panel.get_by_role("listitem")).to_contain_text("may do the same job (")
    expect(panel.get_by_role("listitem")).to_contain_text("in meaning; shared words: legal)")
    link.focus()
    expect(link).to_be_focused()
    axe(page, "the registration form with a look-alike")

    page.get_by_label("Host business unit").select_option(label="Retail")
    page.get_by_role("button", name="Submit for review").click()
    # Not confirmed: the form says so beside the look-alikes, and nothing is registered.
    expect(page.locator("#field-not_a_duplicate")).to_contain_text(
        "Similar projects exist (Invoice Printer): confirm that yours is a different one."
    )
    assert not Project.objects.filter(name="Receipt maker").exists()

    page.get_by_label("I checked the similar projects above: mine is a different one.").check()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message--success")).to_contain_text("Thank you! Receipt maker is registered")
    project = Project.objects.get(name="Receipt maker")
    assert project.review_status == ReviewStatus.PENDING and project.description == RECEIPTS
