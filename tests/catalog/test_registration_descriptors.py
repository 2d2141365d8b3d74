"""innersource.json (and catalog-info.yaml) uploads: every key SAP documents fills its field, the keys
not read are named, values not kept are said, and the file's name and repositories are checked for
look-alikes at once, with the filled form."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.interop import catalog_import, parse_files
from catalog.interop.export import export_json
from catalog.models import Project, Repository, Visibility
from catalog.selectors import HIDDEN_PROJECT
from tests.catalog.test_import import NOW
from tests.factories import BusinessUnitFactory, ProjectFactory

REGISTER = "/catalog/register/"


@pytest.fixture
def unit(db):
    return BusinessUnitFactory(name="Payments", slug="payments")


@pytest.fixture
def client(client, starter):
    """The registration page is the starter's: every test here uploads as them."""
    client.force_login(starter)
    return client


def upload(client, descriptor: dict | str, name="innersource.json"):
    text = descriptor if isinstance(descriptor, str) else json.dumps(descriptor)
    return client.post(
        REGISTER, {"load_descriptor": "1", "descriptor_file": SimpleUploadedFile(name, text.encode())}
    )


def said(response) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in response.context["messages"]]


def warnings(response) -> list[str]:
    return [text for level, text in said(response) if level == "warning"]


def initial(response) -> dict:
    return response.context["form"].initial


def test_every_key_sap_documents_and_its_crawlers_add_fills_its_field(client, unit):
    response = upload(
        client,
        {
            "title": "Design Tokens",
            "motivation": "One source of colours and spacing for every product.",
            "contributions": ["Dark mode tokens", "Figma sync"],
            "skills": ["CSS", "Design systems"],
            "logo": "https://cdn.acme.example/tokens.png",
            "docs": "https://docs.acme.example/tokens",
            "language": "TypeScript",
            "topics": ["design-system", "css"],
            "guidelines": "https://github.acme.example/ux/tokens/blob/main/CONTRIBUTING.md",
        },
    )

    assert initial(response) == {
        "name": "Design Tokens",
        "motivation": "One source of colours and spacing for every product.",
        "contributions_wanted": "Dark mode tokens\nFigma sync",
        "skills_wanted": "CSS, Design systems",
        "logo_url": "https://cdn.acme.example/tokens.png",
        "docs_url": "https://docs.acme.example/tokens",
        "languages": "TypeScript",
        "topics": "design-system, css",
        "contributing_url": "https://github.acme.example/ux/tokens/blob/main/CONTRIBUTING.md",
    }
    body = response.content.decode()
    assert 'value="Design Tokens"' in body and "Dark mode tokens" in body
    assert 'value="CSS, Design systems"' in body and 'value="https://docs.acme.example/tokens"' in body
    assert said(response) == [
        ("info", "We filled the form from your file. Check it, complete it and submit.")
    ]
    assert not Project.objects.exists()


def test_keys_the_form_does_not_read_are_named_with_the_filled_form(client, unit):
    response = upload(
        client,
        {"title": "Design Tokens", "owner": "ux-team", "stars": 12, "slug": "tokens", "score": 300},
    )

    assert initial(response) == {"name": "Design Tokens"}
    assert warnings(response) == [
        "Not read from your file (the form has no place for them): “owner”, “stars”, “slug”, “score”."
    ]
    body = response.content.decode()
    assert "We filled the form from your file" in body and "“owner”, “stars”, “slug”, “score”" in body


def test_a_file_of_many_unknown_keys_is_summed_up_not_listed_whole(client, unit):
    descriptor = {"title": "Noisy", **{f"key{n}": n for n in range(45)}}

    (warning,) = warnings(upload(client, descriptor))

    assert warning.count("“key") == 30 and warning.endswith("“key29” and 15 more.")


def test_values_the_form_cannot_keep_are_said_not_dropped(client, unit):
    response = upload(
        client,
        {
            "title": "Design Tokens",
            "logo": "images/tokens.png",  # as LISTING.md shows it: a path in the repository
            "docs": "see the wiki",
            "guidelines": "CONTRIBUTING.md",  # and no repository to find it in
            "lifecycle": "eternal",
        },
    )

    assert initial(response) == {"name": "Design Tokens"}
    assert warnings(response) == [
        "From your file: lifecycle “eternal” is not one a project registers with (proposed, incubating, "
        "active, maintained): not kept.",
        "From your file: docs “see the wiki” is not an http(s) URL: not kept.",
        "From your file: logo “images/tokens.png” is a path in your repository: give the logo's http(s) "
        "address below.",
        "From your file: guidelines “CONTRIBUTING.md” is a path with no repository to find it in: give its "
        "URL below.",
    ]


def test_guidelines_given_as_a_path_are_found_in_the_file_s_repository(client, unit):
    response = upload(
        client,
        {
            "title": "Design Tokens",
            "guidelines": "./docs/CONTRIBUTING.md",
            "repository": "https://github.acme.example/ux/tokens.git",
        },
    )

    assert initial(response)["contributing_url"] == (
        "https://github.acme.example/ux/tokens/blob/HEAD/docs/CONTRIBUTING.md"
    )
    assert warnings(response) == []


def test_an_entry_of_the_portal_s_own_export_fills_every_field_the_form_has(client, unit, db):
    project = ProjectFactory(
        name="Ledger",
        lifecycle="maintained",
        license="Apache-2.0",
        communication_url="#ledger",
        contributions_wanted="Bugfixes",
    )
    Repository.objects.create(project=project, forge="github", url="https://github.com/acme/ledger")
    Repository.objects.create(project=project, forge="gitlab", url="https://gitlab.example.com/acme/ui")
    (entry,) = json.loads(export_json())
    response = upload(client, entry)

    filled = initial(response)
    assert filled["lifecycle"] == "maintained" and filled["license"] == "Apache-2.0"
    assert filled["communication_url"] == "#ledger"
    assert filled["repository_urls"] == "https://github.com/acme/ledger\nhttps://gitlab.example.com/acme/ui"
    # Chosen on the form, or the portal's own figures: named, not silently dropped.
    (warning,) = warnings(response)
    for key in ("slug", "business_unit", "business_unit_name", "activity_score", "featured", "verified"):
        assert f"“{key}”" in warning


def test_the_file_s_name_is_checked_for_look_alikes_before_the_form_is_sent(client, unit):
    ProjectFactory(name="Kafka Connect Toolkit")
    response = upload(client, {"title": "Kafka Connect Tookit"})

    (duplicate,) = response.context["duplicates"]
    assert duplicate["name"] == "Kafka Connect Toolkit" and not duplicate["blocking"]
    body = response.content.decode()
    assert "Similar projects already exist" in body and 'href="/catalog/kafka-connect-toolkit/"' in body
    assert 'value="Kafka Connect Tookit"' in body  # with the filled form


def test_the_file_s_repositories_are_checked_for_look_alikes_before_the_form_is_sent(client, unit):
    taken = ProjectFactory(name="Ledger Core")
    Repository.objects.create(project=taken, forge="github", url="https://github.com/acme/ledger")
    hidden = ProjectFactory(name="Quasar", visibility=Visibility.UNITS, business_unit=BusinessUnitFactory())
    Repository.objects.create(project=hidden, forge="github", url="https://github.com/acme/quasar")
    response = upload(
        client,
        {
            "title": "Something else",
            "repositories": ["https://github.com/acme/ledger", "https://github.com/acme/quasar"],
        },
    )

    found = response.context["duplicates"]
    assert [(d["name"], d["blocking"]) for d in found] == [
        ("Ledger Core", True),
        (HIDDEN_PROJECT, True),
    ]
    assert "Quasar" not in response.content.decode()  # blocks its repository without being named


def test_a_file_with_no_look_alike_shows_none(client, unit):
    ProjectFactory(name="Kafka Connect Toolkit")
    response = upload(client, {"title": "Design Tokens", "repository": "https://github.com/acme/tokens"})

    assert response.context["duplicates"] == []
    assert "Similar projects already exist" not in response.content.decode()


# A Backstage component as a team writes it: the form reads its name, description, tags, repository and
# lifecycle, and has no place for the rest.
CATALOG_INFO = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: artist-lookup
  namespace: music
  description: Artist Lookup
  tags: [java, data]
  annotations:
    github.com/project-slug: music/artist-lookup
spec:
  type: service
  lifecycle: experimental
  owner: team-a
relations: []
"""


def test_a_pasted_catalog_info_yaml_fills_the_form(client, unit):
    response = client.post(REGISTER, {"load_descriptor": "1", "descriptor_text": CATALOG_INFO})

    body = response.content.decode()
    assert 'value="artist-lookup"' in body
    assert "https://github.com/music/artist-lookup" in body
    assert 'value="java, data"' in body
    assert '<option value="incubating" selected>' in body


def test_a_catalog_info_yaml_upload_names_what_the_form_does_not_read(client, unit):
    response = upload(client, CATALOG_INFO, name="catalog-info.yaml")

    assert initial(response)["name"] == "artist-lookup"
    assert warnings(response) == [
        "Not read from your file (the form has no place for them): “relations”, “metadata.namespace”, "
        "“spec.type”, “spec.owner”."
    ]


def test_registration_offers_the_lifecycles_of_a_project_in_use_and_says_when_a_file_has_another(
    client, unit
):
    offered = [value for value, _label in client.get(REGISTER).context["form"].fields["lifecycle"].choices]
    assert offered == ["proposed", "incubating", "active", "maintained"]

    from_json = upload(client, {"title": "Old Ledger", "lifecycle": "archived"})
    assert "lifecycle" not in initial(from_json)
    assert warnings(from_json) == [
        "From your file: lifecycle “archived” is not one a project registers with (proposed, incubating, "
        "active, maintained): not kept."
    ]
    yaml = "kind: Component\nmetadata:\n  name: old-ledger\nspec:\n  lifecycle: deprecated\n"
    from_yaml = upload(client, yaml, name="catalog-info.yaml")
    assert "lifecycle" not in initial(from_yaml)
    assert (
        "From your file: spec.lifecycle “deprecated” is not one a project registers with: not kept."
        in warnings(from_yaml)
    )
    # Submitted anyway (a hand-made request), the form refuses it.
    refused = client.post(REGISTER, {"name": "Old Ledger", "lifecycle": "archived"})
    assert "lifecycle" in refused.context["form"].errors


@pytest.mark.parametrize(
    ("descriptor", "message"),
    [
        ({"title": "X", "repositories": "https://github.com/acme/x"}, "“repositories” must be a list"),
        ({"title": "X", "docs": ["https://docs.example.com"]}, "“docs” must be text."),
        ({"title": "X", "skills": {"python": True}}, "“skills” must be a list of words."),
    ],
)
def test_a_key_of_the_wrong_shape_gets_a_clear_message(client, unit, descriptor, message):
    response = upload(client, descriptor)

    (error,) = response.context["descriptor_form"].non_field_errors()
    assert error.startswith(message)
    assert "We filled the form" not in response.content.decode()


def test_key_names_are_shown_as_text_whatever_they_hold(client, unit):
    json_keys = upload(client, {"title": "X", "<img src=x onerror=alert(1)>": 1})
    yaml_keys = upload(client, "kind: Component\nmetadata:\n  name: x\n  7: seven\n8: eight\n", "c.yaml")

    assert "&lt;img src=x onerror=alert(1)&gt;" in json_keys.content.decode()
    assert "<img src=x" not in json_keys.content.decode()
    assert warnings(yaml_keys) == [
        "Not read from your file (the form has no place for them): “8”, “metadata.7”."
    ]


# --- the import ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_names_the_keys_it_ignored_in_the_entry_s_report_line():
    files = [("innersource.json", json.dumps({"title": "Ledger", "owner": "x", "stars": 3}).encode())]

    report = catalog_import(
        entries=parse_files(format="innersource", files=files), business_unit="pay", now=NOW
    )

    (result,) = report.results
    assert "ignored (not an innersource.json key): owner, stars" in result.notes
    assert "ignored (not an innersource.json key): owner, stars" in result.line()


@pytest.mark.django_db
def test_the_import_of_the_portal_s_own_export_ignores_nothing():
    ProjectFactory(name="Ledger")
    files = [("export.json", export_json().encode())]

    report = catalog_import(entries=parse_files(format="innersource", files=files), now=NOW)

    (result,) = report.results
    assert not [note for note in result.notes if note.startswith("ignored")]
