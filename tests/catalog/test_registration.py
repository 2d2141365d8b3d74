from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Notification, Project, ProjectChange, ProjectRole, Repository, ReviewStatus
from tests.factories import BusinessUnitFactory, ProjectFactory, registration_form_data

REGISTER = "/catalog/register/"


@pytest.fixture
def unit(db):
    return BusinessUnitFactory(name="Payments", slug="payments")


LEDGER_EVENTS_SDK = {
    "name": "Ledger Events SDK",
    "description": "Publish and consume ledger events with one line of code.",
    "repository_urls": "https://github.acme.example/payments/ledger-events-sdk.git",
    "topics": "kafka, payments",
    "languages": "Java, Kotlin",
    "contributions_wanted": "Connectors for more brokers",
    "skills_wanted": "Kafka, Java",
    "declared_readiness": ["README", "LICENSE"],
}


def form_data(unit, **overrides):
    return registration_form_data(unit=unit, **(LEDGER_EVENTS_SDK | overrides))


def test_anonymous_visitors_are_asked_to_sign_in_before_registering(client, db):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_starter_registers_a_project_that_waits_for_review(client, starter, program_office, unit):
    client.force_login(starter)
    response = client.post(REGISTER, form_data(unit))
    project = Project.objects.get(name="Ledger Events SDK")
    assert response.status_code == 302
    assert response["Location"] == project.get_absolute_url()
    assert project.review_status == ReviewStatus.PENDING
    assert project.slug == "ledger-events-sdk"
    assert sorted(t.name for t in project.topics.all()) == ["kafka", "payments"]
    assert project.skills_wanted == ["Kafka", "Java"]
    assert project.declared_readiness == ["README", "LICENSE"]
    assert (
        Repository.objects.get(project=project).url
        == "https://github.acme.example/payments/ledger-events-sdk"
    )
    assert ProjectRole.objects.filter(project=project, user=starter, role="owner").exists()
    assert ProjectChange.objects.filter(project=project, action="registered", actor=starter).exists()
    assert Notification.objects.filter(user=program_office, url=reverse("catalog:review_queue")).exists()
    # Not in the catalog until approved, but the starter sees their page.
    assert client.get(project.get_absolute_url()).status_code == 200
    assert "Ledger Events SDK" not in client.get(reverse("catalog:search")).content.decode()


def test_an_outsider_cannot_see_a_pending_registration(client, starter, outsider, unit):
    client.force_login(starter)
    client.post(REGISTER, form_data(unit))
    client.force_login(outsider)
    assert client.get("/catalog/ledger-events-sdk/").status_code == 404


def test_missing_fields_are_reported_next_to_the_field_and_nothing_is_saved(client, starter, unit):
    client.force_login(starter)
    response = client.post(REGISTER, form_data(unit, name="", repository_urls="not-a-url"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required." in body
    assert "“not-a-url” is not a repository URL." in body
    assert not Project.objects.exists()


def test_the_same_repository_cannot_be_registered_twice(client, starter, unit):
    existing = ProjectFactory(name="Old Ledger")
    Repository.objects.create(
        project=existing, forge="github", url="https://github.acme.example/payments/ledger-events-sdk"
    )
    client.force_login(starter)
    response = client.post(
        REGISTER, form_data(unit, repository_urls="https://GITHUB.acme.example/payments/ledger-events-sdk/")
    )
    assert response.status_code == 200
    assert "already registered by “Old Ledger”" in response.content.decode()
    assert Project.objects.count() == 1


def test_a_very_similar_name_must_be_confirmed_as_different(client, starter, unit):
    ProjectFactory(name="Ledger Event SDK")
    client.force_login(starter)
    assert 'name="not_a_duplicate"' not in client.get(REGISTER).content.decode()  # nothing to confirm yet
    response = client.post(REGISTER, form_data(unit, repository_urls=""))
    body = response.content.decode()
    assert "Similar projects already exist" in body
    assert "Ledger Event SDK" in body
    # The box to confirm comes with the look-alikes, once, with its error beside it.
    look_alikes = body.split('id="duplicates"')[1].split('id="field-name"')[0]
    assert look_alikes.count('name="not_a_duplicate"') == 1 and "field--error" in look_alikes
    assert body.count('name="not_a_duplicate"') == 1
    assert Project.objects.count() == 1
    response = client.post(REGISTER, form_data(unit, repository_urls="", not_a_duplicate="on"))
    assert response.status_code == 302
    assert Project.objects.count() == 2


def test_duplicates_are_shown_while_typing(client, starter):
    ProjectFactory(name="Kafka Connect Toolkit")
    # Registering needs an account, and so does asking what a registration would clash with: an
    # anonymous visitor could otherwise probe which repositories hidden projects register.
    anonymous = client.get(reverse("catalog:register_duplicates"), {"name": "Kafka Connect Tookit"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client.force_login(starter)
    response = client.get(reverse("catalog:register_duplicates"), {"name": "Kafka Connect Tookit"})
    assert "Kafka Connect Toolkit" in response.content.decode()
    assert 'name="not_a_duplicate"' in response.content.decode()
    kept = client.get(
        reverse("catalog:register_duplicates"), {"name": "Kafka Connect Tookit", "not_a_duplicate": "on"}
    )
    assert 'name="not_a_duplicate" id="id_not_a_duplicate" checked' in kept.content.decode()
    response = client.get(reverse("catalog:register_duplicates"), {"name": "Something else entirely"})
    assert "Kafka Connect Toolkit" not in response.content.decode()
    assert "not_a_duplicate" not in response.content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Component\nmetadata:\n  name: invalid component\n", "is not a valid Backstage name"),
        ("kind: Component\nmetadata: [unclosed\n", "This is not valid YAML"),
        ('{"title": ', "This is not valid JSON"),
        ("kind: Group\nmetadata:\n  name: team-a\n", "No Component, System, API or Resource"),
        ("", "Upload an innersource.json or catalog-info.yaml"),
    ],
)
def test_a_bad_descriptor_gets_a_clear_message(client, starter, unit, text, message):
    client.force_login(starter)
    response = client.post(REGISTER, {"load_descriptor": "1", "descriptor_text": text})
    assert response.status_code == 200
    assert message in response.content.decode()


HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
DEEP_JSON = '{"title": "Deep", "skills": ' + "[" * 100_000 + "]" * 100_000 + "}"
DEEP_YAML = "kind: Component\nmetadata:\n  name: deep\nspec:\n  lifecycle: " + "[" * 100_000 + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ((HOSTILE / "billion-laughs.yaml").read_text(), "The YAML's aliases (*"),
        (DEEP_JSON, "The JSON is nested deeper than 64 levels."),
        (DEEP_YAML, "The YAML is nested deeper than 64 levels."),
    ],
    ids=["billion laughs", "deep json", "deep yaml"],
)
def test_a_descriptor_that_would_cost_the_server_is_refused_with_a_form_error(
    client, starter, unit, text, message
):
    client.force_login(starter)

    response = client.post(REGISTER, {"load_descriptor": "1", "descriptor_text": text})

    assert response.status_code == 200
    errors = response.context["descriptor_form"].non_field_errors()
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert "We filled the form" not in response.content.decode()


def test_an_uploaded_billion_laughs_file_is_refused_like_a_pasted_one(client, starter, unit):
    client.force_login(starter)
    upload = SimpleUploadedFile("catalog-info.yaml", (HOSTILE / "billion-laughs.yaml").read_bytes())

    response = client.post(REGISTER, {"load_descriptor": "1", "descriptor_file": upload})

    assert response.status_code == 200
    (error,) = response.context["descriptor_form"].non_field_errors()
    assert "stand for more than" in error


def test_a_maintainer_is_named_by_a_verified_address_only(client, starter, unit):
    from tests.factories import UserFactory

    UserFactory(username="squatter", email="lead@acme.example", verified_email=False)
    colleague = UserFactory(username="colleague", email="colleague@acme.example")
    client.force_login(starter)

    refused = client.post(REGISTER, form_data(unit, maintainer_emails="lead@acme.example"))
    accepted = client.post(
        REGISTER,
        form_data(unit, name="Another SDK", repository_urls="", maintainer_emails="Colleague@acme.example"),
    )

    assert (
        refused.status_code == 200 and "No portal account for lead@acme.example" in refused.content.decode()
    )
    assert accepted.status_code == 302
    project = Project.objects.get(name="Another SDK")
    assert project.roles.filter(user=colleague, role="maintainer").exists()


def test_the_form_and_the_api_apply_one_duplicate_rule_with_one_message(client, starter, unit):
    """selectors.registration_check is the rule; each surface shows its message as it gives it."""
    from html import escape

    from rest_framework.test import APIClient

    existing = ProjectFactory(name="Old Ledger")
    Repository.objects.create(
        project=existing, forge="github", url="https://github.acme.example/payments/ledger"
    )
    ProjectFactory(name="Ledger Events SDKs")
    client.force_login(starter)
    api = APIClient()
    api.force_authenticate(starter)
    taken = "https://github.acme.example/payments/ledger"
    payload = {"name": "Ledger Events SDK", "description": "Events.", "business_unit": unit.slug}

    form = client.post(REGISTER, form_data(unit, repository_urls=taken)).content.decode()
    by_api = api.post("/api/v1/projects/", {**payload, "repository_urls": [taken]}, format="json").json()
    assert by_api["field"] == "repository_urls"
    assert escape(by_api["errors"]["repository_urls"][0], quote=False) in form

    form = client.post(REGISTER, form_data(unit, repository_urls="")).content.decode()
    by_api = api.post("/api/v1/projects/", payload, format="json").json()
    assert by_api["field"] == "not_a_duplicate" and "Ledger Events SDKs" in by_api["error"]
    assert escape(by_api["errors"]["not_a_duplicate"][0], quote=False) in form
    assert Project.objects.count() == 2
