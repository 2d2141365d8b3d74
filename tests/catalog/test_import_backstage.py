"""import_catalog --format backstage: catalog-info.yaml files with several entity kinds."""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from catalog.interop import ImportFormatError, catalog_import, parse_files
from catalog.models.assets import Adoption, Asset, AssetKind
from catalog.models.imports import ProjectLink, ProjectRelation
from catalog.models.projects import BusinessUnit, Lifecycle, Project, ProjectRole, Visibility
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
    assert not (ProjectLink.objects.exists() or ProjectRelation.objects.exists() or Asset.objects.exists())


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


# ----- what users wrote: links, relations, types, lifecycles, names (issue 14, finding 7) -----

# Backstage's packages/catalog-model/examples/apis/petstore-api.yaml (Apache-2.0), its definition cut short.
PETSTORE_API = """\
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: petstore
  description: The petstore API
  tags:
    - store
    - rest
  links:
    - url: https://github.com/swagger-api/swagger-petstore
      title: GitHub Repo
      icon: github
    - url: https://github.com/OAI/OpenAPI-Specification/blob/master/examples/v3.0/petstore.yaml
      title: API Spec
      icon: code
spec:
  type: openapi
  lifecycle: experimental
  owner: team-c
  definition: |
    openapi: "3.0.0"
    info:
      version: 1.0.0
      title: Swagger Petstore
"""

# A shop that calls the petstore API, owned by a team of its own.
PET_SHOP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: storefront
spec:
  type: team
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: pet-shop-web
  description: The pet shop's web site.
spec:
  type: website
  lifecycle: production
  owner: group:storefront
  consumesApis: [petstore]
"""

# A System with an API of its own and a library that is part of it.
SYSTEM_WITH_API = """\
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: audio-playback
  description: Audio playback system
spec:
  owner: team-b
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: playback-order
  description: The order in which tracks are played.
spec:
  type: grpc
  lifecycle: production
  owner: team-b
  system: audio-playback
  definition: "syntax = 'proto3';"
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: playback-lib
  description: Plays audio.
spec:
  type: library
  lifecycle: experimental
  owner: team-b
  system: audio-playback
"""


def example_files(*extra):
    return [(p.name, p.read_bytes()) for p in VALID] + list(extra)


def page(client, project, user=None):
    if user is not None:
        client.force_login(user)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_artist_lookup_keeps_all_seven_links_in_order_and_its_page_lists_them(client, outsider):
    import_files(example_files(), business_unit="platform")

    lookup = Project.objects.get(name="artist-lookup")
    links = list(lookup.links.values_list("url", "title", "icon"))
    assert links == [
        ("https://example.com/user", "Examples Users", "user"),
        ("https://example.com/group", "Example Group", "group"),
        ("https://example.com/cloud", "Link with Cloud Icon", "cloud"),
        ("https://example.com/dashboard", "Dashboard", "dashboard"),
        ("https://example.com/help", "Support", "help"),
        ("https://example.com/web", "Website", "web"),
        ("https://example.com/alert", "Alerts", "alert"),
    ]
    html = page(client, lookup, outsider)
    assert "<h2>Links</h2>" in html
    for url, title, _ in links:
        assert f'<a href="{url}">{title}</a>' in html
    petstore = Project.objects.get(name="petstore")
    assert list(petstore.links.values_list("url", "title", "icon")) == [
        ("https://github.com/chahatd/backstage", "GitHub Repo", "github")
    ]


def test_a_link_that_is_not_a_web_or_mail_address_is_reported_and_not_kept():
    text = SEVERAL_KINDS.replace(
        "    - url: https://chat.acme.example/ledger\n",
        "    - url: javascript:alert(1)\n      title: Run me\n    - url: mailto:ledger@acme.example\n"
        "      title: Write to us\n    - url: https://chat.acme.example/ledger\n",
    )
    UserFactory(username="alovelace", email="ada.lovelace@example.com")

    report = import_files([("catalog-info.yaml", text)])

    service = Project.objects.get(name="Ledger Service")
    assert list(service.links.values_list("url", flat=True)) == [
        "https://docs.acme.example/ledger",
        "mailto:ledger@acme.example",
        "https://chat.acme.example/ledger",
    ]
    notes = next(r.notes for r in report.results if "ledger-service" in r.label)
    assert "the link “Run me” (javascript:alert(1)) is not a web or mail address: not kept" in notes


def test_relations_are_kept_and_point_to_the_catalog_entries_they_name():
    import_files(example_files(), business_unit="platform")

    def relations(name):
        project = Project.objects.get(name=name)
        return sorted(
            (r.kind, r.target_ref, r.target_project.name if r.target_project else None)
            for r in project.relations.select_related("target_project")
        )

    assert relations("artist-lookup") == [
        ("depends_on", "resource:default/artists-db", "artists-db"),
        ("part_of", "system:default/artist-engagement-portal", None),
    ]
    assert relations("artists-db") == [("part_of", "system:default/artist-engagement-portal", None)]
    assert relations("petstore") == [
        ("consumes_api", "api:default/searcher", None),
        ("provides_api", "api:default/petstore", None),
        ("provides_api", "api:default/playback-order", None),
        ("provides_api", "api:default/streetlights", None),
    ]
    assert relations("podcast") == [("part_of", "domain:default/playback", None)]


def test_the_project_page_shows_relations_linked_when_in_the_catalog_and_as_text_otherwise(client, outsider):
    import_files(example_files(), business_unit="platform")

    html = page(client, Project.objects.get(name="artist-lookup"), outsider)

    database = Project.objects.get(name="artists-db")
    assert "<h2>Relations</h2>" in html
    assert f'<dt>depends on</dt><dd><a href="{database.get_absolute_url()}">artists-db</a></dd>' in html
    assert "<dt>part of</dt><dd>system:artist-engagement-portal</dd>" in html
    html = page(client, Project.objects.get(name="petstore"))
    assert "<dt>provides API</dt><dd>api:petstore, api:streetlights, api:playback-order</dd>" in html
    assert "<dt>consumes API</dt><dd>api:searcher</dd>" in html


def test_a_relation_to_a_project_the_viewer_may_not_see_does_not_show_its_name(
    client, outsider, program_office
):
    import_files(example_files(), business_unit="platform")
    database = Project.objects.get(name="artists-db")
    database.name = "Secret artist vault"
    database.visibility = Visibility.UNITS
    database.save()
    lookup = Project.objects.get(name="artist-lookup")

    html = page(client, lookup, outsider)
    assert "Secret artist vault" not in html and database.slug not in html and "artists-db" not in html
    assert "depends on" not in html  # nothing hints that a hidden entry exists
    html = page(client, lookup, program_office)
    assert f'<a href="{database.get_absolute_url()}">Secret artist vault</a>' in html


def test_a_relation_named_before_its_target_was_imported_links_to_it_once_the_target_arrives():
    import_files(
        [("lookup.yaml", (BACKSTAGE / "artist-lookup-component.yaml").read_bytes())], business_unit="x"
    )
    relation = Project.objects.get(name="artist-lookup").relations.get(kind="depends_on")
    assert relation.target_project is None

    import_files([("db.yaml", (BACKSTAGE / "artists-db-resource.yaml").read_bytes())], business_unit="x")

    relation.refresh_from_db()
    assert relation.target_project == Project.objects.get(name="artists-db")


def test_spec_type_sets_the_kind_of_the_asset_each_entity_offers():
    report = import_files(example_files(), business_unit="platform")
    import_files([("system.yaml", SYSTEM_WITH_API), ("shop.yaml", PET_SHOP)], business_unit="platform")

    def assets(name):
        return list(Project.objects.get(name=name).assets.values_list("name", "kind"))

    assert assets("artist-lookup") == [("artist-lookup", AssetKind.SERVICE)]  # service
    assert assets("petstore") == [("petstore", AssetKind.SERVICE)]  # service
    assert assets("artists-db") == [("artists-db", AssetKind.DATASET)]  # a database Resource
    assert assets("pet-shop-web") == [("pet-shop-web", AssetKind.TOOL)]  # website
    assert sorted(assets("audio-playback")) == [("playback-order", AssetKind.SERVICE)]  # the system's API
    assert assets("playback-lib") == [("playback-lib", AssetKind.LIBRARY)]  # library
    assert assets("podcast") == []  # a System offers what its parts offer
    lookup = Project.objects.get(name="artist-lookup").assets.get()
    assert lookup.description == "Artist Lookup"
    notes = next(r.notes for r in report.results if "podcast" in r.label)
    assert not any("spec.type" in note for note in notes)  # a System has no type to lose


def test_a_component_type_without_a_portal_kind_is_reported_and_makes_no_asset():
    text = (
        (BACKSTAGE / "artist-lookup-component.yaml").read_text().replace("type: service", "type: pipeline-x")
    )

    report = import_files([("lookup.yaml", text)], business_unit="x")

    assert not Project.objects.get(name="artist-lookup").assets.exists()
    assert "spec.type “pipeline-x” has no asset kind in the portal: no asset made" in report.results[0].notes


def test_an_api_becomes_a_service_asset_of_its_systems_project_not_a_project_of_its_own():
    report = import_files([("system.yaml", SYSTEM_WITH_API)], business_unit="audio")

    assert sorted(Project.objects.values_list("name", flat=True)) == ["audio-playback", "playback-lib"]
    system = Project.objects.get(name="audio-playback")
    asset = system.assets.get()
    assert (asset.name, asset.kind, asset.description) == (
        "playback-order",
        AssetKind.SERVICE,
        "The order in which tracks are played.",
    )
    result = next(r for r in report.results if "playback-order" in r.label)
    assert (result.outcome, result.project) == ("created", system.slug)
    assert "an asset of audio-playback (its system)" in result.notes
    # The library is part of the system, which the catalog holds: the relation links there.
    part_of = Project.objects.get(name="playback-lib").relations.get()
    assert (part_of.kind, part_of.target_project) == ("part_of", system)


def test_a_component_and_an_api_both_named_petstore_become_one_project_and_its_api_asset(client):
    import_files(example_files(("petstore-api.yaml", PETSTORE_API)), business_unit="platform")

    petstore = Project.objects.get(name__iexact="petstore")  # one project of that name
    assert sorted(petstore.assets.values_list("name", "kind")) == [
        ("petstore", AssetKind.SERVICE),
        ("petstore (API)", AssetKind.SERVICE),
    ]
    api = petstore.assets.get(name="petstore (API)")
    assert api.url == "https://github.com/swagger-api/swagger-petstore"
    assert sorted(t.name for t in api.topics.all()) == ["rest", "store"]
    # The API's two links are kept too, on the project that now offers it, naming the asset.
    assert list(petstore.links.filter(asset=api).values_list("title", flat=True)) == [
        "GitHub Repo",
        "API Spec",
    ]
    provides = petstore.relations.get(target_ref="api:default/petstore")
    assert (provides.target_project, provides.target_asset) == (petstore, api)
    html = page(client, petstore)
    assert f'<dt>provides API</dt><dd><a href="{api.get_absolute_url()}">petstore (API)</a>, ' in html


def test_a_component_and_an_api_of_the_same_name_that_stay_apart_get_distinct_names():
    component = (BACKSTAGE / "petstore-component.yaml").read_text().replace("    - petstore\n", "")

    import_files([("c.yaml", component), ("api.yaml", PETSTORE_API)], business_unit="platform")

    assert sorted(Project.objects.values_list("name", flat=True)) == ["petstore", "petstore (API)"]
    api_project = Project.objects.get(name="petstore (API)")
    assert list(api_project.assets.values_list("name", "kind")) == [("petstore", AssetKind.SERVICE)]
    assert api_project.lifecycle == Lifecycle.INCUBATING


def test_a_system_or_resource_without_a_lifecycle_gets_none_invented():
    report = import_files(example_files(), business_unit="platform")

    assert Project.objects.get(name="podcast").lifecycle == Lifecycle.PROPOSED
    assert Project.objects.get(name="artists-db").lifecycle == Lifecycle.PROPOSED
    assert Project.objects.get(name="petstore").lifecycle == Lifecycle.ACTIVE  # production
    notes = next(r.notes for r in report.results if "podcast" in r.label)
    assert "no lifecycle in the file: left at Proposed for the program office to set" in notes


def test_a_lifecycle_without_a_portal_equivalent_is_not_replaced_by_an_invented_one():
    text = (BACKSTAGE / "artist-lookup-component.yaml").read_text().replace("experimental", "beta")

    import_files([("lookup.yaml", text)], business_unit="x")

    assert Project.objects.get(name="artist-lookup").lifecycle == Lifecycle.PROPOSED


def test_consuming_a_catalog_api_is_an_adoption_by_the_consuming_team():
    import_files(example_files(("petstore-api.yaml", PETSTORE_API)), business_unit="platform")

    import_files([("shop.yaml", PET_SHOP)])

    api = Asset.objects.get(name="petstore (API)")
    adoption = Adoption.objects.get()
    assert (adoption.asset, adoption.business_unit.slug, adoption.team, adoption.ended_on) == (
        api,
        "storefront",
        "pet-shop-web",
        None,
    )
    consumes = Project.objects.get(name="pet-shop-web").relations.get(kind="consumes_api")
    assert (consumes.target_project, consumes.target_asset) == (api.project, api)


def test_an_adoption_the_team_ended_is_not_made_again_by_a_reimport():
    import_files(
        example_files(("petstore-api.yaml", PETSTORE_API), ("shop.yaml", PET_SHOP)), business_unit="p"
    )
    adoption = Adoption.objects.get()
    Adoption.objects.filter(pk=adoption.pk).update(ended_on=adoption.since)

    import_files(
        example_files(("petstore-api.yaml", PETSTORE_API), ("shop.yaml", PET_SHOP)), business_unit="p"
    )

    assert Adoption.objects.count() == 1


def test_reimporting_the_examples_with_links_relations_assets_and_adoptions_changes_nothing():
    files = example_files(
        ("petstore-api.yaml", PETSTORE_API), ("shop.yaml", PET_SHOP), ("system.yaml", SYSTEM_WITH_API)
    )
    import_files(files, business_unit="platform")

    def state():
        return (
            sorted(Project.objects.values_list("name", "lifecycle")),
            sorted(Asset.objects.values_list("project__name", "name", "kind", "url")),
            sorted(ProjectLink.objects.values_list("project__name", "url", "title", "position")),
            sorted(
                ProjectRelation.objects.values_list("project__name", "kind", "target_ref", "target_project")
            ),
            sorted(Adoption.objects.values_list("asset__name", "team", "ended_on")),
        )

    before = state()

    report = import_files(files, business_unit="platform")

    assert report.counts()["created"] == report.counts()["updated"] == 0
    assert state() == before
    assert len(before[2]) == 7 + 1 + 2  # artist-lookup's, petstore's, the petstore API's links
    assert len(before[4]) == 1


def test_a_curators_edits_of_imported_links_and_assets_are_kept_on_reimport():
    import_files(example_files(), business_unit="platform")
    lookup = Project.objects.get(name="artist-lookup")
    lookup.links.filter(title="Alerts").delete()
    asset = lookup.assets.get()
    asset.name, asset.kind = "Artist lookup service", AssetKind.LIBRARY
    asset.save()

    report = import_files(example_files(), business_unit="platform")

    assert lookup.links.count() == 6
    asset.refresh_from_db()
    assert (asset.name, asset.kind) == ("Artist lookup service", AssetKind.LIBRARY)
    notes = next(r.notes for r in report.results if "artist-lookup" in r.label)
    assert "kept curator's edit of links" in notes
    assert "kept curator's edit of the asset's name" in notes

    import_files(example_files(), business_unit="platform", overwrite=True)

    assert lookup.links.count() == 7
    asset.refresh_from_db()
    assert (asset.name, asset.kind) == ("artist-lookup", AssetKind.SERVICE)


def test_links_and_relations_that_change_in_the_file_change_on_reimport():
    import_files(example_files(), business_unit="platform")
    text = (
        (BACKSTAGE / "artist-lookup-component.yaml")
        .read_text()
        .replace("https://example.com/alert", "https://alerts.example.com/")
        .replace("dependsOn: ['resource:artists-db']", "dependsOn: ['component:default/petstore']")
    )

    report = import_files([("lookup.yaml", text)], business_unit="platform")

    lookup = Project.objects.get(name="artist-lookup")
    assert lookup.links.get(title="Alerts").url == "https://alerts.example.com/"
    depends = lookup.relations.get(kind="depends_on")
    assert (depends.target_ref, depends.target_project.name) == ("component:default/petstore", "petstore")
    assert report.results[0].outcome == "updated"
    assert {"links", "relations"} <= set(report.results[0].changed)


def test_a_relation_to_an_invalid_entity_reference_is_refused_naming_the_entity():
    text = (BACKSTAGE / "artist-lookup-component.yaml").read_text().replace("'resource:artists-db'", "'a b'")

    with pytest.raises(ImportFormatError, match=r"Component “artist-lookup”\): spec.dependsOn “a b” is not"):
        import_files([("lookup.yaml", text)], business_unit="x")


def test_an_api_imported_after_the_component_that_provides_it_becomes_that_projects_asset():
    import_files([("c.yaml", (BACKSTAGE / "petstore-component.yaml").read_bytes())], business_unit="platform")

    report = import_files([("api.yaml", PETSTORE_API)], business_unit="platform")

    petstore = Project.objects.get()
    assert sorted(petstore.assets.values_list("name", flat=True)) == ["petstore", "petstore (API)"]
    assert report.results[0].notes[0] == "an asset of petstore (which provides it)"
    provides = petstore.relations.get(target_ref="api:default/petstore")
    assert provides.target_asset == petstore.assets.get(name="petstore (API)")


# --- the package an entity publishes, from the annotations of Backstage's community plugins ---------

PACKAGES = (BACKSTAGE.parent / "backstage-packages.yaml").read_text()


def packages_of() -> dict[str, str]:
    return dict(Asset.objects.values_list("project__name", "package_url"))


def test_an_npm_or_nexus_maven_annotation_gives_the_asset_its_package_url():
    report = import_files([("packages.yaml", PACKAGES)], business_unit="design")

    assert packages_of() == {
        "design-tokens": "pkg:npm/%40acme/design-tokens",
        "ledger-client": "pkg:maven/com.acme/ledger-client",
        "half-coordinates": "",  # a group without its artifact names no package
        "no-name": "",
    }
    assert Asset.objects.get(project__name="design-tokens").package_key == "pkg:npm/%40acme/design-tokens"
    notes = next(r.notes for r in report.results if "no-name" in r.label)
    assert any(note.startswith("npm/package “@acme/” is no valid package") for note in notes), notes


def test_a_package_the_file_names_later_is_taken_and_one_a_curator_set_is_kept():
    without = PACKAGES.replace('    npm/package: "@acme/design-tokens"\n', "    acme.example/team: design\n")
    import_files([("packages.yaml", without)], business_unit="design")
    assert packages_of()["design-tokens"] == ""

    import_files([("packages.yaml", PACKAGES)], business_unit="design")
    assert packages_of()["design-tokens"] == "pkg:npm/%40acme/design-tokens", "named since: taken"

    ledger = Asset.objects.get(project__name="ledger-client")
    ledger.package_url = "pkg:maven/com.acme/ledger-client-jvm"
    ledger.save()
    report = import_files([("packages.yaml", PACKAGES)], business_unit="design")
    assert packages_of()["ledger-client"] == "pkg:maven/com.acme/ledger-client-jvm"
    notes = next(r.notes for r in report.results if "ledger-client" in r.label)
    assert "kept curator's edit of the asset's package_url" in notes

    # A file that stops naming a package leaves the one the portal holds.
    import_files([("packages.yaml", without)], business_unit="design")
    assert packages_of()["design-tokens"] == "pkg:npm/%40acme/design-tokens"
