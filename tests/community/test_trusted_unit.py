"""A person's business unit is an access credential: only a trusted source sets it (the company sign-on,
the organisation directory, the program office). What a person picks on their profile is a request that
the program office confirms or declines."""

import importlib

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.test import APIClient

from catalog.models import Notification, Visibility
from catalog.search_index import entries_rebuild
from community import identity
from community.models import Practitioner, UnitSource
from tests.factories import BusinessUnitFactory, ProjectFactory, UserFactory

RESTRICTED = "Sanctions Screening"


@pytest.fixture
def risk(db):
    unit = BusinessUnitFactory(name="Risk & Compliance", slug="risk-compliance")
    project = ProjectFactory(
        name=RESTRICTED,
        description="Screens payments against sanctions lists.",
        business_unit=unit,
        visibility=Visibility.UNITS,
    )
    entries_rebuild(project_ids=[project.pk])
    return unit


def _sees(user) -> bool:
    client = Client()
    client.force_login(user)
    page = client.get("/catalog/sanctions-screening/").status_code
    api = APIClient()
    api.force_authenticate(user)
    search = [row["name"] for row in api.get("/api/v1/search/?q=sanctions").json()["results"]]
    listed = [p["slug"] for p in api.get("/api/v1/projects/?page_size=100").json()["results"]]
    assert (page == 200) == (RESTRICTED in search) == ("sanctions-screening" in listed), (page, search)
    return page == 200


def _claim(user, unit) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        "/practitioners/me/edit/",
        # The old field name too: the form must not take the unit from either.
        {"display_name": "Mallory", "visibility": "company", "business_unit": unit.pk,
         "requested_business_unit": unit.pk},
    )  # fmt: skip
    assert response.status_code == 302


def test_a_new_account_that_claims_a_unit_on_its_profile_does_not_see_that_units_restricted_project(risk):
    mallory = UserFactory(username="mallory")
    _claim(mallory, risk)
    practitioner = Practitioner.objects.get(user=mallory)
    assert practitioner.business_unit is None
    assert practitioner.requested_business_unit == risk
    assert not _sees(mallory)


def test_asking_for_a_unit_tells_the_program_office_and_the_profile_shows_the_request(risk, program_office):
    mallory = UserFactory(username="mallory")
    _claim(mallory, risk)
    assert Notification.objects.filter(
        user=program_office, message__contains="asks to be in the business unit Risk & Compliance"
    ).exists()
    client = Client()
    client.force_login(mallory)
    page = client.get("/practitioners/me/edit/").content.decode()
    assert "None yet." in page
    assert "You asked for <strong>Risk &amp; Compliance</strong>" in page


def test_the_profile_shows_the_trusted_unit_read_only_with_its_source(risk):
    person = UserFactory(username="rita")
    Practitioner.objects.create(
        user=person, display_name="Rita", business_unit=risk, business_unit_source=UnitSource.DIRECTORY
    )
    client = Client()
    client.force_login(person)
    response = client.get("/practitioners/me/edit/")
    page = response.content.decode()
    assert "<strong>Risk &amp; Compliance</strong>" in page and "from the organisation directory" in page
    assert 'name="business_unit"' not in page
    # Saving the profile keeps the unit (the form has no say in it).
    client.post("/practitioners/me/edit/", {"display_name": "Rita R", "visibility": "company"})
    assert Practitioner.objects.get(user=person).business_unit == risk


def _admin_action(user, action: str, practitioners) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        "/admin/community/practitioner/",
        {"action": action, "_selected_action": [p.pk for p in practitioners]},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_program_office_confirms_requested_units_in_bulk_and_the_person_then_sees_the_project(
    risk, office_admin
):
    mallory, nora = UserFactory(username="mallory"), UserFactory(username="nora")
    _claim(mallory, risk)
    _claim(nora, risk)

    _admin_action(office_admin, "confirm_unit_requests", Practitioner.objects.all())

    for person in (mallory, nora):
        practitioner = Practitioner.objects.get(user=person)
        assert practitioner.business_unit == risk
        assert practitioner.business_unit_source == UnitSource.PROGRAM_OFFICE
        assert practitioner.requested_business_unit is None
        assert _sees(person)
        assert Notification.objects.filter(
            user=person, message="Your business unit is now Risk & Compliance, from the program office."
        ).exists()
        entry = LogEntry.objects.get(object_id=str(practitioner.pk))
        assert entry.user == office_admin
        assert entry.get_change_message() == "Business unit set to Risk & Compliance (program office)"


def test_the_program_office_declines_a_request_and_the_person_is_told(risk, office_admin):
    mallory = UserFactory(username="mallory")
    _claim(mallory, risk)

    _admin_action(office_admin, "decline_unit_requests", Practitioner.objects.all())

    practitioner = Practitioner.objects.get(user=mallory)
    assert (practitioner.business_unit, practitioner.requested_business_unit) == (None, None)
    assert not _sees(mallory)
    assert Notification.objects.filter(user=mallory, message__contains="did not confirm").exists()
    assert "Declined" in LogEntry.objects.get(object_id=str(practitioner.pk)).get_change_message()


def test_changing_the_unit_on_the_admin_change_page_is_audited_and_told(risk, office_admin):
    person = UserFactory(username="rita")
    practitioner = Practitioner.objects.create(user=person, display_name="Rita")
    client = Client()
    client.force_login(office_admin)
    page = client.get(f"/admin/community/practitioner/{practitioner.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(user=person.pk, business_unit=risk.pk, interests="[]", skills=[])
    response = client.post(f"/admin/community/practitioner/{practitioner.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    practitioner.refresh_from_db()
    assert (practitioner.business_unit, practitioner.business_unit_source) == (
        risk,
        UnitSource.PROGRAM_OFFICE,
    )
    assert Notification.objects.filter(user=person, message__contains="now Risk & Compliance").exists()
    assert LogEntry.objects.filter(
        object_id=str(practitioner.pk),
        change_message="Business unit set to Risk & Compliance (program office)",
    ).exists()


def test_only_the_program_office_sets_a_unit_as_the_program_office(risk, outsider):
    practitioner = Practitioner.objects.create(user=outsider, display_name="Otto")
    with pytest.raises(PermissionDenied):
        identity.practitioner_unit_set(
            practitioner=practitioner, unit=risk, source=UnitSource.PROGRAM_OFFICE, by=outsider
        )
    with pytest.raises(PermissionDenied):
        identity.unit_requests_confirm(practitioners=[practitioner], by=outsider)
    practitioner.refresh_from_db()
    assert practitioner.business_unit is None


def test_setting_the_same_unit_from_the_same_source_again_changes_and_tells_nothing(risk, outsider):
    practitioner = Practitioner.objects.create(user=outsider, display_name="Otto")
    assert identity.practitioner_unit_set(practitioner=practitioner, unit=risk, source=UnitSource.SSO)
    assert not identity.practitioner_unit_set(practitioner=practitioner, unit=risk, source=UnitSource.SSO)
    assert Notification.objects.filter(user=outsider).count() == 1
    assert LogEntry.objects.filter(object_id=str(practitioner.pk)).count() == 1


def test_the_migration_turns_self_chosen_units_into_requests_that_stop_counting(risk, outsider):
    migration = importlib.import_module("community.migrations.0007_practitioner_unit_from_trusted_sources")
    Practitioner.objects.create(user=outsider, display_name="Otto", business_unit=risk)
    assert _sees(outsider)

    migration.units_become_requests(apps, None)

    practitioner = Practitioner.objects.get(user=outsider)
    assert (practitioner.business_unit, practitioner.requested_business_unit) == (None, risk)
    assert practitioner.unit_requested_at is not None
    outsider = type(outsider).objects.get(pk=outsider.pk)  # a fresh user: no cached profile
    assert not _sees(outsider)
