"""The top bar: one row at 1280 px for every role, folded behind "Menu" at 360 px, its menus usable from
the keyboard (open, follow a link, Escape back to the menu's button)."""

import pytest
from playwright.sync_api import expect

from catalog.models import Notification
from tests.factories import ProjectFactory, make_owner

# The top and bottom of the brand, the search box and every visible navigation entry.
ROW_JS = """() => {
  const boxes = [...document.querySelectorAll('.brand, .topbar__search, #main-nav > ul > li')]
    .map(el => el.getBoundingClientRect()).filter(box => box.width > 0);
  return {tops: boxes.map(box => Math.round(box.top)), bottom: Math.max(...boxes.map(box => box.bottom)),
          right: Math.max(...boxes.map(box => box.right))};
}"""


@pytest.mark.parametrize("role", ["anonymous", "practitioner", "program_office"])
def test_the_top_bar_is_one_row_at_1280_px_for_every_role(page, live_server, person, login, role):
    page.set_viewport_size({"width": 1280, "height": 800})
    if role != "anonymous":
        # A long name and a notification count: the widest the bar gets.
        user = person(
            "wide",
            first_name="Maximiliana",
            last_name="Featherstonehaugh-Okonkwo",
            program_office=role == "program_office",
        )
        Notification.objects.bulk_create(
            [Notification(user=user, message=f"Message {n}", url="/") for n in range(12)]
        )
        login(page, user)
    page.goto(live_server.url + "/")
    row = page.evaluate(ROW_JS)
    assert max(row["tops"]) - min(row["tops"]) < 24, f"the top bar wraps: {row}"
    assert row["right"] <= 1280, row
    if role != "anonymous":
        expect(page.get_by_role("link", name="Notifications 12 unread")).to_be_visible()


def test_the_person_menu_works_from_the_keyboard(page, live_server, person, login):
    sam = person("sam", first_name="Sam", last_name="Starter")
    make_owner(ProjectFactory(name="Ledger"), sam)
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, sam)
    summary = page.locator("summary.nav__account")
    summary.focus()
    page.keyboard.press("Enter")
    my_projects = page.get_by_role("link", name="My projects")
    expect(my_projects).to_be_visible()
    page.keyboard.press("Escape")
    expect(my_projects).to_be_hidden()
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    my_projects.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My projects")).to_be_visible()
    expect(page.get_by_role("link", name="Ledger")).to_be_visible()


def test_at_360_px_the_navigation_folds_behind_a_menu_button(page, live_server, person, login):
    page.set_viewport_size({"width": 360, "height": 740})
    login(page, person("sam", first_name="Sam", last_name="Starter"))
    page.goto(live_server.url + "/")
    menu = page.get_by_role("button", name="Menu")
    catalog = page.locator("#main-nav").get_by_role("link", name="Catalog")
    expect(catalog).to_be_hidden()
    # The search box stays at hand, on the first screen.
    expect(page.get_by_role("combobox", name="Search the catalog")).to_be_in_viewport()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(catalog).to_be_visible()
    page.locator("summary.nav__account").click()
    page.get_by_role("link", name="My journey").click()
    expect(page).to_have_url(live_server.url + "/journey/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
