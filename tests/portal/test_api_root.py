"""GET /api/v1/: the endpoints, the docs and the schema, for anyone who starts there."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_api_root_answers_anyone_with_its_docs_and_schema_which_answer_too(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert (
        body["docs"] == "http://testserver/api/v1/docs/"
        and body["schema"] == "http://testserver/api/v1/schema/"
    )
    assert client.get(body["docs"]).status_code == 200
    assert client.get(body["schema"]).status_code == 200
    assert "Authorization: Bearer" in body["authentication"]


def test_the_api_root_lists_exactly_the_operations_of_the_openapi_schema():
    """The schema generator reads the views, the root reads the URL configuration: two roads to the
    same endpoints, so an endpoint missing from one of them (or a method) fails here."""
    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    documented = {
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"} and path != "/api/v1/"
    }
    listed = {
        (endpoint["path"], method)
        for endpoint in Client().get("/api/v1/").json()["endpoints"]
        for method in endpoint["methods"]
    }
    assert listed == documented
    assert ("/api/v1/projects/{slug}/metrics/", "GET") in listed and ("/api/v1/usage/", "POST") in listed


def test_a_path_that_is_no_endpoint_is_still_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and "see /api/v1/docs/" in response.json()["error"]
