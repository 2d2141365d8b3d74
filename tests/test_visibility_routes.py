"""A restricted project never shows to anyone outside its business units, on any route: this walks the URL
resolver, so that a route added later is covered without anyone remembering to add it here.

Every route is fetched as anonymous, as an outsider, as a person who claims the host unit on their own
profile, as a member of the host unit, and as the program office, with its path parameters naming the
restricted project (or its asset, adoption, membership, trusted committer, topic, language) and with
`?project=` and `?asset=` naming them too. For those who may not see the project:
- no response carries anything of it (name, description, motivation, asset, repository, topic, language,
  inside zip files too);
- a route that names it in its path answers exactly as it answers for something that does not exist
  (no existence oracle), to reads and to writes, and changes nothing.
For those who see it, the same route answers as it does for a company-wide project, and the project page
shows it: the walk reaches the project, it is not vacuous.

A route parameter this file does not know fails the walk: say in PARAMETERS what it names.
"""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Language, Notification, ProjectRole, Repository, Topic, Visibility
from catalog.search_index import entries_rebuild
from catalog.services import detected_adoptions_update
from community.models import Badge, Guide, GuideVersion, Membership
from metrics.manifests import Dependency
from portal.services import api_token_create
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    person_in_unit,
)
from tests.test_write_permissions import _patterns, accepts_post

SECRET = {
    "name": "Quasar Vault",
    "slug": "restricted-one",
    "description": "Zyxwv classified ledger of the acquisition.",
    "motivation": "Qwertz motivation nobody else may read.",
    "asset": "Quasar Keyring",
    "asset_slug": "restricted-asset",
    "repository": "https://github.com/acme/quasar-vault-repo",
    "topic": "zetatopic",
    "language": "Etalang",
    "readme": "# Quasar Vault\n\nThe vorpalreadme runbook, see [setup](docs/setup.md).\n",
}
# What the outsiders must never read: words only the restricted project uses. (Its slugs are plain words,
# so that a page that repeats the URL asked for does not count; a marker that is in the URL asked for,
# such as a topic's name, is not looked for in that answer.)
MARKERS = ["quasar", "zyxwv", "qwertz", "zetatopic", "etalang", "vorpalreadme"]
MISSING_SLUG = "no-such-project-here"
MISSING_ID = 987_654

WHO = ["anonymous", "outsider", "claimant", "unit_member", "program_office"]
BLIND = {"anonymous", "outsider", "claimant"}

# Routes left out of the walk, and why.
EXCLUDED = {
    "admin/": "Django's admin: staff only; the program office sees everything there by design",
    "accounts/": "allauth's sign-in, sign-up and e-mail pages: they name no project",
    "^media/": "uploaded files, served in DEBUG only",
    "api/v1/^[\\s\\S]*$": "the API's JSON 404 for every unknown path",
    "webhooks/": "forge deliveries: refused unsigned before anything is read (tests/metrics/test_*_webhooks.py)",
}


# (route name, parameter) → which object of the world it names. "project", "asset", ... are the
# restricted project's (and have a public and a missing twin); the others are ordinary values.
PARAMETERS = {
    "slug": {
        "catalog:*": "project",
        "metrics:project_dashboard": "project",
        "api:project-*": "project",
        "api:project_metrics": "project",
        "community:members": "project",
        "community:join": "project",
        "community:leave": "project",
        "community:trusted_committer_*": "project",
        "api:business-unit-detail": "unit",
        "api:badge-detail": "badge",
        "community:badge": "badge",
        "api:guideline-detail": "guide",
        "community:guide_*": "guide",
    },
    "asset_slug": {"catalog:*": "asset"},
    "adoption_id": {"catalog:adoption_end": "adoption_id"},
    "pk": {
        "api:asset-detail": "asset_id",
        "api:adoption-detail": "adoption_id",
        "api:adoption-end": "adoption_id",
        "api:membership-detail": "membership_id",
        "api:trusted-committer-detail": "committer_id",
        "portal:api_token_revoke": "token",
        "portal:notification_open": "notification",
    },
    "name": {"api:topic-detail": "topic", "api:language-detail": "language"},
    "username": {"*": "username"},
    "key": {"catalog:duplicates_*": "cluster", "api:duplicates_*": "cluster"},
}
# The parameter values that name the restricted project or something of it: compared with a missing twin.
SECRET_KINDS = {
    "project",
    "asset",
    "asset_id",
    "adoption_id",
    "membership_id",
    "committer_id",
    "topic",
    "language",
}


def _kind(name: str, parameter: str) -> str:
    for pattern, kind in PARAMETERS.get(parameter, {}).items():
        if pattern == name or pattern == "*" or (pattern.endswith("*") and name.startswith(pattern[:-1])):
            return kind
    raise AssertionError(f"{name} takes <{parameter}>: say in PARAMETERS what it names")


@pytest.fixture
def world(db):
    host = BusinessUnitFactory(name="Risk & Compliance", slug="risk")
    other = BusinessUnitFactory(name="Retail", slug="retail")
    topic, public_topic = Topic.objects.create(name=SECRET["topic"]), Topic.objects.create(name="ledgers")
    language = Language.objects.create(name=SECRET["language"])
    public_language = Language.objects.create(name="Python")

    def project(name, slug, **fields):
        made = ProjectFactory(name=name, slug=slug, business_unit=host, contributions_wanted="Help", **fields)
        asset = AssetFactory(project=made, name=f"{name} Keyring", slug=f"{slug}-keyring")
        adoption = AdoptionFactory(asset=asset, business_unit=host, team=f"{name} team")
        return made, asset, adoption

    secret, asset, adoption = project(
        SECRET["name"],
        SECRET["slug"],
        description=SECRET["description"],
        motivation=SECRET["motivation"],
        visibility=Visibility.UNITS,
    )
    asset.name, asset.slug = SECRET["asset"], SECRET["asset_slug"]
    asset.save()
    secret.topics.add(topic)
    secret.languages.add(language)
    secret_repository = Repository.objects.create(
        project=secret,
        forge="github",
        url=SECRET["repository"],
        default_branch="main",
        last_synced_at=timezone.now(),
        readme_path="README.md",
        readme_sha="b" * 40,
        readme_text=SECRET["readme"],
    )
    public, public_asset, public_adoption = project("Open Ledger", "open-ledger")
    public.topics.add(public_topic)
    public.languages.add(public_language)
    # The restricted project's code uses the public asset: an adoption found in code, whose consumer
    # (name, repository, manifest) must not show where the public asset is listed.
    public_asset.package_url = "pkg:pypi/open-ledger-keyring"
    public_asset.save()
    detected_adoptions_update(
        repository=secret_repository,
        dependencies=[Dependency("pkg:pypi/open-ledger-keyring", "1.2.0", "quasar/requirements.txt", 3)],
    )

    def person(username, unit=None):
        return person_in_unit(username, unit, display_name=username.title())

    maintainer = person("maintainer", other)
    committer = person("committer", other)
    ids = {}
    for name, made in (("secret", secret), ("public", public)):
        ProjectRole.objects.create(project=made, user=maintainer, role=ProjectRole.Role.MAINTAINER)
        role = ProjectRole.objects.create(
            project=made, user=committer, role=ProjectRole.Role.TRUSTED_COMMITTER
        )
        membership = Membership.objects.create(project=made, user=committer)
        ids[name] = {"committer_id": role.pk, "membership_id": membership.pk}
    entries_rebuild(project_ids=[secret.pk, public.pk])

    users = {
        "anonymous": None,
        "outsider": person("outsider", other),
        "claimant": person("claimant"),
        "unit_member": person("unit-member", host),
        "program_office": person("office"),
    }
    users["program_office"].groups.add(Group.objects.get(name=settings.PROGRAM_OFFICE_GROUP))
    _claim_unit_on_profile(users["claimant"], host)

    guide = Guide.objects.create(
        slug="readme-template", title="README", kind=Guide.Kind.TEMPLATE, summary="s", filename="README.md",
        in_starter_kit=True,
    )  # fmt: skip
    GuideVersion.objects.create(
        guide=guide,
        version=1,
        body="# {{ project.name }}\n\n{{ project.description }}\n{{ project.motivation }}",
    )
    badge = Badge.objects.create(
        slug="probe", name="Probe", description="A probe.", tier="bronze", rule="mentor"
    )
    return {
        "users": users,
        "values": {
            "secret": {
                "project": secret.slug,
                "asset": asset.slug,
                "asset_id": asset.pk,
                "adoption_id": adoption.pk,
                "topic": topic.name,
                "language": language.name,
                **ids["secret"],
            },
            "public": {
                "project": public.slug,
                "asset": public_asset.slug,
                "asset_id": public_asset.pk,
                "adoption_id": public_adoption.pk,
                "topic": public_topic.name,
                "language": public_language.name,
                **ids["public"],
            },
            "missing": {
                "project": MISSING_SLUG,
                "asset": MISSING_SLUG,
                "topic": "nosuchtopic",
                "language": "Nosuchlang",
                **dict.fromkeys(("asset_id", "adoption_id", "membership_id", "committer_id"), MISSING_ID),
            },
            "ordinary": {
                "unit": host.slug,
                "badge": badge.slug,
                "guide": guide.slug,
                "username": "committer",
                "cluster": "0" * 64,
            },
        },
    }


def _claim_unit_on_profile(user, unit) -> None:
    """What a brand-new account can do: pick a business unit on its own profile page."""
    client = Client()
    client.force_login(user)
    form = client.get(reverse("community:profile_edit")).context["form"]
    data = {key: value for key, value in form.initial.items() if value not in (None, [])}
    for field in ("business_unit", "requested_business_unit"):
        if field in form.fields:
            data[field] = unit.pk
    client.post(reverse("community:profile_edit"), data)


def _routes():
    for route, name, callback in _patterns():
        if route.startswith(tuple(EXCLUDED)) or route in EXCLUDED:
            continue
        yield route, name, callback


def _parameters(route: str, name: str) -> dict[str, str]:
    names = []
    for part in route.replace("(?P<", "<").split("<")[1:]:
        names.append(part.split(">")[0].split(":")[-1])
    return {parameter: _kind(name, parameter) for parameter in names}


def _url(name: str, kinds: dict[str, str], values: dict, twin: str) -> str:
    kwargs = {}
    for parameter, kind in kinds.items():
        source = values[twin] if kind in SECRET_KINDS else values["ordinary"]
        kwargs[parameter] = source[kind]
    return reverse(name, kwargs=kwargs)


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(item).decode("utf-8", "replace") for item in archive.namelist())
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _query(values: dict) -> str:
    return f"?project={values['project']}&asset={values['asset_id']}"


def _own_things(world, user) -> None:
    """Routes that name the viewer's own token or notification get the viewer's own."""
    ordinary = world["values"]["ordinary"]
    if user is None:
        ordinary["token"] = ordinary["notification"] = MISSING_ID
        return
    ordinary["token"] = api_token_create(user=user, name="walk")[0].pk
    ordinary["notification"] = Notification.objects.create(user=user, message="Hello", url="/").pk


def test_every_route_parameter_is_known():
    unknown = []
    for route, name, _callback in _routes():
        try:
            _parameters(route, name)
        except AssertionError as error:
            unknown.append(str(error))
    assert not unknown, unknown


@pytest.mark.parametrize("who", WHO)
def test_no_route_shows_a_restricted_project_to_those_outside_its_units(world, who):
    user = world["users"][who]
    client = _client(user)
    values = world["values"]
    _own_things(world, user)
    leaks, oracles, walked = [], [], 0
    for route, name, _callback in _routes():
        if name is None:
            continue
        kinds = _parameters(route, name)
        names_secret = any(kind in SECRET_KINDS for kind in kinds.values())
        secret_url = _url(name, kinds, values, "secret")
        response = client.get(secret_url + _query(values["secret"]))
        walked += 1
        if who in BLIND:
            text = _text(response).lower()
            asked = (secret_url + _query(values["secret"])).lower()
            found = [marker for marker in MARKERS if marker in text and marker not in asked]
            if found:
                leaks.append(f"GET {secret_url}: {found}")
            if names_secret:
                missing = client.get(_url(name, kinds, values, "missing") + _query(values["secret"]))
                if response.status_code != missing.status_code:
                    oracles.append(f"GET {secret_url}: {response.status_code}, missing {missing.status_code}")
            # The public twin's pages (and lists filtered to it) must not tell of the restricted project
            # either: what uses the public asset, what is similar to it, ...
            public_url = _url(name, kinds, values, "public") + _query(values["public"])
            found = [marker for marker in MARKERS if marker in _text(client.get(public_url)).lower()]
            if found:
                leaks.append(f"GET {public_url}: {found}")
        elif names_secret:
            public = client.get(_url(name, kinds, values, "public"))
            if response.status_code != public.status_code:
                oracles.append(f"GET {secret_url}: {response.status_code}, public twin {public.status_code}")
    assert walked > 60
    assert not leaks, f"{who} reads the restricted project: {leaks}"
    assert not oracles, f"{who} tells the restricted project from a missing (or public) one: {oracles}"


@pytest.mark.parametrize("who", sorted(BLIND))
def test_no_write_to_a_restricted_project_tells_it_exists_or_changes_it(world, who):
    user = world["users"][who]
    client = _client(user)
    values = world["values"]
    _own_things(world, user)
    oracles = []
    for route, name, callback in _routes():
        if name is None or not (accepts_post(callback) or name.startswith("api:")):
            continue
        kinds = _parameters(route, name)
        if not any(kind in SECRET_KINDS for kind in kinds.values()):
            continue
        before = _state()
        secret = client.post(_url(name, kinds, values, "secret"), {"confirm": "yes", "decision": "approve"})
        assert _state() == before, f"POST {name} by {who} changed something"
        missing = client.post(_url(name, kinds, values, "missing"), {"confirm": "yes", "decision": "approve"})
        if secret.status_code != missing.status_code:
            oracles.append(f"POST {name}: {secret.status_code}, missing {missing.status_code}")
    assert not oracles, oracles


def _state() -> str:
    from catalog.models import Adoption, Project

    return json.dumps(
        [
            sorted(map(str, Project.objects.values_list("slug", "review_status", "featured", "lifecycle"))),
            sorted(map(str, ProjectRole.objects.values_list("project", "user", "role"))),
            sorted(map(str, Membership.objects.values_list("project", "user", "left_at"))),
            Adoption.objects.count(),
        ]
    )


@pytest.mark.parametrize("who", ["unit_member", "program_office"])
def test_those_who_see_it_find_it_on_its_pages_and_in_the_starter_kit(world, who):
    client = _client(world["users"][who])
    page = client.get(reverse("catalog:project", kwargs={"slug": SECRET["slug"]}))
    assert page.status_code == 200 and SECRET["name"] in page.content.decode()
    assert "vorpalreadme" in page.content.decode(), "its README shows where its page shows"
    kit = client.get(reverse("community:starter_kit") + f"?project={SECRET['slug']}")
    assert kit.status_code == 200 and SECRET["description"] in _text(kit)
    found = client.get("/api/v1/search/?q=quasar").json()
    assert found["count"] >= 1
