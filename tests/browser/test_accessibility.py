"""Accessibility: axe-core (WCAG 2.0/2.1 A and AA) in light and dark, small screens, and the keyboard."""

import pytest
from playwright.sync_api import expect

from catalog.models import ReviewStatus
from tests.browser.conftest import axe_violations, format_violations
from tests.factories import ProjectFactory

# Finds what sticks out to the right of a narrow viewport, to name it in the failure message.
OVERFLOWING_JS = """(width) => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.classList.length ? '.' + [...el.classList].join('.') : '');
      found.push(`${name} (right edge ${Math.round(box.right)} px)`);
    }
  }
  return found.slice(0, 8);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_the_main_pages(
    page, live_server, kafka_catalog, person, login, scheme
):
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    ProjectFactory(
        name="Fraud Signals",
        review_status=ReviewStatus.PENDING,
        description="Real-time fraud scores for card payments.",
        created_by=person("sam", first_name="Sam", last_name="Starter"),
    )
    page.emulate_media(color_scheme=scheme)
    base = live_server.url
    # name: (path, a locator that proves the page shows what we mean to check)
    anonymous = {
        "home": ("/", "h1#hero-heading"),
        "catalog with results": ("/catalog/?q=kafka", "#result-list .card"),
        "catalog without results": ("/catalog/?q=qwxzvbnm", "#catalog-results .panel h3"),
        "project page": ("/catalog/kafka-connect-toolkit/", "#how-to-contribute"),
        "asset page": ("/catalog/kafka-connect-toolkit/assets/kafka-jdbc-sink-connector/", "#use-heading"),
        "login page": ("/accounts/login/", "input[name=login]"),
        "signup page": ("/accounts/signup/", "input[name=password1]"),
    }
    signed_in = {
        "registration page": ("/catalog/register/", "#id_name"),
        "review queue": ("/catalog/review/", "#review-fraud-signals"),
        "audit log": ("/audit/", "#project-changes-heading"),
        "project page (program office)": ("/catalog/kafka-connect-toolkit/", "#curate-heading"),
    }
    failures = []

    def check(name: str, path: str, proof: str) -> None:
        response = page.goto(base + path)
        assert response.ok, f"{name}: HTTP {response.status} for {path}"
        expect(page.locator(proof).first).to_be_visible()
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        violations = axe_violations(page)
        if violations:
            failures.append(format_violations(violations, f"{name} ({path}, {scheme})"))

    for name, (path, proof) in anonymous.items():
        check(name, path, proof)
    login(page, office)
    for name, (path, proof) in signed_in.items():
        check(name, path, proof)

    assert not failures, "\n\n".join(failures)


def test_home_catalog_and_project_pages_fit_a_360_px_wide_screen(page, live_server, kafka_catalog):
    page.set_viewport_size({"width": 360, "height": 740})
    too_wide = []
    for path in ["/", "/catalog/?q=kafka", "/catalog/kafka-connect-toolkit/"]:
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > 360:
            culprits = page.evaluate(OVERFLOWING_JS, 360)
            too_wide.append(f"{path}: scrollWidth {scroll_width} px; sticking out: {', '.join(culprits)}")
    assert not too_wide, "horizontal scrolling at 360 px:\n" + "\n".join(too_wide)


def test_tab_from_the_top_reaches_the_skip_link_first_with_a_visible_focus_outline(
    page, live_server, transactional_db
):
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")

    focused = page.evaluate(
        """() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          const box = el.getBoundingClientRect();
          return {text: el.textContent.trim(), href: el.getAttribute('href'),
                  outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
                  outlineColor: style.outlineColor, top: box.top, bottom: box.bottom, height: box.height};
        }"""
    )
    assert focused["text"] == "Skip to content", f"first Tab stop is {focused['text']!r}"
    assert focused["href"] == "#main"
    assert focused["outlineStyle"] not in {"none", "hidden"} and focused["outlineWidth"] >= 2, focused
    assert focused["outlineColor"] not in {"transparent", "rgba(0, 0, 0, 0)"}, focused
    assert focused["height"] > 0 and focused["top"] >= 0 and focused["bottom"] <= 800, (
        f"not on screen: {focused}"
    )
    expect(page.get_by_role("link", name="Skip to content")).to_be_visible()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
