"""An asset page says how to use the asset: its latest version and an install snippet that one click
copies (issue 16), accessible in light and dark and at 360 px."""

from datetime import UTC, datetime

from playwright.sync_api import expect

from metrics.models import Release
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, RepositoryFactory

SNIPPET = "npm install @acme/design-tokens@1.2.0"


def test_copy_puts_the_install_snippet_on_the_clipboard_and_says_so(page, live_server, transactional_db, axe):
    project = ProjectFactory(name="Design System", business_unit=BusinessUnitFactory(name="Web", slug="web"))
    asset = AssetFactory(
        project=project,
        name="Design Tokens",
        description="Colours, spacing and type for every web app.",
        package_url="pkg:npm/%40acme/design-tokens",
    )
    Release.objects.create(
        repository=RepositoryFactory(project=project),
        forge_id="1",
        tag="v1.2.0",
        published_at=datetime(2026, 12, 3, 9, tzinfo=UTC),
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    page.goto(f"{live_server.url}{asset.get_absolute_url()}")
    section = page.get_by_role("region", name="How to use it")
    expect(section).to_contain_text("Version 1.2.0, released 3 Dec 2026")
    expect(section.locator("pre code")).to_have_text(SNIPPET)
    axe(page, "the asset page")

    copy = section.get_by_role("button", name="Copy")
    copy.click()
    expect(section.get_by_role("button", name="Copied")).to_be_visible()
    expect(section.locator("[aria-live=polite]")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()") == SNIPPET
    # It says Copy again after a moment, ready for another click.
    expect(section.get_by_role("button", name="Copy")).to_be_visible(timeout=5_000)

    page.emulate_media(color_scheme="dark")
    axe(page, "the asset page, dark")
    page.set_viewport_size({"width": 360, "height": 740})
    expect(section.get_by_role("button", name="Copy")).to_be_visible()
    axe(page, "the asset page at 360 px")


def test_without_script_the_snippet_is_there_to_select_and_no_dead_button_shows(
    browser, live_server, transactional_db
):
    asset = AssetFactory(name="Retry", package_url="pkg:pypi/acme-retry")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}{asset.get_absolute_url()}")
        expect(page.locator("pre code")).to_have_text("pip install acme-retry")
        expect(page.get_by_role("button", name="Copy")).to_have_count(0)
    finally:
        context.close()
