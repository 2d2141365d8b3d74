"""The program office cannot approve by accident (no decision is chosen in advance, a rejection asks to
confirm), and a merge page shows whose roles change before anything does."""

from playwright.sync_api import expect

from catalog.models import Project, ProjectRole, ReviewStatus
from community.models import Membership
from tests.factories import BusinessUnitFactory, ProjectFactory, pending_registration


def _registration(name: str, slug: str, starter, unit) -> Project:
    return pending_registration(
        starter=starter,
        name=name,
        slug=slug,
        business_unit=unit,
        declared_readiness=["README", "LICENSE"],
        repository_url=f"https://git.example.com/risk/{slug}",
    )


def test_a_reviewer_who_types_a_note_without_choosing_approves_nothing_and_a_rejection_asks_to_confirm(
    page, live_server, person, login, axe
):
    unit = BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    starter = person("sam", first_name="Sam", last_name="Starter")
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    vault = _registration("Card Tokens Vault", "card-tokens-vault", starter, unit)

    login(page, office)
    page.goto(f"{live_server.url}/catalog/review/")
    entry = page.locator("article", has=page.get_by_role("heading", name="Card Tokens Vault"))
    axe(page, "the review queue")
    radios = entry.get_by_role("radio")
    expect(radios).to_have_count(3)
    for radio in radios.all():
        expect(radio).not_to_be_checked()

    # The slip: a rejection note typed, "Send decision" clicked, no decision chosen.
    entry.get_by_label("Reason / note to the starter").fill("We already have the Token Service.")
    entry.get_by_role("button", name="Send decision").click()

    expect(page.locator("h1")).to_have_text("Review Card Tokens Vault")
    expect(page.get_by_role("group", name="Decision")).to_contain_text(
        "Choose a decision: approve, request changes or reject."
    )
    expect(page.get_by_label("Reason / note to the starter")).to_have_value(
        "We already have the Token Service."
    )
    vault.refresh_from_db()
    assert vault.review_status == ReviewStatus.PENDING
    axe(page, "the review page with an error")

    # Choosing Reject asks to confirm, saying who is told and with which note.
    page.get_by_role("radio", name="Reject").check()
    page.get_by_role("button", name="Send decision").click()
    expect(page.locator("h1")).to_have_text("Reject Card Tokens Vault?")
    expect(page.locator("main")).to_contain_text("Sam Starter (sam@example.com), who registered it, is told")
    expect(page.locator("main blockquote")).to_have_text("We already have the Token Service.")
    vault.refresh_from_db()
    assert vault.review_status == ReviewStatus.PENDING
    axe(page, "the rejection's confirmation")

    page.get_by_role("button", name="Reject Card Tokens Vault and tell Sam Starter").click()
    expect(page.locator(".message--success")).to_have_text("Card Tokens Vault: rejected.")
    vault.refresh_from_db()
    assert vault.review_status == ReviewStatus.REJECTED
    assert vault.review_note == "We already have the Token Service."


def test_a_merge_page_shows_whose_roles_change_and_the_registrant_becomes_a_member_not_an_owner(
    page, live_server, person, login, axe
):
    unit = BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    starter = person("sam", first_name="Sam", last_name="Starter")
    helper = person("hana", first_name="Hana", last_name="Helper")
    keeper = person("kim", first_name="Kim", last_name="Keeper")
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    keep = ProjectFactory(name="Fraud Signals", business_unit=unit)
    ProjectRole.objects.create(project=keep, user=keeper, role=ProjectRole.Role.OWNER)
    duplicate = _registration("Fraud Signal", "fraud-signal", starter, unit)
    ProjectRole.objects.create(project=duplicate, user=helper, role=ProjectRole.Role.MAINTAINER)

    login(page, office)
    page.goto(f"{live_server.url}/catalog/review/")
    entry = page.locator("article", has=page.get_by_role("heading", name="Fraud Signal", exact=True))
    expect(entry.get_by_role("link", name="https://git.example.com/risk/fraud-signal")).to_be_visible()
    expect(entry).to_contain_text("2 of 9, as declared by the starter")
    expect(entry.get_by_role("link", name="Fraud Signals", exact=True)).to_be_visible()
    entry.get_by_role("link", name="merge Fraud Signal into Fraud Signals…").click()

    expect(page.locator("h1")).to_have_text("Merge Fraud Signal into Fraud Signals?")
    expect(page.locator("main")).to_contain_text("https://git.example.com/risk/fraud-signal")
    sam = page.get_by_role("row", name="Sam Starter")
    expect(sam.get_by_role("cell").nth(0)).to_have_text("Owner")
    expect(sam.get_by_role("cell").nth(1)).to_have_text("Member")
    expect(page.get_by_role("row", name="Hana Helper").get_by_role("cell").nth(1)).to_have_text("Member")
    expect(page.get_by_role("row", name="Kim Keeper").get_by_role("cell").nth(1)).to_have_text(
        "Owner (unchanged)"
    )
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(2)
    for box in boxes.all():
        expect(box).not_to_be_checked()
    axe(page, "the merge's confirmation")
    assert Project.objects.get(slug="fraud-signal").merged_into is None

    page.get_by_role("checkbox", name="Maintainer of Fraud Signals: Hana Helper").check()
    page.get_by_role("button", name="Merge Fraud Signal into Fraud Signals").click()

    expect(page.locator(".message--success")).to_have_text("Fraud Signal was merged into Fraud Signals.")
    expect(page.locator("h1")).to_have_text("Fraud Signals")
    assert set(ProjectRole.objects.filter(project=keep).values_list("user__username", "role")) == {
        ("kim", "owner"),
        ("hana", "maintainer"),
    }
    assert set(
        Membership.objects.filter(project=keep, left_at__isnull=True).values_list("user__username", flat=True)
    ) == {"sam", "hana"}


def test_the_project_to_keep_is_found_by_typing_its_name_on_a_phone(page, live_server, person, login, axe):
    from catalog.search_index import entries_rebuild

    unit = BusinessUnitFactory(name="Risk Engineering", slug="risk-engineering")
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    keep = ProjectFactory(name="Fraud Signals", business_unit=unit)
    other = ProjectFactory(name="Card Limits", business_unit=unit)
    duplicate = ProjectFactory(name="Fraud Signal", business_unit=unit)
    entries_rebuild(project_ids=[keep.pk, other.pk, duplicate.pk])

    page.set_viewport_size({"width": 360, "height": 740})
    login(page, office)
    page.goto(f"{live_server.url}/catalog/fraud-signal/merge/")
    field = page.get_by_role("combobox", name="Keep this project (required)")
    field.press_sequentially("fraud")
    # The list offers the projects by that name as one types (the duplicate itself is not offered).
    options = page.locator("datalist#merge-targets option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "Fraud Signals (fraud-signals)")
    axe(page, "the merge page with the list of projects to keep")
    field.fill("Fraud Signals (fraud-signals)")
    page.get_by_role("button", name="Show what the merge will do").click()
    expect(page.locator("h1")).to_have_text("Merge Fraud Signal into Fraud Signals?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
