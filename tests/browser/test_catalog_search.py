"""The catalog search, as a person uses it: live results while typing, opening a result, and without JavaScript."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
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

    # An exact name comes first, above a featured, busier project that also matches every word; the
    # entries holding only some of the words follow (words rank instead of filter, issue 17: before,
    # every word had to match and these two were the only results).
    replace_query(page, "kafka schema registry client")
    expect(count).to_have_text("4 results for “kafka schema registry client”")
    assert titles(page)[:2] == ["Kafka Schema Registry Client", "Kafka Connect Toolkit"]
    assert set(titles(page)) == KAFKA_ENTRIES
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


# --- the keyboard, a phone, and the filters ----------------------------------------------------------------------

FOCUSED_JS = """() => {
  const el = document.activeElement;
  return {tag: el.tagName, name: el.getAttribute('name'), value: el.getAttribute('value'),
          text: (el.textContent || '').trim(), href: el.getAttribute('href')};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED_JS)


def tab_to(page, predicate, *, key: str = "Tab", limit: int = 40) -> dict:
    """Press Tab (or `key`) until the focused element satisfies predicate; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if predicate(now):
            return now
        seen.append(now["name"] or now["text"][:30] or now["tag"])
    raise AssertionError(f"never reached: Tab went through {seen}")


@pytest.fixture
def retired_kafka(kafka_catalog):
    """The Kafka catalog with an archived Kafka project, left out of the default results."""
    from catalog.models import Lifecycle
    from catalog.search_index import entries_rebuild
    from tests.factories import ProjectFactory

    legacy = ProjectFactory(
        name="Kafka Legacy Bridge",
        description="The old bridge from kafka to the mainframe.",
        business_unit=kafka_catalog["toolkit"].business_unit,
        lifecycle=Lifecycle.ARCHIVED,
        activity_score=5,
    )
    entries_rebuild(project_ids=[legacy.pk])
    return kafka_catalog | {"legacy": legacy}


def test_from_the_keyboard_only_search_toggle_two_facets_and_open_the_third_result(
    page, live_server, retired_kafka
):
    page.goto(f"{live_server.url}/catalog/")
    # The header's search box is not on this page: the catalog's own box is the one.
    expect(page.locator("input[type=search]")).to_have_count(1)
    # On a wide screen the filters simply show: no "Filters" button to open first.
    expect(page.locator("summary.filters__toggle")).to_be_hidden()
    expect(page.locator("#facet-kind-project")).to_be_visible()
    tab_to(page, lambda el: el["name"] == "q")
    page.keyboard.type("kafka", delay=30)
    count = page.locator("#result-count")
    expect(count).to_have_text("4 results for “kafka”")
    expect(page.locator("#retired-note")).to_have_text(
        "Also 1 archived or deprecated entry matches: show it."
    )

    # "Skip to results" follows the search box, and lands before the active filters and the results.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to results"
    expect(page.get_by_role("link", name="Skip to results")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["text"].startswith("Remove filter: Search “kafka”"), focused(page)

    # The filters come before the results: back to them.
    tab_to(page, lambda el: el["name"] == "kind" and el["value"] == "project", key="Shift+Tab")
    page.keyboard.press("Space")
    expect(count).to_have_text("2 results for “kafka”")
    expect(page.locator("#facet-kind-project")).to_be_checked()
    # The results (and the facets with them) were replaced: focus is back on the same checkbox.
    now = focused(page)
    assert (now["tag"], now["name"], now["value"]) == ("INPUT", "kind", "project"), now

    tab_to(page, lambda el: el["name"] == "include_retired")
    page.keyboard.press("Space")
    expect(count).to_have_text("3 results for “kafka”")
    now = focused(page)
    assert (now["tag"], now["name"], now["value"]) == ("INPUT", "include_retired", "1"), now
    expect(page.locator("#retired-note")).to_have_count(0)
    chips = page.get_by_role("list", name="Active filters")
    expect(chips.get_by_role("link")).to_have_text(
        [
            re.compile(r"Remove filter: Search “kafka”"),
            re.compile(r"Remove filter: Kind Project"),
            re.compile(r"Remove filter: Include archived and deprecated"),
        ]
    )

    # The third result, whichever it is (the rank differs between SQLite and PostgreSQL): Enter opens it.
    assert set(titles(page)) == {
        "Kafka Connect Toolkit",
        "Kafka Schema Registry Client",
        "Kafka Legacy Bridge",
    }
    third = page.locator("#result-list .card__title").nth(2)
    href, name = third.get_attribute("href"), third.inner_text().strip()
    tab_to(page, lambda el: el["href"] == href)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{href}")
    expect(page.locator("h1")).to_have_text(name)


def test_a_filter_chip_removes_its_filter_in_place_and_clear_all_removes_every_one(
    page, live_server, retired_kafka
):
    page.goto(f"{live_server.url}/catalog/?q=kafka&kind=project&include_retired=1")
    count = page.locator("#result-count")
    expect(count).to_have_text("3 results for “kafka”")
    page.evaluate("window.__sameDocument = 'still here'")

    chip = page.get_by_role("link", name="Remove filter: Kind Project")
    chip.focus()
    page.keyboard.press("Enter")
    expect(count).to_have_text("5 results for “kafka”")
    expect(page).to_have_url(f"{live_server.url}/catalog/?q=kafka&include_retired=1")
    expect(page.locator("#facet-kind-project")).not_to_be_checked()
    # The chip is gone: focus lands on the result count, not at the top of the page.
    expect(count).to_be_focused()

    page.get_by_role("link", name="Remove filter: Search “kafka”").click()
    expect(page.locator("#catalog-q")).to_have_value("")
    expect(count).to_have_text("7 results")
    page.get_by_role("link", name="Clear all filters").click()
    expect(count).to_have_text("6 results")
    expect(page.get_by_role("list", name="Active filters")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") == "still here", "the page was reloaded"


def test_the_chips_work_without_javascript(new_context, live_server, retired_kafka):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5_000)
    page.goto(f"{live_server.url}/catalog/?q=kafka&kind=project")
    # Without script the filters show (the disclosure is rendered open).
    expect(page.locator("#facet-kind-project")).to_be_visible()
    page.get_by_role("link", name="Remove filter: Kind Project").click()
    expect(page).to_have_url(f"{live_server.url}/catalog/?q=kafka")
    expect(page.locator("#result-count")).to_have_text("4 results for “kafka”")
    page.get_by_role("link", name="show it").click()
    expect(page.locator("#result-count")).to_have_text("5 results for “kafka”")


def test_at_360_px_the_first_result_shows_without_scrolling_and_the_filters_fold(
    page, live_server, retired_kafka, axe
):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/catalog/?q=kafka")
    expect(page.locator("#result-list .card").first).to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0
    toggle = page.locator("summary.filters__toggle")
    checkbox = page.locator("#facet-kind-project")
    expect(toggle).to_be_visible()
    expect(checkbox).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(checkbox).to_be_visible()
    axe(page, "catalog at 360 px, filters open")
    # Choosing a filter updates the results and leaves the filters open, focus on the checkbox.
    checkbox.focus()
    page.keyboard.press("Space")
    expect(page.locator("#result-count")).to_have_text("2 results for “kafka”")
    expect(page.locator("#facet-kind-project")).to_be_visible()
    expect(page.locator("#facet-kind-project")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# The colour of the focus ring, the page background and the error colour, and their contrast.
RING_JS = """() => {
  const el = document.activeElement;
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                       return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const probe = document.createElement('span');
  probe.style.color = 'var(--danger)';
  document.body.append(probe);
  const danger = getComputedStyle(probe).color;
  probe.remove();
  const ring = getComputedStyle(el).outlineColor;
  const background = getComputedStyle(document.body).backgroundColor;
  const surface = getComputedStyle(document.querySelector('.card')).backgroundColor;
  return {ring, danger, style: getComputedStyle(el).outlineStyle, width: parseFloat(getComputedStyle(el).outlineWidth),
          onBackground: ratio(ring, background), onSurface: ratio(ring, surface)};
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_is_not_the_error_colour_and_stands_out_and_the_page_passes_axe(
    page, live_server, retired_kafka, axe, scheme
):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/catalog/?q=kafka&kind=project")
    expect(page.locator("#retired-note")).to_be_visible()
    page.locator("#catalog-q").focus()
    tab_to(page, lambda el: el["name"] == "kind")
    ring = page.evaluate(RING_JS)
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    assert ring["ring"] != ring["danger"], ring
    assert ring["onBackground"] >= 3 and ring["onSurface"] >= 3, ring
    axe(page, f"catalog with filters ({scheme})")
