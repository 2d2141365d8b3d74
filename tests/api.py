"""The REST API as the tests call it: a client acting as a person, the one error shape every refusal
has, and what each of the ROLES gets back from a call."""

from collections.abc import Collection

from rest_framework.test import APIClient

from tests.factories import ROLES

ERROR_KEYS = {"error", "field", "errors"}
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
EDITORS = frozenset({"maintainer", "owner", "program_office"})


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_error(response, status: int, field: str | None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["error"]
    assert body["field"] == field


def statuses(granted: int, *, to: Collection[str]) -> dict[str, int]:
    """Each role's status: `granted` for the roles in `to`; else 401 for the anonymous caller and 403 for
    a signed-in one."""
    return {role: granted if role in to else 401 if role == "anonymous" else 403 for role in ROLES}
