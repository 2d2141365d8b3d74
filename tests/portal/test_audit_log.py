"""The program office's audit log of owner and admin actions."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from catalog.models import BusinessUnit, ProjectChange
from tests.factories import ProjectFactory, make_owner


def test_owner_edits_and_admin_changes_show_with_who_and_when(program_office, starter):
    project = ProjectFactory(name="Ledger")
    make_owner(project, starter)
    ProjectChange.objects.create(
        project=project,
        actor=starter,
        action=ProjectChange.Action.EDITED,
        changed_fields={"description": ["a", "b"]},
    )
    unit = BusinessUnit.objects.create(name="Fresh Unit", slug="fresh-unit")
    LogEntry.objects.create(
        user=program_office,
        content_type=ContentType.objects.get_for_model(unit),
        object_id=str(unit.pk),
        object_repr=str(unit),
        action_flag=ADDITION,
    )
    client = Client()
    client.force_login(program_office)
    page = client.get("/audit/").content.decode()
    assert "Ledger" in page and "Sam Starter" in page and "description" in page
    assert "Fresh Unit" in page and "Added business unit" in page


@pytest.mark.parametrize("who", ["starter", "outsider"])
def test_only_the_program_office_reads_it(request, who):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    assert client.get("/audit/").status_code == 403


def test_the_audit_log_runs_a_bounded_number_of_queries(program_office, django_assert_max_num_queries):
    for _ in range(60):
        ProjectChange.objects.create(project=ProjectFactory(), actor=program_office, action="edited")
    client = Client()
    client.force_login(program_office)
    with django_assert_max_num_queries(12):
        response = client.get("/audit/?page=2")
    assert response.status_code == 200
    assert response.context["changes"].number == 2


def test_making_and_revoking_an_api_token_is_audited(program_office, starter):
    client = Client()
    client.force_login(starter)
    client.post("/practitioners/me/tokens/", {"name": "CI publisher"})
    token = starter.api_tokens.get()
    client.post(f"/practitioners/me/tokens/{token.pk}/revoke/")
    entries = list(LogEntry.objects.filter(user=starter).order_by("pk"))
    assert [(e.action_flag, e.change_message) for e in entries] == [
        (ADDITION, "Created an API token"),
        (CHANGE, "Revoked an API token"),
    ]
    assert all(e.object_id == str(token.pk) for e in entries)
    # Another person's token cannot be revoked, and the refused attempt writes nothing.
    outsider_client = Client()
    outsider_client.force_login(program_office)
    outsider_client.post(f"/practitioners/me/tokens/{token.pk}/revoke/")
    assert LogEntry.objects.count() == 2
    page = outsider_client.get("/audit/").content.decode()
    assert "Created an API token" in page and "Revoked an API token" in page and "CI publisher" in page
