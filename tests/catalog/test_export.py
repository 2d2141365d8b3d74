"""export_catalog: SAP's repos.json for SAP's front end, the portal's JSON, CSV; and round trips."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from catalog.interop import catalog_import, parse_files
from catalog.interop.export import export_csv, export_json, export_sap
from catalog.models import (
    BusinessUnit,
    ImportedEntry,
    Language,
    Lifecycle,
    Project,
    ProjectChange,
    Repository,
    Topic,
)
from catalog.scoring import activity_score
from tests.catalog.test_import import NOW, import_sap, snapshot
from tests.factories import BusinessUnitFactory, ProjectFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def clean_database() -> None:
    Project.objects.all().delete()
    BusinessUnit.objects.all().delete()
    Topic.objects.all().delete()
    Language.objects.all().delete()


def import_text(format: str, text: str, **options):
    return catalog_import(entries=parse_files(format=format, files=[("export", text)]), now=NOW, **options)


def test_the_sap_export_has_what_sap_s_front_end_reads_for_every_project():
    import_sap()

    entries = json.loads(export_sap())

    assert len(entries) == 42
    for entry in entries:
        assert isinstance(entry["id"], int)
        assert entry["html_url"].startswith("https://github.instance/")
        assert entry["owner"]["login"] and entry["name"] and entry["full_name"]
        for key in ("stargazers_count", "forks_count", "open_issues_count"):
            assert isinstance(entry[key], int)
        metadata = entry["_InnerSourceMetadata"]
        assert isinstance(metadata["score"], int) and isinstance(metadata["participation"], list)
        assert isinstance(metadata["topics"], list) and metadata["title"]
    venus = next(e for e in entries if e["full_name"] == "Sol/venus")
    assert venus["html_url"] == "https://github.instance/Sol/venus"  # as the forge spells it
    # The front end links guidelines at <html_url>/blob/<default_branch>/<guidelines>.
    assert venus["_InnerSourceMetadata"]["guidelines"] == "CONTRIBUTING.md"
    assert venus["default_branch"] == "master"
    assert venus["_InnerSourceMetadata"]["skills"] == ["C++", "Markdown"]
    assert venus["_InnerSourceMetadata"]["contributions"] == ["Documentation", "Bugfixes", "Features"]
    assert venus["created_at"] == "2018-08-10T05:47:37Z"


def test_the_sap_export_carries_our_stored_activity_score_which_the_published_score_agrees_with():
    import_sap(now=NOW)

    entries = json.loads(export_sap())

    for entry in entries:
        project = Project.objects.get(repositories__id=entry["id"])
        assert entry["_InnerSourceMetadata"]["score"] == project.activity_score
        # The exported repository, scored by the published algorithm, gives the stored score back.
        assert activity_score(entry, now=NOW) == project.activity_score


def test_sap_export_then_import_into_a_clean_database_gives_the_same_projects():
    import_sap()
    before = snapshot()
    exported = export_sap()
    clean_database()

    report = import_text("sap", exported)

    assert report.counts()["created"] == 42
    assert snapshot() == before


def test_sap_export_then_import_into_the_same_database_changes_nothing():
    import_sap()
    before = snapshot()
    changes = ProjectChange.objects.count()
    stamps = dict(Project.objects.values_list("slug", "updated_at"))

    report = import_text("sap", export_sap())

    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 42, "skipped": 0}
    assert snapshot() == before
    assert ProjectChange.objects.count() == changes
    assert dict(Project.objects.values_list("slug", "updated_at")) == stamps
    assert export_sap() == export_sap()


def portal_project() -> Project:
    project = ProjectFactory(
        name="Ledger",
        business_unit=BusinessUnitFactory(name="Finance IT", slug="finance-it"),
        description="Double-entry bookkeeping for every team.",
        motivation="Audited once, reused everywhere.",
        lifecycle=Lifecycle.MAINTAINED,
        license="Apache-2.0",
        docs_url="https://docs.example.com/ledger",
        contributing_url="https://docs.example.com/ledger/contributing",
        communication_url="#ledger",
        skills_wanted=["Kotlin", "SQL"],
        contributions_wanted="Bugfixes\nDocumentation",
        logo_url="https://cdn.example.com/ledger.png",
    )
    project.topics.set([Topic.objects.create(name="accounting"), Topic.objects.create(name="money")])
    project.languages.set([Language.objects.create(name="Kotlin"), Language.objects.create(name="SQL")])
    RepositoryFactory(
        project=project,
        url="https://github.com/acme/ledger",
        full_name="acme/ledger",
        default_branch="main",
        description="Ledger service",
        stars=12,
        forks=3,
        watchers=4,
        open_issues=5,
        participation=[1, 2, 3],
        forge_created_at=datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC),
        forge_updated_at=datetime(2024, 1, 2, tzinfo=UTC),
    )
    Repository.objects.create(
        project=project, forge="gitlab", url="https://gitlab.example.com/acme/ledger-ui"
    )
    return project


def test_the_json_export_round_trips_through_the_innersource_import_into_a_clean_database(settings):
    # The ledger's second repository is on the deployment's GitLab: the import reads its forge from
    # the host, as the registration did.
    settings.GITLAB_URL = "https://gitlab.example.com"
    portal_project()
    ProjectFactory(name="No repository yet", description="Just an idea.")
    before = snapshot()
    exported = export_json()
    assert json.loads(exported)[0]["slug"] == "ledger"
    clean_database()

    report = import_text("innersource", exported)

    assert report.counts()["created"] == 2
    after = snapshot()
    for slug in before:  # repository statistics are not part of an innersource.json
        for row in before[slug]["repositories"] + after[slug]["repositories"]:
            assert row[0]
        before[slug]["repositories"] = [row[:2] for row in before[slug]["repositories"]]
        after[slug]["repositories"] = [row[:2] for row in after[slug]["repositories"]]
        before[slug]["activity_score"] = after[slug]["activity_score"] = None
    assert after == before


def test_the_json_export_imported_into_the_same_database_changes_nothing():
    portal_project()
    before = snapshot()

    report = import_text("innersource", export_json())

    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert snapshot() == before
    assert ImportedEntry.objects.get().external_key == "https://github.com/acme/ledger"


def test_a_portal_project_survives_the_sap_round_trip_too():
    portal_project()
    before = snapshot()
    exported = export_sap()
    entry = json.loads(exported)[0]
    assert entry["language"] == "Kotlin"
    assert entry["_InnerSourceMetadata"]["portal"]["languages"] == ["Kotlin", "SQL"]
    assert entry["license"]["spdx_id"] == "Apache-2.0"
    clean_database()

    import_text("sap", exported)

    after = snapshot()
    assert after["ledger"]["business_unit"] == ("finance-it", "Finance IT")
    # The SAP format has no lifecycle, channel or second repository: everything else comes back.
    for name in ("lifecycle", "communication_url", "repositories", "activity_score"):
        before["ledger"].pop(name), after["ledger"].pop(name)
    assert after == before


def test_guidelines_outside_the_repository_come_back_from_the_sap_round_trip():
    portal_project()
    exported = export_sap()
    metadata = json.loads(exported)[0]["_InnerSourceMetadata"]
    assert "guidelines" not in metadata  # SAP's page would append the URL to the repository's
    assert metadata["portal"]["contributing_url"] == "https://docs.example.com/ledger/contributing"
    clean_database()

    import_text("sap", exported)

    assert Project.objects.get().contributing_url == "https://docs.example.com/ledger/contributing"


def test_only_listed_projects_are_exported():
    listed = portal_project()
    ProjectFactory(name="Pending", review_status="pending")
    ProjectFactory(name="Merged away", merged_into=listed)

    assert [e["title"] for e in json.loads(export_json())] == ["Ledger"]
    assert [e["_InnerSourceMetadata"]["title"] for e in json.loads(export_sap())] == ["Ledger"]
    assert [row["name"] for row in csv.DictReader(io.StringIO(export_csv()))] == ["Ledger"]


def test_the_csv_export_has_one_row_per_project_and_defuses_spreadsheet_formulas():
    portal_project()
    ProjectFactory(name='=HYPERLINK("http://evil")', slug="formula", description="@SUM(A1)")

    rows = list(csv.DictReader(io.StringIO(export_csv())))

    assert len(rows) == 2
    ledger = next(r for r in rows if r["slug"] == "ledger")
    assert ledger["topics"] == "accounting; money"
    assert (
        ledger["repositories"] == "https://github.com/acme/ledger https://gitlab.example.com/acme/ledger-ui"
    )
    assert ledger["business_unit"] == "Finance IT" and ledger["lifecycle"] == "maintained"
    formula = next(r for r in rows if r["slug"] == "formula")
    assert formula["name"].startswith("'=") and formula["description"] == "'@SUM(A1)"


def test_the_export_command_writes_to_stdout_or_to_a_file(tmp_path):
    portal_project()
    out = io.StringIO()
    call_command("export_catalog", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())[0]["slug"] == "ledger"

    target = tmp_path / "repos.json"
    call_command("export_catalog", "--format", "sap", "--out", str(target))
    assert json.loads(target.read_text())[0]["full_name"] == "acme/ledger"
