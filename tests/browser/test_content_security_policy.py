"""The Content-Security-Policy holds on the real pages: nothing they load or run is refused."""

from playwright.sync_api import expect


def test_no_page_breaks_the_content_security_policy(page, live_server, kafka_catalog, person, login):
    refused, where = [], {"path": ""}
    page.on(
        "console",
        lambda m: (
            refused.append(f"{where['path']}: {m.text}") if "Content Security Policy" in m.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    office = person("olivia", first_name="Olivia", last_name="Office", program_office=True)
    login(page, office)
    base = live_server.url
    for path in ["/", "/catalog/kafka-connect-toolkit/", "/metrics/", "/journey/", "/api/v1/docs/"]:
        where["path"] = path
        response = page.goto(base + path)
        assert response.ok, path
        assert "script-src" in response.headers["content-security-policy"]
    where["path"] = "/catalog/ (typing)"
    page.goto(base + "/catalog/")
    page.locator("input[type=search]").first.fill("kafka")
    expect(page.locator("#result-list .card").first).to_be_visible()
    # The registration page's inline script (with the request's nonce) wires the duplicate check.
    where["path"] = "/catalog/register/"
    page.goto(base + "/catalog/register/")
    page.fill("#id_name", "Kafka Connect Toolkit")
    expect(page.locator("#duplicates")).to_contain_text("Kafka Connect Toolkit")
    page.wait_for_timeout(200)
    assert refused == [], "\n".join(refused)
