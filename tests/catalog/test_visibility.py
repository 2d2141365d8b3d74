"""A project restricted to named business units never shows to anyone else: not in search, facets,
counts, suggestions, pages, the API, exports or dashboards. Its host unit, the units it is shared with,
its people and the program office see it."""

import datetime
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from rest_framework.test import APIClient

from catalog.interop.export import export_csv, export_json, export_sap
from catalog.models import Language, Project, ProjectRole, Repository, Topic, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import (
    CatalogQuery,
    Registration,
    catalog_search,
    home_highlights,
    project_duplicates,
)
from community.models import Membership
from metrics import reports
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    UserFactory,
    person_in_unit,
)

SECRET = "Nightingale Radar"


@pytest.fixture
def world(db, program_office):
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    partner = BusinessUnitFactory(name="Partner Unit", slug="partner")
    retail = BusinessUnitFactory(name="Retail", slug="retail")
    radar_topic = Topic.objects.create(name="radar")
    shared_topic = Topic.objects.create(name="signals")
    secret = ProjectFactory(
        name=SECRET,
        description="Classified signal processing.",
        business_unit=defence,
        visibility=Visibility.UNITS,
        contributions_wanted="Help with filters",
    )
    secret.visible_units.add(partner)
    secret.topics.add(radar_topic, shared_topic)
    secret.languages.add(Language.objects.create(name="Fortran"))
    Repository.objects.create(project=secret, forge="github", url="https://github.com/acme/nightingale")
    secret_asset = AssetFactory(project=secret, name="Nightingale Filters")
    AdoptionFactory(asset=secret_asset, business_unit=defence)
    public = ProjectFactory(name="Signal Toolkit", business_unit=retail)
    public.topics.add(shared_topic)
    entries_rebuild(project_ids=[secret.pk, public.pk])
    maintainer = person_in_unit("maintainer", retail)
    ProjectRole.objects.create(project=secret, user=maintainer, role=ProjectRole.Role.MAINTAINER)
    return {
        "secret": secret,
        "secret_asset": secret_asset,
        "public": public,
        "outsider": person_in_unit("retail-person", retail),
        "no_unit": person_in_unit("nomad"),
        "host": person_in_unit("defence-person", defence),
        "partner": person_in_unit("partner-person", partner),
        "maintainer": maintainer,
        "office": program_office,
    }


SEES = ["host", "partner", "maintainer", "office"]
BLIND = ["outsider", "no_unit"]


def search_names(user, **query) -> list[str]:
    return [entry.name for entry in catalog_search(query=CatalogQuery(**query), viewer=user).entries]


@pytest.mark.parametrize("who", SEES + BLIND)
def test_search_results_and_facet_counts_show_the_project_only_to_those_who_see_it(world, who):
    user = world[who]
    visible = who in SEES
    assert (SECRET in search_names(user, q="nightingale")) is visible
    assert ("Nightingale Filters" in search_names(user)) is visible
    results = catalog_search(query=CatalogQuery(), viewer=user)
    topics = {f.value: f.count for f in results.facets["topic"]}
    # Entries are counted: the project and its asset (which shares its topics), and the public project.
    assert topics.get("signals") == (3 if visible else 1)
    assert topics.get("radar") == (2 if visible else None)
    assert results.total == (3 if visible else 1)


def test_an_anonymous_visitor_never_finds_it(world):
    assert search_names(AnonymousUser(), q="nightingale") == []
    assert Client().get("/catalog/?q=nightingale").content.decode().count("Nightingale") == 0


def test_typo_corrections_and_suggestions_never_offer_its_words(world):
    results = catalog_search(query=CatalogQuery(q="nightingal"), viewer=world["outsider"])
    assert results.entries == []
    assert "nightingale" not in results.corrected_query
    assert not any("nightingale" in word for word in results.suggestions)


@pytest.mark.parametrize("who", SEES + BLIND)
def test_its_pages_exist_only_for_those_who_see_it(world, who):
    client = Client()
    client.force_login(world[who])
    expected = 200 if who in SEES else 404
    for path in [
        "/catalog/nightingale-radar/",
        "/catalog/nightingale-radar/assets/nightingale-filters/",
        "/catalog/nightingale-radar/community/",
        "/catalog/nightingale-radar/metrics/",
    ]:
        assert client.get(path).status_code == expected, path
    # Writes do not reveal it either: 404, not 403.
    joined = client.post("/catalog/nightingale-radar/community/join/")
    assert joined.status_code == (302 if who in SEES else 404)


@pytest.mark.parametrize("who", SEES + BLIND)
def test_the_api_shows_it_only_to_those_who_see_it(world, who):
    api = APIClient()
    api.force_authenticate(world[who])
    visible = who in SEES
    projects = [p["slug"] for p in api.get("/api/v1/projects/?page_size=100").json()["results"]]
    assert ("nightingale-radar" in projects) is visible
    assert api.get("/api/v1/projects/nightingale-radar/").status_code == (200 if visible else 404)
    assets = [a["slug"] for a in api.get("/api/v1/assets/").json()["results"]]
    assert ("nightingale-filters" in assets) is visible
    adoptions = api.get("/api/v1/adoptions/").json()["count"]
    assert adoptions == (1 if visible else 0)
    search = api.get("/api/v1/search/?q=nightingale").json()
    assert (search["count"] > 0) is visible
    topics = {t["name"]: t["projects"] for t in api.get("/api/v1/topics/").json()["results"]}
    assert topics["signals"] == (2 if visible else 1)
    # A name only restricted projects use is not listed at all to those who do not see them.
    assert topics.get("radar") == (1 if visible else None)
    languages = {lang["name"] for lang in api.get("/api/v1/languages/").json()["results"]}
    assert ("Fortran" in languages) is visible
    metrics = api.get("/api/v1/projects/nightingale-radar/metrics/")
    assert metrics.status_code == (200 if visible else 404)
    adopt = api.post(
        "/api/v1/adoptions/",
        {"asset": world["secret_asset"].pk, "business_unit": "retail", "team": "Curious"},
        format="json",
    )
    assert adopt.status_code == (201 if visible else 400)


def test_exports_leave_it_out(world):
    Repository.objects.create(project=world["public"], forge="github", url="https://github.com/acme/signals")
    for text in (export_sap(), export_json(), export_csv()):
        assert "Nightingale" not in text and "nightingale" not in text
        assert "signal-toolkit" in text or "signals" in text


def test_the_home_page_never_shows_it_and_does_not_count_it(world):
    highlights = home_highlights()
    shown = [
        e.name for key in ("featured", "newest", "most_adopted", "wanting_help") for e in highlights[key]
    ]
    assert not any("Nightingale" in name for name in shown)
    assert highlights["figures"]["projects"] == 1
    assert highlights["figures"]["adoptions"] == 0


def test_the_program_dashboard_counts_it_only_for_those_who_see_it(world):
    start, end = datetime.date(2020, 1, 1), datetime.date.today() + datetime.timedelta(days=1)
    blind = reports.metrics_report(start=start, end=end, viewer=world["outsider"])
    seeing = reports.metrics_report(start=start, end=end, viewer=world["host"])
    everything = reports.metrics_report(start=start, end=end)
    assert blind["reuse_and_collaboration"]["adoptions_active"] == 0
    assert seeing["reuse_and_collaboration"]["adoptions_active"] == 1
    assert everything["reuse_and_collaboration"]["adoptions_active"] == 1


def test_a_profile_does_not_list_it_to_those_who_do_not_see_it(world):
    Membership.objects.create(project=world["secret"], user=world["host"])
    Membership.objects.create(project=world["public"], user=world["host"])
    client = Client()
    client.force_login(world["outsider"])
    page = client.get("/practitioners/defence-person/").content.decode()
    assert "Signal Toolkit" in page and SECRET not in page
    client.force_login(world["partner"])
    assert SECRET in client.get("/practitioners/defence-person/").content.decode()


def test_registering_its_repository_is_refused_without_naming_it(world):
    duplicates = project_duplicates(
        registration=Registration(
            name="Radar thing", repository_urls=["https://github.com/acme/nightingale"]
        ),
        viewer=world["outsider"],
    )
    assert [(d["project"], d["blocking"]) for d in duplicates] == [(None, True)]
    assert "Nightingale" not in duplicates[0]["name"]
    similar = project_duplicates(registration=Registration(name=SECRET), viewer=world["outsider"])
    assert similar == []


def test_an_owner_restricts_a_project_on_its_edit_page_and_it_disappears_for_others(world):
    public = world["public"]
    owner = person_in_unit("owner", None)
    ProjectRole.objects.create(project=public, user=owner, role=ProjectRole.Role.OWNER)
    client = Client()
    client.force_login(owner)
    form = client.get(f"/catalog/{public.slug}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [])}
    data.update(
        {
            "business_unit": public.business_unit_id,
            "lifecycle": public.lifecycle,
            "visibility": Visibility.UNITS,
            "visible_units": [world["host"].practitioner.business_unit_id],
        }
    )
    response = client.post(f"/catalog/{public.slug}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    public.refresh_from_db()
    assert public.visibility == Visibility.UNITS
    assert list(public.visible_units.values_list("slug", flat=True)) == ["defence"]
    assert "Signal Toolkit" not in search_names(world["no_unit"])
    assert "Signal Toolkit" in search_names(world["host"])
    assert Project.objects.visible_to(world["host"]).filter(pk=public.pk).exists()


def test_its_words_leave_the_suggestions_once_it_becomes_restricted(db):
    """The vocabulary only grows: a project that was public, then restricted, left its words in it."""
    retail = BusinessUnitFactory(slug="retail")
    project = ProjectFactory(name="Zanzibar Gateway", slug="zanzibar", business_unit=BusinessUnitFactory())
    entries_rebuild(project_ids=[project.pk])
    outsider = person_in_unit("outsider", retail)
    assert "zanzibar" in catalog_search(query=CatalogQuery(q="zanzibr"), viewer=outsider).corrected_query

    project.visibility = Visibility.UNITS
    project.save()
    entries_rebuild(project_ids=[project.pk])

    for q in ("zanzibr", "zanzibar gatewy"):
        results = catalog_search(query=CatalogQuery(q=q), viewer=outsider)
        assert results.entries == []
        assert "zanzibar" not in results.corrected_query
        assert not any("zanzibar" in word for word in results.suggestions)
    host = person_in_unit("host", project.business_unit)
    assert "zanzibar" in catalog_search(query=CatalogQuery(q="zanzibr"), viewer=host).corrected_query


def test_the_look_alike_check_never_names_a_pending_registration_to_others(db, client):
    starter = UserFactory(username="first-starter")
    pending = ProjectFactory(name="Quokka Payments Hub", slug="quokka", review_status="pending")
    ProjectRole.objects.create(project=pending, user=starter, role=ProjectRole.Role.OWNER)
    second = person_in_unit("second-starter", None)
    for viewer in (AnonymousUser(), second):
        assert project_duplicates(registration=Registration(name="Quokka Payments Hub"), viewer=viewer) == []
    client.force_login(second)
    page = client.get("/catalog/register/duplicates/", {"name": "Quokka Payments Hub"})
    assert "Quokka" not in page.content.decode()
    # Its own starter is shown their registration, as is the program office.
    own = project_duplicates(registration=Registration(name="Quokka Payments Hub"), viewer=starter)
    assert [d["name"] for d in own] == ["Quokka Payments Hub"]


def test_a_registration_whose_name_a_hidden_project_holds_does_not_learn_of_it(world):
    from catalog.services import unique_slug

    slugs = {unique_slug(name=SECRET) for _ in range(5)}
    # Not "nightingale-radar-2": a suffix that counts would say a project of that name exists, and how many.
    assert all(slug.startswith("nightingale-radar-") and not slug.endswith("-2") for slug in slugs)
    assert len(slugs) > 1


def test_the_usage_beacon_answers_a_hidden_project_as_a_missing_one(world):
    client = Client()
    client.force_login(world["outsider"])

    def click(slug):
        body = json.dumps({"kind": "contribute_click", "project": slug})
        return client.post("/usage/beacon/", body, content_type="text/plain")

    hidden, missing = click("nightingale-radar"), click("no-such-project")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())
    seeing = Client()
    seeing.force_login(world["host"])
    assert seeing.post(
        "/usage/beacon/", json.dumps({"kind": "contribute_click", "project": "nightingale-radar"}),
        content_type="text/plain",
    ).status_code == 204  # fmt: skip


def test_creating_an_asset_in_a_hidden_project_is_answered_as_for_a_missing_one(world):
    api = APIClient()
    api.force_authenticate(world["outsider"])

    def create(slug):
        body = {"project": slug, "name": "X", "kind": "library", "description": "d"}
        return api.post("/api/v1/assets/", body, format="json")

    hidden, missing = create("nightingale-radar"), create("no-such-project")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
