"""import_catalog --format backstage: catalog-info.yaml files with several entity kinds."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from catalog.interop import ImportFormatError, catalog_import, parse_files
from catalog.models import BusinessUnit, Lifecycle, Project, ProjectRole
from tests.factories import BusinessUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

BACKSTAGE = Path(__file__).resolve().parent.parent / "fixtures" / "backstage"
VALID = sorted(p for p in BACKSTAGE.glob("*.yaml") if p.name != "invalid-component.yaml")

SEVERAL_KINDS = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments Team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ada
spec:
  profile:
    email: Ada.Lovelace@Example.com
  memberOf: [payments]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-service
  title: Ledger Service
  description: Double-entry bookkeeping as a service.
  tags: [kotlin, accounting]
  annotations:
    github.com/project-slug: acme/ledger
  links:
    - url: https://docs.acme.example/ledger
      title: Documentation
    - url: https://chat.acme.example/ledger
      title: Slack channel
spec:
  type: service
  lifecycle: production
  owner: group:payments
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: ledger-api
  description: The ledger's REST API.
  annotations:
    gitlab.com/project-slug: acme/ledger-api
spec:
  type: openapi
  lifecycle: experimental
  owner: user:ada
  definition: "openapi: 3.0.0"
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: ledger-db
  annotations:
    backstage.io/source-location: url:https://git.acme.example/dba/ledger-db/tree/main/
spec:
  type: database
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: finance
spec:
  owner: payments
"""


def import_files(files, **options):
    return catalog_import(entries=parse_files(format="backstage", files=files), **options)


def test_a_backstage_file_with_several_kinds_imports_with_owners_mapped_to_business_units_and_people():
    ada = UserFactory(username="alovelace", email="ada.lovelace@example.com")

    report = import_files([("catalog-info.yaml", SEVERAL_KINDS)])

    outcomes = [(r.label.split("(")[1].rstrip(")"), r.outcome) for r in report.results]
    assert outcomes == [
        ("Group “payments”", "created"),
        ("User “ada”", "unchanged"),
        ("Component “ledger-service”", "created"),
        ("API “ledger-api”", "created"),
        ("Resource “ledger-db”", "created"),
        ("Domain “finance”", "skipped"),
    ]
    payments = BusinessUnit.objects.get(slug="payments")
    assert payments.name == "Payments Team"
    service = Project.objects.get(name="Ledger Service")
    assert service.business_unit == payments
    assert service.lifecycle == Lifecycle.ACTIVE
    assert sorted(t.name for t in service.topics.all()) == ["accounting", "kotlin"]
    assert service.docs_url == "https://docs.acme.example/ledger"
    assert service.communication_url == "https://chat.acme.example/ledger"
    assert service.repositories.get().url == "https://github.com/acme/ledger"
    api = Project.objects.get(name="ledger-api")
    # Owned by a person: that person owns the project, which belongs to the person's group.
    assert api.business_unit == payments and api.lifecycle == Lifecycle.INCUBATING
    assert list(api.roles.values_list("user", "role")) == [(ada.pk, ProjectRole.Role.OWNER)]
    assert api.repositories.get().forge == "gitlab"
    database = Project.objects.get(name="ledger-db")
    assert database.repositories.get().url == "https://git.acme.example/dba/ledger-db"
    assert database.business_unit == payments
    assert "matches the portal user alovelace" in report.results[1].notes


def test_the_backstage_example_files_import_with_groups_locations_and_unmatched_users_reported():
    janelle = UserFactory(username="jdawe", email="JANELLE-DAWE@example.com")
    users_before = get_user_model().objects.count()
    files = [(p.name, p.read_bytes()) for p in VALID]

    report = import_files(files, business_unit="platform")

    by_label = {r.label: r for r in report.results}
    location = by_label["org.yaml document #2 (Location “example-groups”)"]
    assert location.outcome == "skipped" and "Location" in location.notes[0]
    assert by_label["team-a-group.yaml document #3 (User “janelle.dawe”)"].outcome == "unchanged"
    nigel = by_label["team-a-group.yaml document #4 (User “nigel.manning”)"]
    assert nigel.outcome == "skipped"
    assert nigel.notes[0].startswith(
        "no portal account with the e-mail nigel-manning@example.com or the username nigel.manning; "
    )
    assert "import_directory FILE --format backstage" in nigel.notes[0]  # where such people go
    assert "team-a-group.yaml document #6 (User “development/guest”)" in by_label
    assert get_user_model().objects.count() == users_before  # no accounts are made
    assert BusinessUnit.objects.get(slug="team-a").projects.count() == 2  # artist-lookup, artists-db
    assert Project.objects.get(name="petstore").business_unit.slug == "platform"  # owner "sre" is unknown
    assert (
        Project.objects.get(name="petstore").repositories.get().url == "https://github.com/chahatd/backstage"
    )
    assert Project.objects.get(name="artist-lookup").lifecycle == Lifecycle.INCUBATING
    assert Project.objects.get(name="podcast").business_unit.slug == "platform"
    assert not ProjectRole.objects.filter(user=janelle).exists()  # she owns nothing in these files


def test_the_invalid_backstage_component_is_refused_naming_it_and_nothing_is_written():
    files = [(p.name, p.read_bytes()) for p in sorted(BACKSTAGE.glob("*.yaml"))]

    with pytest.raises(ImportFormatError) as error:
        import_files(files, business_unit="platform")

    assert str(error.value).startswith(
        "invalid-component.yaml document #1 (Component “invalid component”): "
        "metadata.name “invalid component” is not a valid Backstage name"
    )
    assert Project.objects.count() == BusinessUnit.objects.count() == 0


def test_the_command_refuses_the_invalid_component_with_one_clear_line():
    with pytest.raises(CommandError, match=r"invalid-component.yaml document #1 .*Nothing was imported\.$"):
        call_command("import_catalog", str(BACKSTAGE), "--format", "backstage", "--business-unit", "platform")
    assert not Project.objects.exists()


def test_reimporting_a_backstage_file_changes_nothing():
    UserFactory(username="alovelace", email="ada.lovelace@example.com")
    import_files([("catalog-info.yaml", SEVERAL_KINDS)])
    roles = ProjectRole.objects.count()

    report = import_files([("catalog-info.yaml", SEVERAL_KINDS)])

    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 5, "skipped": 1}
    assert ProjectRole.objects.count() == roles


def test_a_project_owned_by_a_person_of_no_group_needs_a_default_business_unit():
    text = SEVERAL_KINDS.split("---")[3]  # the API, owned by user:ada, without ada's User entity

    with pytest.raises(ImportFormatError, match=r"API “ledger-api”\): no business unit"):
        import_files([("api.yaml", text)])


def test_an_owner_group_that_is_already_a_business_unit_is_used():
    unit = BusinessUnitFactory(name="Site Reliability", slug="sre")

    import_files(
        [("petstore.yaml", (BACKSTAGE / "petstore-component.yaml").read_bytes())], business_unit="other"
    )

    assert Project.objects.get(name="petstore").business_unit == unit


def test_an_invalid_tag_is_refused_naming_the_entity():
    text = SEVERAL_KINDS.replace("tags: [kotlin, accounting]", "tags: [Kotlin Code]")

    with pytest.raises(ImportFormatError, match=r"Component “ledger-service”\): the tag “Kotlin Code”"):
        import_files([("catalog-info.yaml", text)])


def test_an_entity_defined_twice_is_refused():
    text = (BACKSTAGE / "artists-db-resource.yaml").read_text()

    with pytest.raises(
        ImportFormatError, match=r"b.yaml document #1 .*resource:default/artists-db is already"
    ):
        import_files([("a.yaml", text), ("b.yaml", text)], business_unit="x")


def test_invalid_yaml_is_refused_with_its_line():
    with pytest.raises(ImportFormatError, match=r"broken.yaml: not valid YAML at line 3\."):
        import_files([("broken.yaml", "kind: Component\nmetadata:\n  name: x: y\nspec: {}\n")])


def test_a_document_without_kind_is_refused():
    with pytest.raises(ImportFormatError, match=r"x.yaml document #1: “kind” is missing"):
        import_files([("x.yaml", "apiVersion: backstage.io/v1alpha1\nmetadata:\n  name: x\n")])


def test_the_command_dry_run_reports_and_writes_nothing():
    out = io.StringIO()
    call_command(
        "import_catalog",
        *map(str, VALID),
        "--format",
        "backstage",
        "--business-unit",
        "platform",
        "--dry-run",
        stdout=out,
    )

    assert "Check only, nothing written: 6 created" in out.getvalue()
    assert not Project.objects.exists() and not BusinessUnit.objects.exists()


HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"


def test_a_billion_laughs_file_is_refused_for_its_aliases_and_nothing_is_imported():
    text = (HOSTILE / "billion-laughs.yaml").read_text()

    with pytest.raises(
        ImportFormatError, match=r"^laughs.yaml: the YAML's aliases \(\*[a-h]\) stand for more"
    ):
        import_files([("laughs.yaml", text)], business_unit="x")
    assert not Project.objects.exists()


def test_the_command_refuses_a_billion_laughs_file_in_one_line():
    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(HOSTILE / "billion-laughs.yaml"), "--format", "backstage")

    message = str(error.value)
    assert "billion-laughs.yaml: the YAML's aliases" in message and "\n" not in message
    assert message.endswith("Nothing was imported.")


def test_yaml_nested_too_deeply_is_refused_naming_the_file():
    text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\nspec: " + "[" * 100_000

    with pytest.raises(ImportFormatError, match=r"^deep.yaml: the YAML is nested deeper than 64 levels\.$"):
        import_files([("deep.yaml", text)])
