"""Similar entries by meaning: the selector, the "Before you build this" panel and the API, within what the
viewer may see (tests/embedders.py's WordsEmbedder: texts that share words are near)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import similar_entries
from tests.factories import AssetFactory, BusinessUnitFactory, ProjectFactory, defence_member

pytestmark = pytest.mark.django_db
ANYONE = AnonymousUser()


@pytest.fixture
def catalog():
    payments = BusinessUnitFactory(name="Payments", slug="payments")
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    made = {
        "retry": ProjectFactory(
            name="Retry Kit", description="retry failed http calls with exponential backoff"
        ),
        "resilient": ProjectFactory(
            name="Resilient Client",
            business_unit=payments,
            description="http client that will retry failed calls with backoff and jitter",
        ),
        "again": ProjectFactory(name="Again", description="retry calls with backoff for queues and timers"),
        "tokens": ProjectFactory(name="Design Tokens", description="colour and spacing tokens for web pages"),
        "secret": ProjectFactory(
            name="Quasar Retrier",
            business_unit=defence,
            visibility=Visibility.UNITS,
            description="retry failed http calls with exponential backoff and jitter",
        ),
    }
    made["retry_asset"] = AssetFactory(
        project=made["retry"], name="retry-py", description="retry failed http calls in python"
    )
    entries_rebuild(project_ids=[p.pk for k, p in made.items() if k != "retry_asset"])
    return made


def _names(similar) -> list[str]:
    return [s.entry.name for s in similar]


def test_the_nearest_in_meaning_come_first_with_their_similarity(catalog):
    similar = similar_entries(viewer=ANYONE, project=catalog["retry"])
    names = _names(similar)
    assert names[0] == "Resilient Client"
    assert "Design Tokens" not in names, "an unrelated project is no answer"
    assert [s.similarity for s in similar] == sorted((s.similarity for s in similar), reverse=True)
    assert all(0 < s.similarity <= 1 for s in similar)
    assert similar[0].similarity_words in {"nearly the same", "very close", "close", "related"}


def test_a_project_is_never_similar_to_itself_nor_to_its_own_assets(catalog):
    names = _names(similar_entries(viewer=ANYONE, project=catalog["retry"], limit=20))
    assert "Retry Kit" not in names and "retry-py" not in names


def test_an_asset_is_compared_with_the_others_but_not_with_itself_or_its_project(catalog):
    names = _names(similar_entries(viewer=ANYONE, asset=catalog["retry_asset"], limit=20))
    assert "retry-py" not in names and "Retry Kit" not in names
    assert "Resilient Client" in names


def test_the_limit_bounds_the_list(catalog):
    assert len(similar_entries(viewer=ANYONE, project=catalog["retry"], limit=1)) == 1


def test_a_restricted_project_is_similar_only_for_those_who_see_it(catalog, outsider):
    for viewer in (ANYONE, outsider):
        assert "Quasar Retrier" not in _names(
            similar_entries(viewer=viewer, project=catalog["retry"], limit=20)
        )
    member = defence_member()
    assert "Quasar Retrier" in _names(similar_entries(viewer=member, project=catalog["retry"], limit=20))


def test_a_project_waiting_for_review_is_compared_by_its_text(catalog, starter):
    from catalog.models import ReviewStatus

    pending = ProjectFactory(
        name="Yet Another Retrier", description="retry failed http calls", review_status=ReviewStatus.PENDING
    )
    entries_rebuild(project_ids=[pending.pk])  # not listed: no entry
    names = _names(similar_entries(viewer=starter, project=pending))
    assert names and names[0] in {"Retry Kit", "Resilient Client", "retry-py"}


def test_the_project_and_asset_pages_show_what_to_look_at_before_building(catalog, client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("catalog:project", kwargs={"slug": "retry-kit"})).content.decode()
    assert "Before you build this, look at" in page
    assert 'href="/catalog/resilient-client/"' in page and "Payments" in page
    assert "Quasar" not in page
    asset_page = client.get(
        reverse("catalog:asset", kwargs={"slug": "retry-kit", "asset_slug": "retry-py"})
    ).content.decode()
    assert "Before you build this, look at" in asset_page and "Resilient Client" in asset_page
    assert "Quasar" not in asset_page


def test_the_panel_is_left_out_when_nothing_is_alike(catalog, client):
    page = client.get(reverse("catalog:project", kwargs={"slug": "design-tokens"})).content.decode()
    assert "Before you build this" not in page


def test_the_restricted_project_shows_on_the_page_for_its_unit(catalog, client):
    client.force_login(defence_member())
    page = client.get(reverse("catalog:project", kwargs={"slug": "retry-kit"})).content.decode()
    assert "Quasar Retrier" in page


def test_the_api_lists_similar_entries(catalog, outsider):
    api = APIClient()
    api.force_authenticate(outsider)
    response = api.get("/api/v1/projects/retry-kit/similar/")
    assert response.status_code == 200
    data = response.json()
    assert data[0]["slug"] == "resilient-client" and data[0]["name"] == "Resilient Client"
    assert data[0]["business_unit"] == "payments" and data[0]["kind"] == "project"
    assert data[0]["url"] == "http://testserver/catalog/resilient-client/"
    assert 0 < data[0]["similarity"] <= 1 and data[0]["similarity_words"]
    assert "quasar-retrier" not in {d["slug"] for d in data}
    assert len(api.get("/api/v1/projects/retry-kit/similar/?limit=1").json()) == 1
    assert api.get("/api/v1/projects/retry-kit/similar/?limit=zero").status_code == 400


def test_the_api_answers_404_for_a_project_the_caller_may_not_see(catalog, outsider):
    api = APIClient()
    api.force_authenticate(outsider)
    hidden = api.get("/api/v1/projects/quasar-retrier/similar/")
    missing = api.get("/api/v1/projects/no-such-project/similar/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    api.force_authenticate(defence_member())
    seen = api.get("/api/v1/projects/quasar-retrier/similar/")
    assert seen.status_code == 200 and "retry-kit" in {d["slug"] for d in seen.json()}


def test_the_api_schema_documents_the_route(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/projects/{slug}/similar/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"slug", "limit"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"


def test_a_project_restricted_after_it_was_indexed_is_hidden_before_its_entries_are_rebuilt(
    catalog, outsider
):
    public = catalog["resilient"]
    public.visibility = Visibility.UNITS  # written directly: the index rows still say "company-wide"
    public.save()
    assert "Resilient Client" not in _names(
        similar_entries(viewer=outsider, project=catalog["retry"], limit=20)
    )
