"""The catalog's API: reads for signed-in people, writes with the pages' permissions, one error shape."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from rest_framework.test import APIClient

from catalog.models.assets import Adoption, Asset
from catalog.models.notifications import Notification
from catalog.models.projects import (
    Lifecycle,
    Project,
    ProjectChange,
    ProjectRole,
    ReviewStatus,
    Topic,
)
from catalog.models.repositories import Repository
from catalog.search_index import entries_rebuild, entries_rebuild_all
from catalog.selectors import CatalogQuery, catalog_search
from community.models import Membership
from tests.factories import (
    AdoptionFactory,
    AssetFactory,
    ProjectFactory,
    UserFactory,
    make_owner,
    toolkit_and_ledger,
)

ANYONE = AnonymousUser()  # a signed-out visitor: company-wide projects only


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def catalog(db):
    made = toolkit_and_ledger()
    toolkit, ledger, data = made["toolkit"], made["ledger"], made["data"]
    sdk = AssetFactory(project=ledger, name="Ledger SDK")
    AdoptionFactory(asset=sdk, business_unit=data)
    pending = ProjectFactory(name="Secret Plans", review_status=ReviewStatus.PENDING)
    entries_rebuild(project_ids=[toolkit.pk, ledger.pk, pending.pk])
    return {"toolkit": toolkit, "ledger": ledger, "sdk": sdk, "pending": pending, "data": data}


def test_an_anonymous_caller_gets_401_in_json(catalog):
    response = client_for().get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_list_shows_listed_projects_and_to_an_owner_their_own_pending_one(catalog, outsider, starter):
    assert slugs(client_for(outsider).get("/api/v1/projects/")) == [
        "kafka-connect-toolkit",
        "payments-ledger",
    ]
    make_owner(catalog["pending"], starter)
    assert "secret-plans" in slugs(client_for(starter).get("/api/v1/projects/"))
    assert client_for(outsider).get("/api/v1/projects/secret-plans/").status_code == 404


def test_the_program_office_filters_by_review_status(catalog, program_office):
    response = client_for(program_office).get("/api/v1/projects/?review_status=pending")
    assert slugs(response) == ["secret-plans"]


def test_filters_and_ordering_match_the_catalog_pages(catalog, outsider):
    api = client_for(outsider)
    assert slugs(api.get("/api/v1/projects/?topic=kafka&topic=nothing")) == ["kafka-connect-toolkit"]
    assert slugs(api.get("/api/v1/projects/?language=Python")) == ["payments-ledger"]
    assert slugs(api.get("/api/v1/projects/?business_unit=payments")) == ["payments-ledger"]
    assert slugs(api.get("/api/v1/projects/?wants_contributions=true")) == ["kafka-connect-toolkit"]
    assert slugs(api.get("/api/v1/projects/?ordering=-activity_score")) == [
        "payments-ledger",
        "kafka-connect-toolkit",
    ]
    assert slugs(api.get("/api/v1/projects/?q=ledger")) == ["payments-ledger"]


def test_a_bad_filter_value_is_a_400_naming_the_parameter(catalog, outsider):
    response = client_for(outsider).get("/api/v1/projects/?lifecycle=eternal")
    assert response.status_code == 400
    assert response.json()["field"] == "lifecycle"


def test_the_page_size_is_bounded(db, outsider):
    ProjectFactory.create_batch(105)
    body = client_for(outsider).get("/api/v1/projects/?page_size=1000").json()
    assert body["count"] == 105
    assert len(body["results"]) == 100


@pytest.mark.parametrize("size", [3, 30])
def test_listing_projects_costs_the_same_queries_whatever_the_page_size(
    db, outsider, size, django_assert_max_num_queries
):
    for project in ProjectFactory.create_batch(size):
        project.topics.add(Topic.objects.get_or_create(name="kafka")[0])
        Repository.objects.create(
            project=project, forge="github", url=f"https://github.com/acme/{project.slug}"
        )
        make_owner(project, UserFactory())
    api = client_for(outsider)
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/projects/?page_size=50")
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [3, 30])
def test_listing_assets_costs_the_same_queries_whatever_the_page_size(
    db, outsider, size, django_assert_max_num_queries
):
    for asset in AssetFactory.create_batch(size):
        AdoptionFactory(asset=asset)
    api = client_for(outsider)
    # 7, and 2 for the page's build efforts (catalog.effort.assets_effort: repositories, assets per project).
    with django_assert_max_num_queries(9):
        response = api.get("/api/v1/assets/?page_size=50")
    body = response.json()["results"]
    assert len(body) == size
    assert {item["adoptions"] for item in body} == {1}


def test_registering_through_the_api_waits_for_review_and_tells_the_program_office(
    catalog, starter, program_office
):
    response = client_for(starter).post(
        "/api/v1/projects/",
        {
            "name": "Event Schemas",
            "description": "Shared schemas for our events.",
            "business_unit": "payments",
            "topics": ["events", "avro"],
            "repository_urls": ["https://github.com/acme/event-schemas"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["review_status"] == "pending"
    assert body["owners"] == ["starter"]
    assert sorted(body["topics"]) == ["avro", "events"]
    assert Notification.objects.filter(user=program_office, message__contains="Event Schemas").exists()


def test_a_registration_error_names_the_field(catalog, starter):
    response = client_for(starter).post("/api/v1/projects/", {"description": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] in {"name", "business_unit"}
    assert body["error"].startswith(body["field"])
    assert set(body["errors"]) == {"name", "business_unit"}


def test_a_registration_starts_with_the_lifecycle_of_a_project_in_use_and_an_edit_may_change_it(
    catalog, starter
):
    api = client_for(starter)
    fields = {"name": "Old Ledger", "description": "A ledger on its way out.", "business_unit": "payments"}
    # A ledger may do Payments Ledger's job (registration_check, by meaning): the starter says it does not.
    fields["not_a_duplicate"] = True
    refused = api.post("/api/v1/projects/", {**fields, "lifecycle": "deprecated"}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "lifecycle"
    assert "proposed, incubating, active, maintained" in refused.json()["error"]
    assert not Project.objects.filter(name="Old Ledger").exists()

    created = api.post("/api/v1/projects/", {**fields, "lifecycle": "maintained"}, format="json")
    assert created.status_code == 201
    slug = created.json()["slug"]
    edited = api.patch(f"/api/v1/projects/{slug}/", {"lifecycle": "deprecated"}, format="json")
    assert edited.status_code == 200 and edited.json()["lifecycle"] == "deprecated"


def test_a_repository_registered_elsewhere_is_refused(catalog, starter):
    Repository.objects.create(project=catalog["ledger"], forge="github", url="https://github.com/acme/ledger")
    response = client_for(starter).post(
        "/api/v1/projects/",
        {
            "name": "My Ledger",
            "description": "Mine.",
            "business_unit": "payments",
            "repository_urls": ["https://github.com/acme/ledger/"],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "repository_urls"
    assert "Payments Ledger" in response.json()["error"]
    assert not Project.objects.filter(name="My Ledger").exists()


def test_a_very_similar_name_must_be_confirmed(catalog, starter):
    payload = {"name": "Payments Ledgers", "description": "Another one.", "business_unit": "payments"}
    refused = client_for(starter).post("/api/v1/projects/", payload, format="json")
    assert refused.status_code == 400
    assert refused.json()["field"] == "not_a_duplicate"
    confirmed = client_for(starter).post(
        "/api/v1/projects/", {**payload, "not_a_duplicate": True}, format="json"
    )
    assert confirmed.status_code == 201


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe"],
    ids=["malformed", "a list", "a string", "not utf-8"],
)
def test_a_malformed_body_gets_a_json_400(catalog, starter, body):
    response = client_for(starter).post("/api/v1/projects/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]


def test_an_unknown_api_path_is_a_json_404(catalog, starter):
    response = client_for(starter).post("/api/v1/nothing/here/", {}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]


def test_a_partial_edit_changes_only_what_was_sent(catalog, program_office):
    ledger = catalog["ledger"]
    ledger.topics.add(Topic.objects.get(name="kafka"))
    response = client_for(program_office).patch(
        "/api/v1/projects/payments-ledger/", {"description": "Now with events."}, format="json"
    )
    assert response.status_code == 200, response.json()
    ledger.refresh_from_db()
    assert ledger.description == "Now with events."
    assert ledger.name == "Payments Ledger"
    assert [t.name for t in ledger.topics.all()] == ["kafka"]
    assert [lang.name for lang in ledger.languages.all()] == ["Python"]


def test_the_search_endpoint_ranks_filters_and_counts_facets_like_the_page(catalog, outsider):
    body = client_for(outsider).get("/api/v1/search/?q=ledger").json()
    page = catalog_search(viewer=ANYONE, query=CatalogQuery(q="ledger"))
    assert [r["slug"] for r in body["results"]] == [entry.slug for entry in page.entries]
    assert sorted(r["slug"] for r in body["results"]) == ["ledger-sdk", "payments-ledger"]
    # A selective search (in the embedded mode, any search) counts exactly.
    assert body["count"] == 2
    assert body["total_is_estimate"] is False and body["facet_counts_are_estimates"] is False
    assert {r["type"] for r in body["results"]} == {"project", "asset"}
    kinds = {facet["value"]: facet["count"] for facet in body["facets"]["kind"]}
    assert kinds == {"project": 1, "library": 1}
    narrowed = client_for(outsider).get("/api/v1/search/?q=ledger&kind=library").json()
    assert [r["slug"] for r in narrowed["results"]] == ["ledger-sdk"]
    assert narrowed["results"][0]["project"] == "payments-ledger"


def test_the_search_endpoint_leaves_out_archived_and_deprecated_entries_unless_asked_like_the_page(
    catalog, outsider
):
    old = ProjectFactory(name="Old Ledger", lifecycle=Lifecycle.ARCHIVED)
    AssetFactory(project=old, name="Old Ledger Export")
    entries_rebuild(project_ids=[old.pk])
    api = client_for(outsider)

    body = api.get("/api/v1/search/?q=ledger").json()
    assert sorted(r["slug"] for r in body["results"]) == ["ledger-sdk", "payments-ledger"]
    assert body["count"] == 2
    assert {f["value"] for f in body["facets"]["lifecycle"]} == {"active"}
    # The facet says how many the default leaves out, as the page's "show them" link does.
    assert body["facets"]["include_retired"] == [
        {"value": "1", "label": "Include archived and deprecated", "count": 2, "selected": False}
    ]

    body = api.get("/api/v1/search/?q=ledger&include_retired=true").json()
    assert sorted(r["slug"] for r in body["results"]) == [
        "ledger-sdk",
        "old-ledger",
        "old-ledger-export",
        "payments-ledger",
    ]
    assert body["count"] == 4
    assert {f["value"]: f["count"] for f in body["facets"]["lifecycle"]} == {"active": 2, "archived": 2}
    assert body["facets"]["include_retired"][0]["selected"] is True
    page = catalog_search(viewer=ANYONE, query=CatalogQuery(q="ledger", include_retired=True))
    assert [r["slug"] for r in body["results"]] == [entry.slug for entry in page.entries]

    named = api.get("/api/v1/search/?lifecycle=archived").json()
    assert sorted(r["slug"] for r in named["results"]) == ["old-ledger", "old-ledger-export"]


def test_a_typo_in_an_api_search_is_corrected(catalog, outsider):
    body = client_for(outsider).get("/api/v1/search/?q=ledgr").json()
    assert body["corrected_query"] == "ledger"
    assert body["count"] >= 1


def test_adopting_records_the_team_and_refuses_unlisted_projects(catalog, outsider):
    api = client_for(outsider)
    response = api.post(
        "/api/v1/adoptions/",
        {"asset": catalog["sdk"].pk, "business_unit": "data-platform", "team": "Checkout"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["project"] == "payments-ledger"
    assert Adoption.objects.filter(team="Checkout", created_by=outsider).exists()
    hidden = AssetFactory(project=catalog["pending"])
    refused = api.post(
        "/api/v1/adoptions/",
        {"asset": hidden.pk, "business_unit": "data-platform", "team": "X"},
        format="json",
    )
    missing = api.post(
        "/api/v1/adoptions/",
        {"asset": hidden.pk + 1000, "business_unit": "data-platform", "team": "X"},
        format="json",
    )
    # An asset one does not see is answered exactly as one that does not exist: no existence oracle.
    assert refused.status_code == missing.status_code == 400
    assert refused.json() == missing.json()
    assert not Adoption.objects.filter(team="X").exists()


def test_topics_count_listed_projects_only(catalog, outsider):
    catalog["pending"].topics.add(Topic.objects.get(name="kafka"))
    body = client_for(outsider).get("/api/v1/topics/").json()
    assert body["results"] == [{"name": "kafka", "projects": 1}]


# --- who may write: one table ---------------------------------------------------------------------------

ROLES = ["anonymous", "outsider", "member", "trusted_committer", "maintainer", "owner", "program_office"]


@pytest.fixture
def people(catalog, program_office):
    ledger = catalog["ledger"]

    def person(name, role=None):
        user = UserFactory(username=name)
        if role:
            ProjectRole.objects.create(project=ledger, user=user, role=role)
        return user

    member = person("member")
    Membership.objects.create(project=ledger, user=member)
    # Recorded by the member: the recorder, the asset's editors and the program office may end it.
    AdoptionFactory(asset=catalog["sdk"], team="Recorded team", created_by=member)
    return {
        "anonymous": None,
        "outsider": person("someone"),
        "member": member,
        "trusted_committer": person("committer", ProjectRole.Role.TRUSTED_COMMITTER),
        "maintainer": person("maintainer", ProjectRole.Role.MAINTAINER),
        "owner": person("owner", ProjectRole.Role.OWNER),
        "program_office": program_office,
    }


def _state() -> str:
    """Everything the writes below could change, to prove that a refused write changed nothing."""
    projects = list(Project.objects.order_by("pk").values("name", "description", "featured", "review_status"))
    assets = list(Asset.objects.order_by("pk").values("name", "description"))
    adoptions = list(Adoption.objects.order_by("pk").values("team", "ended_on"))
    return json.dumps([projects, assets, adoptions, ProjectChange.objects.count()], default=str)


EDITORS = {"maintainer", "owner", "program_office"}
SIGNED_IN = set(ROLES) - {"anonymous"}
WRITES = [
    # (name, method, path, body, who may); a pending project is invisible (404) to those who may not review
    ("edit the project", "patch", "/api/v1/projects/payments-ledger/", {"description": "Changed."}, EDITORS),
    (
        "add an asset",
        "post",
        "/api/v1/assets/",
        {"project": "payments-ledger", "name": "Ledger CLI", "kind": "tool", "description": "A CLI."},
        EDITORS,
    ),
    ("edit an asset", "patch", "/api/v1/assets/{sdk}/", {"description": "Changed."}, EDITORS),
    (
        "review the project",
        "post",
        "/api/v1/projects/secret-plans/review/",
        {"decision": "approve"},
        {"program_office"},
    ),
    (
        "feature the project",
        "post",
        "/api/v1/projects/payments-ledger/curate/",
        {"featured": True},
        {"program_office"},
    ),
    (
        "adopt an asset",
        "post",
        "/api/v1/adoptions/",
        {"asset": "{sdk}", "business_unit": "payments", "team": "T"},
        SIGNED_IN,
    ),
    ("end an adoption", "post", "/api/v1/adoptions/{adoption}/end/", {}, EDITORS | {"member"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
def test_every_write_is_allowed_exactly_to_the_people_the_pages_allow(people, catalog, role, write):
    _name, method, path, body, allowed = write
    sdk = str(catalog["sdk"].pk)
    adoption = str(Adoption.objects.get(team="Recorded team").pk)
    path = path.replace("{sdk}", sdk).replace("{adoption}", adoption)
    body = {k: (int(sdk) if v == "{sdk}" else v) for k, v in body.items()}
    before = _state()
    response = getattr(client_for(people[role]), method)(path, body, format="json")
    if role in allowed:
        assert response.status_code in {200, 201}, response.json()
        assert _state() != before
    else:
        hidden = "secret-plans" in path
        assert response.status_code == (401 if role == "anonymous" else 404 if hidden else 403), (
            response.json()
        )
        assert response.json()["error"]
        assert _state() == before


@pytest.mark.parametrize("value", ["abc", "0", "-5", ""])
def test_a_page_size_that_is_not_a_whole_number_is_a_400(db, outsider, value):
    response = client_for(outsider).get(f"/api/v1/projects/?page_size={value}")
    assert response.status_code == 400
    assert response.json()["field"] == "page_size"


def test_a_deeply_nested_body_gets_a_json_400_not_a_500(catalog, starter):
    body = '{"name": "Deep", "topics": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = client_for(starter).post("/api/v1/projects/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"] == "The JSON is nested deeper than 64 levels."
    assert not Project.objects.filter(name="Deep").exists()


def test_a_body_larger_than_the_upload_limit_gets_a_json_413(catalog, starter, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"name": "Big", "description": "x" * 2_000, "business_unit": "payments"})

    response = client_for(starter).post("/api/v1/projects/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["error"] == "The body is larger than 1000 bytes."
    assert not Project.objects.filter(name="Big").exists()


@pytest.mark.parametrize("path", ["/api/v1/projects/", "/api/v1/search/"])
def test_every_list_and_the_search_take_the_same_page_sizes(db, outsider, path):
    ProjectFactory.create_batch(3)
    entries_rebuild_all()
    api = client_for(outsider)

    assert len(api.get(f"{path}?page_size=2").json()["results"]) == 2
    assert api.get(f"{path}?page_size=1000").status_code == 200  # capped at 100, not refused
    for wrong in ("0", "-1", "two"):
        response = api.get(f"{path}?page_size={wrong}")
        assert response.status_code == 400 and response.json()["field"] == "page_size", (path, wrong)
