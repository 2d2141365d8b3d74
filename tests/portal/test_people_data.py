"""People's data needs a signed-in viewer; the whole portal can be made sign-in only; sign-up and password
reset do not tell whether an address has an account.

The structural test walks the URL resolver: every route is either in PEOPLE (a page that shows people's
data: anonymous visitors are sent to sign in, or see the page without the names) or in PUBLIC with the
reason it shows nobody, so that a route added later must be classified before the suite passes. One
person, Zephyrine Quillfeather, is everywhere a person can be: a profile, a community membership, a
badge, an adoption by her team for her product. "Quillfeather" is in her name, her team and her product
and nowhere else, so an anonymous page that contains it shows her.
"""

import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from catalog.models import Adoption
from catalog.search_index import entries_rebuild
from community.models import Badge, BadgeAward, Guide, GuideVersion, Membership, Practitioner
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, UserFactory
from tests.portal.test_portal import settings_in_subprocess

MARK = "Quillfeather"

# Pages that show people's data, and what of it.
PEOPLE = {
    "community:profile": "a person's profile: projects, contributions, badges, kudos",
    "community:members": "a project community's members, maintainers and trusted committers",
    "community:badge": "a badge's holders",
    "catalog:project": "the teams (and their products) that adopted the project's assets",
    "catalog:asset": "the teams (and their products) that adopted the asset",
}
# Of those, the pages an anonymous visitor is sent to sign in for; the others show the project to
# everyone, with the adopters counted but not named.
SIGN_IN_FIRST = {"community:profile", "community:members", "community:badge"}

SIGNED_IN_ONLY = "signed-in people only (login_required)"
WRITE = "a write (POST, signed-in; tests/test_write_permissions.py)"
# Routes, by name, that show no one's data (to an anonymous visitor), and why.
PUBLIC = {
    "portal:home": "catalog highlights and figures: projects and counts, no person",
    "portal:healthz": "a probe",
    "portal:readyz": "a probe",
    "portal:notifications": SIGNED_IN_ONLY,
    "portal:audit_log": SIGNED_IN_ONLY + ", program office",
    "portal:audit_log_changes_csv": SIGNED_IN_ONLY + ", program office (the audit log's project changes)",
    "portal:audit_log_admin_csv": SIGNED_IN_ONLY + ", program office (the audit log's admin changes)",
    "portal:api_tokens": SIGNED_IN_ONLY + ", the person's own tokens",
    "portal:api_token_revoke": WRITE,
    "portal:notifications_read_all": WRITE,
    "portal:notification_open": WRITE,
    "metrics:dashboard": SIGNED_IN_ONLY + "; aggregates, no individuals",
    "metrics:project_dashboard": SIGNED_IN_ONLY + "; aggregates, no individuals",
    "metrics:value_settings": SIGNED_IN_ONLY + ", program office (who last changed the costs)",
    "catalog:search": "catalog entries: projects and assets with adoption counts",
    "catalog:suggest": "names of catalog entries and topics the viewer may see",
    "catalog:avatar": "a project's generated image: its initials, no person",
    "catalog:register": SIGNED_IN_ONLY,
    "catalog:register_duplicates": SIGNED_IN_ONLY + ", names of similar projects the viewer may see",
    "catalog:review_queue": SIGNED_IN_ONLY + ", program office",
    "catalog:edit": SIGNED_IN_ONLY + ", editors",
    "catalog:review": WRITE,
    "catalog:curate": WRITE,
    "catalog:merge": SIGNED_IN_ONLY + ", program office",
    "catalog:merge_targets": SIGNED_IN_ONLY + ", program office: names of projects",
    "catalog:duplicates": SIGNED_IN_ONLY + ", program office: clusters of projects and assets, no person",
    "catalog:duplicates_dismiss": WRITE,
    "catalog:duplicates_tell": WRITE,
    "catalog:asset_new": SIGNED_IN_ONLY + ", editors",
    "catalog:asset_edit": SIGNED_IN_ONLY + ", editors",
    "catalog:adopt": WRITE,
    "catalog:adoption_end": WRITE + " (its confirmation page answers a POST, for those who may end it)",
    "metrics:github_webhook": "forge deliveries (POST, signed by the forge)",
    "metrics:gitlab_webhook": "forge deliveries (POST, token of the forge)",
    "metrics:usage_beacon": "usage beacons (POST)",
    "community:journey": SIGNED_IN_ONLY + ", the person's own journey",
    "community:badges": "the badges with how many people hold each, no names",
    "community:profile_edit": SIGNED_IN_ONLY + ", the person's own profile",
    "community:projects_mine": SIGNED_IN_ONLY + ", the person's own projects and what waits there",
    "community:kudos": WRITE,
    "community:rules": "the rules of engagement and the viewer's own acceptance",
    "community:join": WRITE,
    "community:leave": WRITE,
    "community:trusted_committer_appoint": WRITE,
    "community:trusted_committer_remove": WRITE,
    # A template filled in for a project names its owners and trusted committers, the project's contacts
    # (as its repository's MAINTAINERS or CODEOWNERS file does); never members, adopters or badge holders.
    "community:guidelines": "guides and templates",
    "community:guide_detail": "a guide, or a template filled in with a project's facts and contacts",
    "community:guide_download": "a template filled in with a project's facts and contacts",
    "community:starter_kit": "templates filled in with a project's facts and contacts",
}
# Whole areas, by the start of their route.
PUBLIC_AREAS = {
    "api/v1/": "the API refuses anonymous callers (tests/catalog/test_api.py, tests/community/test_api.py); "
    "its schema and docs describe endpoints, not people",
    "accounts/": "allauth's sign-in, sign-up, password and e-mail pages",
    "admin/": "Django's admin: staff only",
    "^media/": "uploaded files, served in DEBUG only",
}


def _routes(resolver=None, prefix="", namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _routes(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, (f"{namespace}:{pattern.name}".strip(":") if pattern.name else None)


def _classified_by_name() -> list[tuple[str, str | None]]:
    return [(route, name) for route, name in _routes() if not route.startswith(tuple(PUBLIC_AREAS))]


def test_every_route_is_either_people_data_or_public_for_a_reason():
    routes = _classified_by_name()
    unnamed = [route for route, name in routes if name is None]
    assert not unnamed, f"name these routes so that they can be classified: {unnamed}"
    names = {name for _route, name in routes}
    unclassified = names - set(PEOPLE) - set(PUBLIC)
    assert not unclassified, (
        f"say whether these routes show people's data (PEOPLE) or not (PUBLIC): {unclassified}"
    )
    assert not set(PEOPLE) & set(PUBLIC)
    stale = (set(PEOPLE) | set(PUBLIC)) - names
    assert not stale, f"classified routes that no longer exist: {stale}"
    assert set(PEOPLE) >= SIGN_IN_FIRST


@pytest.fixture
def world(db):
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    ledger = ProjectFactory(name="Payments Ledger", slug="ledger", business_unit=payments)
    sdk = AssetFactory(project=ledger, name="Ledger SDK", slug="sdk")
    person = UserFactory(username="zquill", first_name="Zephyrine", last_name=MARK)
    Practitioner.objects.update_or_create(
        user=person, defaults={"display_name": f"Zephyrine {MARK}", "team": f"{MARK} Crew"}
    )
    Membership.objects.create(project=ledger, user=person)
    badge = Badge.objects.create(
        slug="probe", name="Probe", description="A probe.", tier="bronze", rule="mentor"
    )
    BadgeAward.objects.create(badge=badge, user=person)
    Adoption.objects.create(
        asset=sdk, business_unit=payments, team=f"{MARK} Crew", product=f"{MARK} Pay", created_by=person
    )
    # An adoption that ended is still people's data (the asset page lists it as past).
    Adoption.objects.create(
        asset=sdk, business_unit=payments, team=f"{MARK} Old Crew", since=date(2024, 1, 1),
        ended_on=date(2024, 6, 1), created_by=person,
    )  # fmt: skip
    guide = Guide.objects.create(
        slug="probe-template", title="Probe", kind=Guide.Kind.TEMPLATE, summary="s", filename="README.md"
    )
    GuideVersion.objects.create(guide=guide, version=1, body="# {{ project.name }}\n{{ owners }}")
    entries_rebuild(project_ids=[ledger.pk])
    return {"person": person, "viewer": UserFactory(username="viewer"), "ledger": ledger}


KWARGS = {
    "slug": "ledger",
    "asset_slug": "sdk",
    "username": "zquill",
    "pk": 1,
    "adoption_id": 1,
    "key": "0" * 64,
}
SLUG_OF = {
    "community:badge": "probe",
    "community:guide_detail": "probe-template",
    "community:guide_download": "probe-template",
}
QUERY = {
    "community:guide_detail": "?project=ledger",
    "community:guide_download": "?project=ledger",
    "community:starter_kit": "?project=ledger",
}


def _url(route: str, name: str) -> str:
    kwargs = {key: value for key, value in KWARGS.items() if f":{key}>" in route or f"<{key}>" in route}
    if name in SLUG_OF:
        kwargs["slug"] = SLUG_OF[name]
    return reverse(name, kwargs=kwargs) + QUERY.get(name, "")


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _sent_to_sign_in(response, path: str) -> bool:
    """A redirect to the sign-in page that comes back to `path` afterwards."""
    location = urlsplit(response["Location"]) if response.status_code == 302 else None
    return (
        location is not None
        and location.path == reverse("account_login")
        and parse_qs(location.query).get("next") == [path]
    )


def _page(response) -> str:
    """The page without what differs between any two requests: the CSP nonce and the (masked) CSRF token."""
    return re.sub(r"[A-Za-z0-9_+/=-]{32,}", "(token)", _body(response))


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_a_page_with_people_data_shows_it_to_signed_in_people_only(client, world, name):
    route = next(route for route, n in _routes() if n == name)
    url = _url(route, name)
    anonymous = client.get(url)
    assert MARK not in _body(anonymous), f"{url} shows a person's data to an anonymous visitor"
    if name in SIGN_IN_FIRST:
        assert _sent_to_sign_in(anonymous, url), (anonymous.status_code, anonymous.get("Location"))
    else:
        assert anonymous.status_code == 200
        assert "Sign in to see who" in _body(anonymous)
    # The page does show her to a signed-in colleague: the absence above is not an accident of the data.
    client.force_login(world["viewer"])
    signed_in = client.get(url)
    assert signed_in.status_code == 200
    assert MARK in _body(signed_in)


def test_no_other_page_shows_people_data_to_an_anonymous_visitor(client, world):
    fetched = []
    for route, name in _classified_by_name():
        if name in PUBLIC:
            url = _url(route, name)
            response = client.get(url)
            assert response.status_code < 500, url
            assert MARK not in _body(response), f"{url} ({PUBLIC[name]}) shows a person's data"
            fetched.append(name)
    assert {"portal:home", "catalog:search", "community:badges", "community:guide_detail"} <= set(fetched)


def test_the_project_page_counts_adopters_for_anonymous_visitors_and_names_them_for_colleagues(client, world):
    anonymous = client.get("/catalog/ledger/").content.decode()
    assert "1 active adoption" in anonymous
    assert f"{reverse('account_login')}?next=/catalog/ledger/" in anonymous
    assert "Payments</td>" not in anonymous  # not even the adopting business unit's row
    client.force_login(world["viewer"])
    colleague = client.get("/catalog/ledger/").content.decode()
    assert f"<td>{MARK} Crew</td>" in colleague and f"{MARK} Pay" in colleague


# --- the whole portal sign-in only ----------------------------------------------------------------------


def test_the_portal_is_open_by_default_and_sign_in_only_when_the_environment_says_so():
    assert settings_in_subprocess({}, "settings.PORTAL_SIGN_IN_REQUIRED").stdout.strip() == "False"
    on = settings_in_subprocess({"PORTAL_SIGN_IN_REQUIRED": "true"}, "settings.PORTAL_SIGN_IN_REQUIRED")
    assert on.stdout.strip() == "True", on.stderr


def test_by_default_anonymous_visitors_read_the_catalog(client, world):
    for path in ("/", "/catalog/", "/catalog/ledger/", "/badges/", "/guidelines/", "/rules/"):
        assert client.get(path).status_code == 200, path


SIGN_IN_ONLY_PAGES = [
    "/",
    "/catalog/",
    "/catalog/ledger/",
    "/catalog/ledger/assets/sdk/",
    "/badges/",
    "/guidelines/",
    "/rules/",
    "/catalog/?q=ledger",
]


def test_with_sign_in_required_every_page_sends_an_anonymous_visitor_to_sign_in(client, world, settings):
    settings.PORTAL_SIGN_IN_REQUIRED = True
    for path in SIGN_IN_ONLY_PAGES:
        response = client.get(path)
        assert _sent_to_sign_in(response, path), (path, response.status_code, response.get("Location"))
    client.force_login(world["viewer"])
    for path in SIGN_IN_ONLY_PAGES:
        assert client.get(path).status_code == 200, path


def test_with_sign_in_required_sign_in_probes_webhooks_static_files_and_the_api_still_answer(
    client, world, settings
):
    settings.PORTAL_SIGN_IN_REQUIRED = True
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        assert client.get(path).status_code == 200, path
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    api = client.get("/api/v1/projects/")
    assert api.status_code == 401
    assert api["Content-Type"] == "application/json"
    # The webhook answers for itself: an unsigned delivery is refused by it, not sent to a sign-in page.
    webhook = client.post("/webhooks/github/", data="{}", content_type="application/json")
    assert webhook.status_code in {400, 401, 403}
    assert webhook["Content-Type"] == "application/json"
    # Static files are served before any page logic (whitenoise), sign-in page included.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    static = client.__class__().get("/static/css/portal.css")
    assert static.status_code == 200
    # And signing in works from there, back to where the visitor wanted to go.
    user = world["viewer"]
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    response = client.post(
        "/accounts/login/?next=/catalog/ledger/", {"login": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/catalog/ledger/"


# --- sign-up and password reset do not tell whether an address has an account ---------------------------


def _sign_up(client, email: str):
    client.logout()
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "first_name": "Pat",
            "last_name": "Probe",
            "password1": "a long unusual passphrase",
            "password2": "a long unusual passphrase",
        },
        follow=True,
    )


def test_signing_up_with_a_taken_address_looks_the_same_as_with_a_new_one(client, db):
    taken = UserFactory(username="taken", email="taken@acme.example")
    EmailAddress.objects.update_or_create(
        user=taken, email=taken.email, defaults={"verified": True, "primary": True}
    )
    existing = _sign_up(client, "taken@acme.example")
    new = _sign_up(client, "new@acme.example")
    assert (
        existing.redirect_chain == new.redirect_chain == [(reverse("account_email_verification_sent"), 302)]
    )
    assert existing.status_code == new.status_code == 200
    # Word for word, but for the address the person typed, which the page repeats.
    assert _page(existing).replace("taken@", "(address)@") == _page(new).replace("new@", "(address)@")
    # Nobody was signed in, and the address that has an account got no second one: its owner is told by
    # e-mail, where only they read it.
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.filter(email__iexact="taken@acme.example").count() == 1
    assert {tuple(message.to) for message in mail.outbox} == {("taken@acme.example",), ("new@acme.example",)}


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(client, db):
    known = UserFactory(username="known", email="known@acme.example")
    EmailAddress.objects.update_or_create(
        user=known, email=known.email, defaults={"verified": True, "primary": True}
    )
    answers = [
        client.post(reverse("account_reset_password"), {"email": email}, follow=True)
        for email in ("known@acme.example", "nobody@acme.example")
    ]
    assert (
        answers[0].redirect_chain
        == answers[1].redirect_chain
        == [(reverse("account_reset_password_done"), 302)]
    )
    assert _page(answers[0]) == _page(answers[1])
    assert [message.to for message in mail.outbox] == [["known@acme.example"], ["nobody@acme.example"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body


def test_the_portal_warns_when_sign_up_would_tell_that_an_address_has_an_account(settings):
    from portal.checks import sign_up_hides_accounts

    assert sign_up_hides_accounts() == []
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    (warning,) = sign_up_hides_accounts()
    assert warning.id == "portal.W002"
    assert "Set it to 'mandatory'" in warning.msg
