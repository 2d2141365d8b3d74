"""The catalog's search box suggests names and topics as someone types, as an ARIA combobox usable from
the keyboard alone."""

from playwright.sync_api import expect


def test_arrow_keys_choose_a_suggestion_and_enter_opens_it(page, live_server, kafka_catalog, axe):
    page.goto(f"{live_server.url}/catalog/")
    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially("kafka sch")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    first = listbox.get_by_role("option").first
    expect(first).to_contain_text("Kafka Schema Registry Client")
    axe(page, "the catalog with suggestions open")

    box.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_be_focused()

    box.press("Backspace")
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/catalog/kafka-schema-registry-client/")


def test_the_header_box_suggests_on_other_pages_too(page, live_server, kafka_catalog):
    page.goto(f"{live_server.url}/")
    box = page.get_by_role("combobox", name="Search the catalog")
    box.press_sequentially("ledger")
    option = page.get_by_role("option", name="Ledger Reconciliation Job")
    expect(option).to_be_visible()
    option.click()
    expect(page.locator("h1")).to_have_text("Ledger Reconciliation Job")
