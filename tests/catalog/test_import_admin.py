"""The admin's "Import catalog" upload on the project list."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import BusinessUnit, Project, ProjectChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
URL = reverse("admin:catalog_project_import")


def upload(name: str, path: Path | None = None, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else path.read_bytes())


@pytest.fixture
def office_admin(program_office):
    program_office.is_staff = True
    program_office.save()
    return program_office


def test_the_program_office_imports_a_repos_json_in_the_admin_and_sees_the_report(client, office_admin):
    client.force_login(office_admin)

    response = client.post(
        URL, {"files": upload("repos.json", FIXTURES / "sap-portal" / "repos.json"), "format": "sap"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "42 created, 0 updated, 0 unchanged, 0 skipped." in page
    assert "repos.json entry #4 (Sol/venus)" in page
    assert Project.objects.listed().count() == 42
    assert ProjectChange.objects.filter(actor=office_admin, action="imported").count() == 42


def test_check_only_in_the_admin_shows_the_report_and_writes_nothing(client, office_admin):
    client.force_login(office_admin)

    response = client.post(
        URL,
        {
            "files": upload("repos.json", FIXTURES / "sap-portal" / "repos.json"),
            "format": "sap",
            "check_only": "on",
        },
    )

    assert "What this import would do (nothing was written)" in response.content.decode()
    assert "Check only, nothing written: 42 created" in response.content.decode()
    assert not Project.objects.exists()


def test_several_backstage_files_upload_together(client, office_admin):
    client.force_login(office_admin)
    files = [
        upload(p.name, p)
        for p in sorted((FIXTURES / "backstage").glob("*.yaml"))
        if p.name != "invalid-component.yaml"
    ]
    unit = BusinessUnit.objects.create(name="Platform", slug="platform")

    response = client.post(URL, {"files": files, "format": "backstage", "business_unit": unit.pk})

    assert "6 created, 0 updated, 0 unchanged, 6 skipped." in response.content.decode()
    assert Project.objects.filter(name="petstore", business_unit=unit).exists()


def test_a_bad_file_in_the_admin_gives_a_clear_form_error_and_writes_nothing(client, office_admin):
    client.force_login(office_admin)
    files = [
        upload("invalid-component.yaml", FIXTURES / "backstage" / "invalid-component.yaml"),
        upload("team-a-group.yaml", FIXTURES / "backstage" / "team-a-group.yaml"),
    ]

    response = client.post(URL, {"files": files, "format": "backstage"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "invalid-component.yaml document #1 (Component “invalid component”)" in page
    assert "Nothing was imported." in page
    assert not Project.objects.exists()


def test_a_file_in_the_wrong_format_is_refused_in_the_admin(client, office_admin):
    client.force_login(office_admin)

    response = client.post(URL, {"files": upload("repos.json", content=b"not json"), "format": "sap"})

    assert "repos.json: not valid JSON" in response.content.decode()
    assert not Project.objects.exists()


def test_the_project_list_offers_the_import_to_those_who_may_add_projects(client, office_admin):
    client.force_login(office_admin)

    response = client.get(reverse("admin:catalog_project_changelist"))

    assert URL in response.content.decode()


def test_staff_without_permission_to_add_projects_cannot_import(client):
    staff = UserFactory(username="clerk", is_staff=True)
    client.force_login(staff)

    response = client.post(
        URL, {"files": upload("repos.json", FIXTURES / "sap-portal" / "repos.json"), "format": "sap"}
    )

    assert response.status_code == 403
    assert not Project.objects.exists()


def test_people_outside_the_admin_are_sent_to_log_in(client, outsider):
    assert client.get(URL).status_code == 302
    client.force_login(outsider)
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_billion_laughs_file_is_refused_in_the_admin_with_a_form_error(client, office_admin):
    client.force_login(office_admin)
    laughs = upload("catalog-info.yaml", FIXTURES / "hostile" / "billion-laughs.yaml")

    response = client.post(URL, {"files": laughs, "format": "backstage"})

    assert response.status_code == 200
    (error,) = response.context["form"].non_field_errors()
    assert error.startswith("catalog-info.yaml: the YAML's aliases (*")
    assert error.endswith("Nothing was imported.")
    assert not Project.objects.exists()
