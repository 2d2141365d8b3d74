"""Production settings, security headers, and the limits on sign-in, sign-up, beacons and webhooks."""

import json
import os
import secrets
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import ProjectFactory, UserFactory
from tests.portal.test_portal import ROOT, settings_in_subprocess

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DEBUG": "false",
    "ALLOWED_HOSTS": "portal.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def test_production_settings_pass_djangos_deployment_checks(tmp_path):
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path}/deploy.sqlite3",
        "PORTAL_STATIC_ROOT": str(tmp_path / "static"),
    }
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "PORTAL_TESTING", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # As deployed: the static files are collected (the image does it when it is built).
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        env={**clean, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_on_https_only_cookies_hsts_and_the_proxy_header():
    result = settings_in_subprocess(
        {**PRODUCTION, "TRUSTED_PROXY_COUNT": "1", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true"},
        "[settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_PROXY_SSL_HEADER,"
        " settings.REST_FRAMEWORK['NUM_PROXIES'], settings.ALLAUTH_TRUSTED_PROXY_COUNT]",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "[True, True, True, 31536000, True, ('HTTP_X_FORWARDED_PROTO', 'https'), 1, 1]"
    )


def test_health_probes_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/catalog/").status_code == 301


def test_pages_and_the_api_carry_the_security_headers(client, db):
    for path in ["/", "/catalog/", "/api/v1/schema/"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"


def test_an_inline_script_runs_only_with_the_requests_nonce(client, db, starter):
    client.force_login(starter)
    response = client.get("/catalog/register/")
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def _person(username: str):
    user = UserFactory(username=username)
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def test_repeated_failed_logins_lock_the_account_for_a_while(client, db):
    user = _person("target")
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": user.email, "password": "wrong guess"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    # Even the right password is refused now: guessing cannot go on.
    locked = client.post(reverse("account_login"), {"login": user.email, "password": "correct horse battery"})
    assert "_auth_user_id" not in client.session
    assert locked.status_code in {200, 429}
    assert "Too many failed login attempts" in locked.content.decode()


def test_sign_ups_from_one_address_are_limited(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/h/ip"}
    statuses = []
    for n in range(3):
        response = client.post(
            reverse("account_signup"),
            {
                "email": f"new{n}@example.com",
                "first_name": "New",
                "last_name": f"Person {n}",
                "password1": "a long unusual passphrase",
                "password2": "a long unusual passphrase",
            },
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses[:2] == [302, 302]
    assert statuses[2] == 429
    assert EmailAddress.objects.filter(email="new2@example.com").count() == 0


def test_usage_beacons_are_limited_per_address(client, db, settings):
    settings.USAGE_BEACON_RATE = "3/minute"
    ProjectFactory(slug="ledger")
    body = json.dumps({"kind": "contribute_click", "project": "ledger"})
    statuses = [
        client.post(reverse("metrics:usage_beacon"), body, content_type="text/plain").status_code
        for _ in range(4)
    ]
    assert statuses == [204, 204, 204, 429]
    other = client.post(
        reverse("metrics:usage_beacon"), body, content_type="text/plain", REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 204


def test_behind_a_trusted_proxy_the_limit_counts_the_client_not_the_proxy(client, db, settings):
    settings.USAGE_BEACON_RATE = "1/minute"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    ProjectFactory(slug="ledger")
    body = json.dumps({"kind": "contribute_click", "project": "ledger"})

    def send(client_address: str) -> int:
        return client.post(
            reverse("metrics:usage_beacon"),
            body,
            content_type="text/plain",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=client_address,
        ).status_code

    assert [send("203.0.113.5"), send("203.0.113.6"), send("203.0.113.5")] == [204, 204, 429]


@pytest.mark.parametrize("path", ["/webhooks/github/", "/webhooks/gitlab/"])
def test_webhooks_are_limited_per_address(client, db, settings, path):
    settings.WEBHOOK_RATE = "2/minute"
    statuses = [client.post(path, "{}", content_type="application/json").status_code for _ in range(3)]
    assert statuses[:2] != [429, 429]
    assert statuses[2] == 429


def test_sign_in_providers_are_allowed_as_form_targets_and_nothing_else():
    off = settings_in_subprocess({}, "[str(source) for source in settings.SECURE_CSP['form-action']]")
    assert off.stdout.strip() == "[\"'self'\"]", off.stdout + off.stderr
    on = settings_in_subprocess(
        {
            "GITHUB_CLIENT_ID": "x",
            "OIDC_CLIENT_ID": "y",
            "OIDC_SERVER_URL": "https://sso.acme.example/realms/a",
        },
        "settings.SIGN_IN_ORIGINS",
    )
    assert on.stdout.strip() == "['https://github.com', 'https://sso.acme.example']", on.stderr


def test_sign_in_with_github_must_prove_logins_on_the_github_the_sync_reads(settings):
    from portal.checks import sign_in_proves_the_synced_forge

    settings.SOCIALACCOUNT_PROVIDERS = {**settings.SOCIALACCOUNT_PROVIDERS, "github": {"APPS": []}}
    settings.GITHUB_URL, settings.GITHUB_API_URL = "", "https://github.acme.example/api/v3"
    [error] = sign_in_proves_the_synced_forge()
    assert error.id == "portal.E003" and "github.com" in error.msg

    settings.GITHUB_URL = "https://github.acme.example"
    assert sign_in_proves_the_synced_forge() == []
    settings.GITHUB_URL, settings.GITHUB_API_URL = "", "https://api.github.com"
    assert sign_in_proves_the_synced_forge() == []
