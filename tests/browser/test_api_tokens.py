"""A practitioner makes a personal API token on their profile, a script uses it, and the API's
interactive documentation renders from the portal's own files."""

from playwright.sync_api import expect


def test_a_person_makes_a_token_a_script_uses_it_and_revokes_it(
    page, live_server, kafka_catalog, person, login, axe
):
    sam = person("sam", first_name="Sam", last_name="Starter")
    login(page, sam)
    page.goto(f"{live_server.url}/practitioners/sam/")
    page.get_by_role("link", name="API tokens").click()
    axe(page, "API tokens page")
    page.get_by_label("What is it for?").fill("release pipeline")
    page.get_by_role("button", name="Make token").click()
    token = page.locator("#new-token-value").input_value()
    assert token.startswith("isp_")
    axe(page, "API tokens page with a new token")

    # A script (no session cookie) calls the API with the token.
    script = page.context.request
    headers = {"Authorization": f"Bearer {token}", "Cookie": ""}
    answer = script.get(f"{live_server.url}/api/v1/projects/?q=kafka", headers=headers)
    assert answer.status == 200
    assert {p["slug"] for p in answer.json()["results"]} == {
        "kafka-connect-toolkit",
        "kafka-schema-registry-client",
    }

    page.reload()
    expect(page.locator("#new-token-value")).to_have_count(0)
    page.get_by_role("button", name="Revoke release pipeline").click()
    expect(page.get_by_text("Revoked.")).to_be_visible()
    assert script.get(f"{live_server.url}/api/v1/projects/", headers=headers).status == 401


def test_the_interactive_api_docs_list_the_endpoints(page, live_server, person, login):
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_text("InnerSource Portal API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/projects/").first).to_be_visible()
    assert external == [], f"the docs page fetched from outside the portal: {external}"
