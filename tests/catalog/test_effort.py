"""An asset's build effort (catalog.effort): estimated from its project's code, or set by whoever may edit the
project, with a reason, on the asset form and through the API; every change in the project's audit trail."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Asset, ProjectChange, ProjectRole
from tests.factories import AssetFactory, ProjectFactory, RepositoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sdk():
    project = ProjectFactory(name="Payments Ledger", slug="ledger")
    # 5,000 lines: COCOMO II 17.2586 person-months × 19 = 327.9 engineer-days (tests/metrics/test_value_of_reuse.py).
    RepositoryFactory(project=project, code_lines={"Python": 4_000, "Go": 1_000}, code_lines_basis="counted")
    return AssetFactory(project=project, name="Ledger SDK", slug="sdk")


@pytest.fixture
def maintainer(sdk):
    user = UserFactory(username="maintainer")
    ProjectRole.objects.create(project=sdk.project, user=user, role=ProjectRole.Role.MAINTAINER)
    return user


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_says_the_effort_and_where_it_comes_from(sdk, outsider):
    body = api(outsider).get(f"/api/v1/assets/{sdk.pk}/").json()
    assert body["estimated_effort_days"] == 327.9
    assert body["effort_basis"] == {
        "source": "cocomo",
        "text": "COCOMO II from 5,000 lines (counted; Python 4,000, Go 1,000)",
        "lines": 5_000,
    }
    assert body["effort_override_reason"] == ""


def test_an_asset_whose_code_was_never_counted_has_an_unknown_effort(outsider):
    asset = AssetFactory()
    body = api(outsider).get(f"/api/v1/assets/{asset.pk}/").json()
    assert body["estimated_effort_days"] is None and body["effort_basis"]["source"] == "unknown"
    client = Client()
    client.force_login(outsider)
    page = client.get(asset.get_absolute_url()).content.decode()
    said = re.search(r'<p class="muted" id="build-effort">(.*?)</p>', page, re.S)[1]
    # Said once, not "unknown (unknown: …)".
    assert (
        said
        == "Building it anew: unknown: its project&#x27;s code has not been counted; its maintainers may set a figure."
    )


def test_a_maintainer_sets_the_effort_through_the_api_with_a_reason_and_it_is_audited(sdk, maintainer):
    response = api(maintainer).patch(
        f"/api/v1/assets/{sdk.pk}/",
        {"estimated_effort_days": "120.5", "effort_override_reason": "Booked: two engineers, three months"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["estimated_effort_days"] == 120.5
    assert body["effort_basis"]["source"] == "override"
    assert body["effort_basis"]["text"] == "set by its maintainers: Booked: two engineers, three months"
    change = ProjectChange.objects.filter(
        project=sdk.project, changed_fields__has_key="estimated_effort_days"
    ).get()
    assert change.actor == maintainer
    assert (
        change.note
        == "set the build effort of Ledger SDK to 120.5 engineer-days: Booked: two engineers, three months"
    )
    assert change.changed_fields["estimated_effort_days"] == ["", "120.5"]

    # A PATCH of another field keeps the figure; null gives the estimate back, audited too.
    assert (
        api(maintainer)
        .patch(f"/api/v1/assets/{sdk.pk}/", {"description": "New."}, format="json")
        .json()["estimated_effort_days"]
        == 120.5
    )
    body = (
        api(maintainer)
        .patch(f"/api/v1/assets/{sdk.pk}/", {"estimated_effort_days": None}, format="json")
        .json()
    )
    assert body["estimated_effort_days"] == 327.9 and body["effort_override_reason"] == ""
    assert ProjectChange.objects.filter(
        note="removed the build effort set for Ledger SDK: estimated from its code again"
    ).exists()


def test_a_figure_without_a_reason_is_refused_with_the_field_named(sdk, maintainer):
    response = api(maintainer).patch(
        f"/api/v1/assets/{sdk.pk}/", {"estimated_effort_days": 50}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "effort_override_reason"
    response = api(maintainer).patch(
        f"/api/v1/assets/{sdk.pk}/",
        {"estimated_effort_days": -1, "effort_override_reason": "x"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["field"] == "estimated_effort_days"
    assert Asset.objects.get(pk=sdk.pk).effort_days_override is None


def test_someone_who_may_not_edit_the_project_cannot_set_the_effort(sdk, outsider):
    response = api(outsider).patch(
        f"/api/v1/assets/{sdk.pk}/",
        {"estimated_effort_days": 1, "effort_override_reason": "cheap"},
        format="json",
    )
    assert response.status_code == 403
    assert Asset.objects.get(pk=sdk.pk).effort_days_override is None
    assert not ProjectChange.objects.exists()


def test_the_program_office_sets_it_too(sdk, program_office):
    response = api(program_office).patch(
        f"/api/v1/assets/{sdk.pk}/",
        {"estimated_effort_days": 10, "effort_override_reason": "Reviewed"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["estimated_effort_days"] == 10.0


def test_the_asset_form_sets_it_and_says_next_to_the_field_when_the_reason_is_missing(sdk, maintainer):
    client = Client()
    client.force_login(maintainer)
    url = "/catalog/ledger/assets/sdk/edit/"
    data = {
        "name": "Ledger SDK",
        "kind": "library",
        "description": "A library.",
        "estimated_effort_days": "80",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Say why this figure replaces the estimate from the code." in response.content.decode()
    assert response.context["form"].errors["effort_override_reason"]

    response = client.post(url, {**data, "effort_override_reason": "Measured on the last rewrite"})
    assert response.status_code == 302
    page = client.get("/catalog/ledger/assets/sdk/").content.decode()
    assert "<strong>80 engineer-days</strong>" in page
    assert "set by its maintainers: Measured on the last rewrite" in page
    # The form shows the figure back for the next edit.
    assert client.get(url).context["form"].initial["estimated_effort_days"] == 80


def test_the_asset_page_shows_the_estimate_and_invites_its_editors_to_correct_it(sdk, maintainer, outsider):
    client = Client()
    client.force_login(outsider)
    page = client.get("/catalog/ledger/assets/sdk/").content.decode()
    assert "<strong>327.9 engineer-days</strong>" in page and "set a figure" not in page
    client.force_login(maintainer)
    assert (
        "set a figure</a> when you know better" in client.get("/catalog/ledger/assets/sdk/").content.decode()
    )
