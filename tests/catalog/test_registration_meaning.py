"""Registration look-alikes by meaning (issue 17): registration_check, the one duplicate rule, also names
the listed projects the starter may see that do the same job, even in other words, and says why.

Most tests use tests/embedders.py's WordsEmbedder (texts sharing words are near); the ones about other
words use the real model (catalog.meaning.WordLlamaEmbedder), whose scale the threshold was measured on."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.meaning import similarity_words
from catalog.models import Project, Topic, Visibility
from catalog.search_index import entries_rebuild
from catalog.selectors import Registration, registration_check
from catalog.selectors.registrations import CONFIRM_SIMILARITY, SAME_JOB_SIMILARITY, meaning_look_alikes
from tests.factories import (
    AssetFactory,
    BusinessUnitFactory,
    ProjectFactory,
    defence_member,
    registration_form_data,
)

pytestmark = pytest.mark.django_db
REGISTER = "/catalog/register/"
INVOICES = "turns order data into customer invoices with the legal footer per country"
# The same job as Invoice Printer's in other words: the real model puts it at 0.4 to 0.5 (0.07 for the
# unrelated job below), the word embedder at a cosine of 0.13 ("legal" and "country" alone in common).
RECEIPTS = (
    "Produces PDF bills for buyers out of purchase records, adding the legal notice each nation requires"
)
HOLIDAYS = "Answers staff questions about leave and public holidays in the team chat"


def _catalog() -> dict:
    defence = BusinessUnitFactory(name="Defence", slug="defence")
    made = {
        "invoices": ProjectFactory(name="Invoice Printer", description=INVOICES),
        "tokens": ProjectFactory(name="Design Tokens", description="colour and spacing tokens for web pages"),
        "secret": ProjectFactory(
            name="Quasar Invoicer", business_unit=defence, visibility=Visibility.UNITS, description=INVOICES
        ),
        "toolbox": ProjectFactory(name="Toolbox", description="assorted helpers for shell scripts"),
    }
    made["invoices"].topics.add(Topic.objects.create(name="billing"), Topic.objects.create(name="pdf"))
    made["labels"] = AssetFactory(
        project=made["toolbox"],
        name="label-printer",
        description="prints shipping labels for parcels with their barcodes",
    )
    entries_rebuild(project_ids=[made[k].pk for k in ("invoices", "tokens", "secret", "toolbox")])
    return made


@pytest.fixture
def catalog():
    return _catalog()


@pytest.fixture
def real_catalog(settings):
    settings.CATALOG_EMBEDDER = "catalog.meaning.WordLlamaEmbedder"
    return _catalog()


def _alikes(viewer, description: str, **fields) -> dict[str, dict]:
    registration = Registration(
        name=fields.pop("name", "Something new"),
        description=description,
        motivation=fields.pop("motivation", ""),
        topic_names=fields.pop("topic_names", []),
    )
    found = meaning_look_alikes(registration=registration, viewer=viewer, **fields)
    return {alike["name"]: alike for alike in found}


def test_the_same_job_in_other_words_is_found_with_why(real_catalog, starter):
    found = _alikes(starter, RECEIPTS, name="Receipt maker")
    assert list(found) == ["Invoice Printer"]
    alike = found["Invoice Printer"]
    assert alike["project"] == real_catalog["invoices"] and not alike["blocking"]
    assert SAME_JOB_SIMILARITY <= alike["similarity"] < 0.65
    closeness = similarity_words(alike["similarity"])  # "related" below 0.5, "close" up to 0.65
    assert alike["reason"] == f"may do the same job ({closeness} in meaning; shared words: legal)"


def test_another_job_is_not_found(real_catalog, starter):
    assert _alikes(starter, HOLIDAYS, name="Holiday bot") == {}


def test_shared_topics_and_words_say_why(catalog, starter):
    alike = _alikes(starter, f"{INVOICES} for shops", topic_names=["Billing", "kafka"])["Invoice Printer"]
    assert alike["reason"].startswith("may do the same job (")
    assert "shared topics: billing;" in alike["reason"]
    assert "shared words: turns, order, data, customer, invoices" in alike["reason"]


def test_a_restricted_project_is_named_only_to_those_who_see_it(catalog, outsider):
    assert "Quasar Invoicer" not in _alikes(outsider, INVOICES)
    assert "Invoice Printer" in _alikes(outsider, INVOICES)
    assert "Quasar Invoicer" in _alikes(defence_member(), INVOICES)


def test_an_edit_never_finds_the_project_itself(catalog, starter):
    assert "Invoice Printer" in _alikes(starter, INVOICES)
    assert "Invoice Printer" not in _alikes(starter, INVOICES, exclude_pk=catalog["invoices"].pk)


def test_an_asset_doing_the_job_names_its_project(catalog, starter):
    found = _alikes(starter, "prints shipping labels for parcels")
    alike = found["Toolbox"]
    assert alike["project"] == catalog["toolbox"] and alike["asset"] == catalog["labels"]
    assert alike["reason"].startswith("offers “label-printer”, which may do the same job (")


def test_a_name_alone_is_not_compared_by_meaning(catalog, starter):
    # A name is the similar-name rule's; two words of description say too little of a job.
    assert _alikes(starter, "", name="customer invoices legal footer") == {}
    assert _alikes(starter, "customer invoices") == {}


def test_a_new_registration_confirms_a_look_alike_by_meaning_and_an_edit_is_not_held_up(catalog, starter):
    def check(**fields):
        return registration_check(
            registration=Registration(name="Billing PDFs", description=INVOICES), viewer=starter, **fields
        )

    refused = check(confirmed_different=False)
    assert refused.errors == {
        "not_a_duplicate": "Similar projects exist (Invoice Printer): confirm that yours is a different one."
    }
    assert [d["name"] for d in refused.duplicates] == ["Invoice Printer"]
    assert check(confirmed_different=True).errors == {}
    # An edit (confirmed_different None) is looked at by its repositories and name only.
    edit = check(exclude_pk=catalog["tokens"].pk)
    assert edit.errors == {} and edit.duplicates == []


def test_a_project_alike_by_name_and_meaning_is_listed_once_with_both_reasons(catalog, starter):
    check = registration_check(
        registration=Registration(name="Invoice Printers", description=INVOICES),
        viewer=starter,
        confirmed_different=True,
    )
    (alike,) = check.duplicates
    assert alike["reason"].startswith("has a very similar name, and may do the same job (")


# --- the form: on submit (without JavaScript), while typing, after loading a file --------------------


def test_the_form_asks_to_confirm_a_project_doing_the_same_job(client, catalog, starter):
    unit = BusinessUnitFactory(name="Payments", slug="payments")
    client.force_login(starter)
    data = registration_form_data(unit=unit, name="Billing PDFs", description=INVOICES)
    response = client.post(REGISTER, data)
    body = response.content.decode()
    assert response.status_code == 200 and not Project.objects.filter(name="Billing PDFs").exists()
    panel = body.split('id="duplicates"')[1].split('id="field-name"')[0]
    assert '<a href="/catalog/invoice-printer/">Invoice Printer</a> may do the same job (' in panel
    assert "Similar projects exist (Invoice Printer): confirm that yours is a different one." in panel
    assert "Quasar Invoicer" not in body
    response = client.post(REGISTER, {**data, "not_a_duplicate": "on"})
    assert response.status_code == 302 and Project.objects.filter(name="Billing PDFs").exists()


def test_the_panel_lists_projects_doing_the_same_job_while_typing(client, catalog, outsider):
    client.force_login(outsider)
    url = reverse("catalog:register_duplicates")
    response = client.get(url, {"name": "Billing", "description": "", "motivation": INVOICES})
    body = response.content.decode()
    assert '<a href="/catalog/invoice-printer/">Invoice Printer</a> may do the same job (' in body
    assert 'name="not_a_duplicate"' in body and "Quasar Invoicer" not in body
    assert (
        "Invoice Printer"
        not in client.get(url, {"name": "Billing", "description": HOLIDAYS}).content.decode()
    )


def test_loading_a_file_lists_projects_doing_the_same_job(client, catalog, starter):
    client.force_login(starter)
    descriptor = json.dumps({"title": "Billing PDFs", "description": INVOICES}).encode()
    upload = SimpleUploadedFile("innersource.json", descriptor)
    response = client.post(REGISTER, {"load_descriptor": "1", "descriptor_file": upload})
    body = response.content.decode()
    assert "We filled the form from your file." in body
    assert '<a href="/catalog/invoice-printer/">Invoice Printer</a> may do the same job (' in body


# --- the API -------------------------------------------------------------------------------------------


def test_the_api_lists_the_look_alikes_and_registers_once_confirmed(catalog, starter):
    unit = BusinessUnitFactory(name="Payments", slug="payments")
    api = APIClient()
    api.force_authenticate(starter)
    payload = {"name": "Billing PDFs", "description": INVOICES, "business_unit": unit.slug}
    refused = api.post("/api/v1/projects/", payload, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["field"] == "not_a_duplicate" and "Invoice Printer" in body["error"]
    (alike,) = body["look_alikes"]
    assert alike["name"] == "Invoice Printer" and alike["slug"] == "invoice-printer"
    assert alike["url"] == "http://testserver/catalog/invoice-printer/"
    assert alike["reason"].startswith("may do the same job (") and not alike["blocking"]
    assert 0 < alike["similarity"] <= 1
    created = api.post("/api/v1/projects/", {**payload, "not_a_duplicate": True}, format="json")
    assert created.status_code == 201


def test_an_api_edit_is_not_held_up_by_a_look_alike(catalog, program_office):
    api = APIClient()
    api.force_authenticate(program_office)
    edited = api.patch("/api/v1/projects/design-tokens/", {"description": INVOICES}, format="json")
    assert edited.status_code == 200, edited.json()


def test_a_hidden_project_holding_the_repository_is_not_named_in_the_api(catalog, starter):
    from catalog.models import Repository

    Repository.objects.create(
        project=catalog["secret"], forge="github", url="https://github.acme.example/defence/quasar"
    )
    unit = BusinessUnitFactory(name="Payments", slug="payments")
    api = APIClient()
    api.force_authenticate(starter)
    payload = {
        "name": "Quasar",
        "description": "A thing.",
        "business_unit": unit.slug,
        "repository_urls": ["https://github.acme.example/defence/quasar"],
    }
    body = api.post("/api/v1/projects/", payload, format="json").json()
    assert body["field"] == "repository_urls"
    assert body["look_alikes"] == [
        {
            "name": "a project you cannot see (ask the program office)",
            "slug": None,
            "url": None,
            "reason": "registers the same repository",
            "blocking": True,
            "similarity": None,
            "asks_confirmation": True,
        }
    ]
    assert "Quasar Invoicer" not in json.dumps(body)


def test_the_api_schema_documents_the_look_alikes(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/projects/"]["post"]
    refused = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert refused.endswith("/RegistrationRefused")
    look_alike = schema["components"]["schemas"]["LookAlike"]["properties"]
    assert {"name", "url", "reason", "blocking", "similarity"} <= set(look_alike)


def test_a_look_alike_below_the_confirmation_threshold_is_listed_without_stopping_the_registration(
    catalog, starter
):
    # Two of four words shared with Toolbox's five: a cosine of 2 / sqrt(20) = 0.447 with the word embedder,
    # at least SAME_JOB_SIMILARITY (listed) and below CONFIRM_SIMILARITY (no tick asked).
    check = registration_check(
        registration=Registration(name="Kitbag", description="shell helpers galore"),
        viewer=starter,
        confirmed_different=False,
    )
    (alike,) = check.duplicates
    assert alike["name"] == "Toolbox" and SAME_JOB_SIMILARITY <= alike["similarity"] < CONFIRM_SIMILARITY
    assert alike["asks_confirmation"] is False and check.errors == {}
