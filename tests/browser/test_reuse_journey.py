"""A practitioner judges and adopts an asset found by a search, on a wide screen and on a phone: the project
page shows its README and where it stands, the asset page gives the install snippet (copied with one click)
and a "Use this" form filled in from the person's profile, and recording twice records once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import Adoption, Asset, Repository
from community.models import Practitioner
from metrics.models import Release
from tests.factories import BusinessUnitFactory

WIDTHS = {"wide": (1280, 800), "phone": (360, 740)}
SNIPPET = """<dependency>
  <groupId>com.acme</groupId>
  <artifactId>kafka-jdbc-sink</artifactId>
  <version>2.4.0</version>
</dependency>"""


@pytest.mark.parametrize("size", WIDTHS)
def test_a_practitioner_judges_an_asset_from_a_search_copies_its_snippet_and_adopts_it_once(
    page, live_server, kafka_catalog, person, login, axe, size
):
    width, height = WIDTHS[size]
    retail = BusinessUnitFactory(name="Retail", slug="retail")
    rita = person("rita", first_name="Rita", last_name="Retail")
    Practitioner.objects.create(user=rita, display_name="Rita Retail", business_unit=retail, team="Checkout")
    repository = Repository.objects.get(project__slug="kafka-connect-toolkit")
    repository.last_synced_at = timezone.now()
    repository.default_branch = "main"
    repository.readme_path = "README.md"
    repository.readme_sha = "0123abcd"
    repository.readme_text = "# Kafka Connect Toolkit\n\nStart with [the guide](docs/guide.md).\n"
    repository.save()
    Release.objects.create(
        repository=repository, forge_id="7", tag="v2.4.0", published_at=timezone.now() - timedelta(days=3)
    )
    Asset.objects.filter(slug="kafka-jdbc-sink-connector").update(
        package_url="pkg:maven/com.acme/kafka-jdbc-sink"
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.set_viewport_size({"width": width, "height": height})
    login(page, rita)

    page.goto(f"{live_server.url}/catalog/?q=kafka+connect")
    page.locator("#result-list").get_by_role("link", name="Kafka Connect Toolkit", exact=True).click()
    readme = page.get_by_role("region", name="README")
    expect(readme.get_by_role("link", name="the guide")).to_have_attribute(
        "href", "https://github.example.com/data-platform/kafka-connect-toolkit/blob/main/docs/guide.md"
    )
    expect(page.get_by_role("region", name="Repository activity")).to_contain_text("v2.4.0")
    axe(page, f"the project page ({size})")

    page.get_by_text("Use this", exact=True).click()
    page.get_by_role("list", name="Which asset your team uses").get_by_role(
        "link", name="Kafka JDBC Sink Connector"
    ).click()
    how = page.get_by_role("region", name="How to use it")
    expect(how).to_contain_text("Version 2.4.0")
    how.get_by_role("button", name="Copy").click()
    expect(how.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == SNIPPET

    use = page.get_by_role("region", name="Use this")
    expect(use.get_by_label("Team")).to_have_value("Checkout")
    expect(use.get_by_label("Business unit")).to_have_value(str(retail.pk))
    axe(page, f"the asset page ({size})")
    use.get_by_role("button", name="My team uses this").click()
    expect(page.locator(".message--success")).to_contain_text(
        "Recorded: Checkout uses Kafka JDBC Sink Connector."
    )

    page.get_by_role("region", name="Use this").get_by_role("button", name="My team uses this").click()
    expect(page.locator(".message--info")).to_contain_text("This is already recorded")
    assert Adoption.objects.filter(asset__slug="kafka-jdbc-sink-connector", team="Checkout").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
