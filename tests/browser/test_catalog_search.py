"""The catalog search, as a person uses it: live results while typing, opening a result, and without JavaScript."""

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

# The guide is an asset of the Kafka Connect Toolkit: it matches "kafka" through its project's name.
KAFKA_ENTRIES = {
    "Kafka Connect Toolkit",
    "Kafka Schema Registry Client",
    "Kafka JDBC Sink Connector",
    "Event Hub Connector Guide",
}
LEDGER_ENTRIES = {"Payments Ledger", "Ledger Reconciliation Job"}
ALL_ENTRIES = KAFKA_ENTRIES | LEDGER_ENTRIES


def titles(page) -> list[str]:
    return [t.strip() for t in page.locator("#result-list .card__title").all_inner_texts()]


def query_of(url: str) -> list[str]:
    return parse_qs(urlparse(url).query).get("q", [])


def replace_query(page, text: str) -> None:
    """Select what the search box holds and type over it, one key at a time."""
    box = page.locator("#catalog-q")
    box.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text, delay=30)


def test_typing_in_the_catalog_search_box_updates_the_results_without_a_page_load(
    page, live_server, kafka_catalog
):
    page.goto(f"{live_server.url}/catalog/")
    results = page.locator("#result-list .card__title")
    expect(results).to_have_count(len(ALL_ENTRIES))
    # Survives only as long as the document does: a full page load would wipe it.
    page.evaluate("window.__sameDocument = 'still here'")
    requests = []
    page.on("request", lambda r: requests.append(r) if r.resource_type == "document" else None)

    page.locator("#catalog-q").click()
    page.keyboard.type("kafka", delay=40)

    count = page.locator("#result-count")
    expect(count).to_have_text("4 results for “kafka”")
    shown = titles(page)
    assert set(shown) == KAFKA_ENTRIES, shown
    assert "Payments Ledger" not in shown
    expect(page).to_have_url(re.compile(r"/catalog/\?(.*&)?q=kafka(&|$)"))
    assert query_of(page.url) == ["kafka"]

    replace_query(page, "ledger")
    expect(count).to_have_text("2 results for “ledger”")
    assert set(titles(page)) == LEDGER_ENTRIES, titles(page)
    expect(page).to_have_url(re.compile(r"[?&]q=ledger(&|$)"))

    # An exact name comes first, above a featured, busier project that also matches every word.
    replace_query(page, "kafka schema registry client")
    expect(count).to_have_text("2 results for “kafka schema registry client”")
    assert titles(page) == ["Kafka Schema Registry Client", "Kafka Connect Toolkit"]
    assert query_of(page.url) == ["kafka schema registry client"]

    assert page.evaluate("window.__sameDocument") == "still here", "the page was reloaded"
    assert not requests, f"full page loads while typing: {[r.url for r in requests]}"


def test_opening_a_project_from_the_results_shows_its_page(page, live_server, kafka_catalog):
    page.goto(f"{live_server.url}/catalog/?q=kafka")
    page.locator("#result-list").get_by_role("link", name="Kafka Schema Registry Client", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/catalog/kafka-schema-registry-client/")
    expect(page.locator("h1")).to_have_text("Kafka Schema Registry Client")
    expect(page.get_by_role("link", name="Contribute", exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Kafka Schema Registry Client · InnerSource Portal$"))


def test_the_search_works_without_javascript(new_context, live_server, kafka_catalog):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5_000)
    page.goto(f"{live_server.url}/catalog/")
    page.locator("#catalog-q").fill("ledger")
    page.locator("#catalog-form").get_by_role("button", name="Search").click()

    expect(page).to_have_url(re.compile(r"/catalog/\?(.*&)?q=ledger(&|$)"))
    expect(page.locator("h1")).to_have_text("Catalog")
    expect(page.locator("#result-list .card__title")).to_have_count(len(LEDGER_ENTRIES))
    assert set(titles(page)) == LEDGER_ENTRIES
    expect(page.locator("#catalog-q")).to_have_value("ledger")
