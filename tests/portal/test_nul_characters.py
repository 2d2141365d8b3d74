"""A NUL character in an address is a clear 400 on every route, never a 500: PostgreSQL text cannot hold
one, so a parameter passed on to a query would fail there (schemathesis found it on the search API's
`business_unit`). The walk covers every route of the resolver, so a route added later is covered too."""

import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.test_write_permissions import _patterns

pytestmark = pytest.mark.django_db

# A path parameter becomes a plausible value, so that the route resolves and only the NUL is at fault.
CONVERTER_VALUES = {
    "int": "1",
    "slug": "some-slug",
    "str": "some-name",
    "path": "some/path",
    "uuid": "0" * 32,
}


def _concrete(route: str) -> str:
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: CONVERTER_VALUES[m.group(1) or "str"], route)
    uuid = CONVERTER_VALUES["uuid"]
    path = path.replace(uuid, f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}")
    return "/" + path.lstrip("^").rstrip("$")


def _routes() -> list[str]:
    return sorted({_concrete(route) for route, _name, _callback in _patterns() if "(?P" not in route})


def test_every_route_refuses_a_nul_in_its_query_string_with_a_400():
    client = Client()
    client.force_login(UserFactory())
    routes = _routes()
    assert "/api/v1/search/" in routes and "/catalog/" in routes
    for path in routes:
        response = client.get(path, {"q": "a\x00b", "business_unit": "x\x00"})
        assert response.status_code == 400, path
        assert b"NUL" in response.content, path


def test_the_api_says_so_in_its_json_error_shape_naming_the_parameter():
    response = Client().get("/api/v1/search/", {"business_unit": ["", "s\x00y"], "page": "1036"})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "business_unit" and body["error"].startswith("business_unit: ")
    assert "NUL" in body["errors"]["business_unit"][0]


def test_a_nul_in_the_path_is_a_400_and_a_name_without_one_still_works():
    client = Client()
    client.force_login(UserFactory())
    page = client.get("/catalog/some%00slug/")
    assert page.status_code == 400 and page.content.startswith(b"The address contains a NUL")
    assert client.get("/api/v1/search/?a%00=1").json()["field"] == "a%00"
    assert client.get("/api/v1/search/", {"business_unit": "payments"}).status_code == 200


def test_a_nul_in_a_json_body_is_a_400_naming_the_field_and_writes_nothing():
    from rest_framework.test import APIClient

    from catalog.models import Project

    api = APIClient()
    api.force_authenticate(UserFactory())
    body = {"name": "Ledger", "description": "Events.", "business_unit": "", "visible_units": ["ok", "i\x00"]}

    response = api.post("/api/v1/projects/", body, format="json")

    assert response.status_code == 400
    assert response.json()["field"] == "visible_units.1" and "NUL" in response.json()["error"]
    assert api.post("/api/v1/projects/", {"a\x00": 1}, format="json").json()["field"] == "a\\u0000"
    assert not Project.objects.exists()


def test_a_nul_in_a_submitted_form_is_a_400_before_any_lookup():
    """A choice looked up by slug (kudos name a project) would reach PostgreSQL with the NUL."""
    giver, receiver = UserFactory(), UserFactory()
    client = Client()
    client.force_login(giver)

    response = client.post(
        f"/practitioners/{receiver.username}/kudos/",
        urlencode({"project": "a\x00", "message": "Thanks"}),  # as a browser sends a form
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400 and b"'project' contains a NUL" in response.content
