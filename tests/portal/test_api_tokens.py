"""Personal API tokens (made and revoked on the profile), and the limit on API writes."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from portal.models import ApiToken
from portal.services import MAX_TOKENS_PER_USER, api_token_create, api_token_digest
from tests.factories import BusinessUnitFactory, UserFactory


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_a_person_makes_a_token_on_their_profile_and_sees_it_only_once(starter):
    client = Client()
    client.force_login(starter)
    page = client.post("/practitioners/me/tokens/", {"name": "release pipeline"}, follow=True)
    assert page.redirect_chain == [("/practitioners/me/tokens/", 302)]
    token = re.search(r'value="(isp_[^"]+)"', page.content.decode()).group(1)
    record = ApiToken.objects.get(user=starter)
    assert record.name == "release pipeline"
    # Only a digest is stored: the token itself is nowhere in the database.
    assert record.digest == api_token_digest(token)
    assert token not in str(list(ApiToken.objects.values_list()))
    again = client.get("/practitioners/me/tokens/").content.decode()
    assert token not in again
    assert "release pipeline" in again and record.prefix in again


def test_the_token_page_needs_a_name_and_a_sign_in(starter):
    assert Client().get("/practitioners/me/tokens/").status_code == 302
    client = Client()
    client.force_login(starter)
    response = client.post("/practitioners/me/tokens/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_a_person_cannot_hold_more_than_the_token_limit(starter):
    for n in range(MAX_TOKENS_PER_USER):
        api_token_create(user=starter, name=f"t{n}")
    client = Client()
    client.force_login(starter)
    response = client.post("/practitioners/me/tokens/", {"name": "one more"})
    assert response.status_code == 400
    assert "revoke one" in response.content.decode()
    assert ApiToken.objects.filter(user=starter).count() == MAX_TOKENS_PER_USER


def test_a_bearer_token_authenticates_as_its_owner_and_records_its_use(starter):
    BusinessUnitFactory(slug="payments")
    record, token = api_token_create(user=starter, name="script")
    response = bearer(token).post(
        "/api/v1/projects/",
        {"name": "Token Made", "description": "Registered by a script.", "business_unit": "payments"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["owners"] == ["starter"]
    record.refresh_from_db()
    assert record.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer isp_unknown", "Bearer", "Bearer a b", "Token isp_" + "x" * 200],
    ids=["unknown", "empty", "two words", "too long"],
)
def test_a_bad_token_gets_401_in_json(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/projects/")
    assert response.status_code == 401
    assert response.json()["error"]


def test_a_revoked_token_stops_working_at_once(starter):
    record, token = api_token_create(user=starter, name="old")
    assert bearer(token).get("/api/v1/projects/").status_code == 200
    client = Client()
    client.force_login(starter)
    client.post(f"/practitioners/me/tokens/{record.pk}/revoke/")
    assert bearer(token).get("/api/v1/projects/").status_code == 401


def test_nobody_revokes_someone_elses_token(starter, outsider):
    record, token = api_token_create(user=starter, name="mine")
    client = Client()
    client.force_login(outsider)
    client.post(f"/practitioners/me/tokens/{record.pk}/revoke/")
    record.refresh_from_db()
    assert record.revoked_at is None
    assert bearer(token).get("/api/v1/projects/").status_code == 200


def test_a_deactivated_persons_token_no_longer_works(db):
    person = UserFactory(username="leaver")
    _record, token = api_token_create(user=person, name="x")
    person.is_active = False
    person.save()
    assert bearer(token).get("/api/v1/projects/").status_code == 401


def test_writes_are_rate_limited_per_person_and_reads_are_not(starter, settings):
    settings.API_WRITE_RATE = "2/minute"
    unit = BusinessUnitFactory(slug="payments")
    _record, token = api_token_create(user=starter, name="busy script")
    client = bearer(token)
    statuses = [
        client.post(
            "/api/v1/projects/",
            {"name": f"Burst {n}", "description": "x", "business_unit": unit.slug, "not_a_duplicate": True},
            format="json",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    refused = client.post("/api/v1/projects/", {"name": "Burst 9"}, format="json")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["error"].lower()
    assert client.get("/api/v1/projects/").status_code == 200
    # Someone else still writes.
    other = APIClient()
    other.force_authenticate(UserFactory(username="other"))
    assert (
        other.post(
            "/api/v1/projects/",
            {"name": "Other", "description": "x", "business_unit": "payments"},
            format="json",
        ).status_code
        == 201
    )


def test_the_schema_validates_and_the_docs_are_served_without_a_cdn(db):
    client = Client()
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/projects/" in paths and "/api/v1/metrics/" in paths
    for operations in paths.values():
        for operation in operations.values():
            assert "401" in operation["responses"]
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs
