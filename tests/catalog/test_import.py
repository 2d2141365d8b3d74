"""import_catalog: SAP's repos.json and innersource.json files (Backstage in test_import_backstage.py)."""

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.interop import ImportFormatError, catalog_import, parse_files
from catalog.models import (
    BusinessUnit,
    ImportedEntry,
    Language,
    Lifecycle,
    Notification,
    Project,
    ProjectChange,
    Repository,
    ReviewStatus,
    SearchEntry,
    Topic,
)
from tests.factories import BusinessUnitFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
REPOS_JSON = FIXTURES / "sap-portal" / "repos.json"
NOW = datetime(2020, 10, 15, 12, tzinfo=UTC)


def sap_items() -> list[dict]:
    return json.loads(REPOS_JSON.read_text())


def import_sap(data=None, **options):
    content = REPOS_JSON.read_bytes() if data is None else json.dumps(data)
    entries = parse_files(format="sap", files=[("repos.json", content)])
    return catalog_import(entries=entries, now=options.pop("now", NOW), **options)


# Project fields a snapshot leaves out: the row's identity and history, which an import makes anew; the
# score's explanation, which it recomputes (the score itself is compared); the slug, which keys the
# snapshot, and the unit, which is compared by its slug and name.
SNAPSHOT_OMITS = {
    "id",
    "merged_into",
    "created_by",
    "created_at",
    "updated_at",
    "activity_score_explanation",
    "slug",
    "business_unit",
}


def snapshot() -> dict:
    """Every stored value an import or export carries, per project slug."""
    carried = [field.name for field in Project._meta.concrete_fields if field.name not in SNAPSHOT_OMITS]
    projects = {}
    for project in Project.objects.prefetch_related("topics", "languages", "repositories"):
        projects[project.slug] = {
            **{name: getattr(project, name) for name in carried},
            "business_unit": (project.business_unit.slug, project.business_unit.name),
            "topics": sorted(t.name.casefold() for t in project.topics.all()),
            "languages": sorted(lang.name for lang in project.languages.all()),
            "repositories": sorted(
                (
                    r.url,
                    r.forge,
                    r.full_name,
                    r.default_branch,
                    r.description,
                    r.stars,
                    r.forks,
                    r.watchers,
                    r.open_issues,
                    r.license,
                    tuple(sorted(t.casefold() for t in r.topics)),
                    tuple(r.participation),
                    r.forge_created_at,
                    r.forge_updated_at,
                    r.forge_pushed_at,
                )
                for r in project.repositories.all()
            ),
        }
    return projects


def test_all_42_sap_entries_import_with_their_topics_participation_and_metadata():
    report = import_sap()

    assert report.counts() == {"created": 42, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Project.objects.listed().count() == 42
    mars = Project.objects.get(repositories__full_name="Mars/mars")
    assert mars.name == "Mars"
    assert mars.review_status == ReviewStatus.APPROVED and mars.lifecycle == Lifecycle.ACTIVE
    assert mars.motivation.startswith("Mars can easily be seen from Earth")
    assert mars.skills_wanted == ["Java", "Javascript", "Node.js", "C++"]
    assert mars.contributions_wanted.splitlines() == [
        "Good practices",
        "Tutorials",
        "Tips & tricks",
        "How tos",
        "News",
        "Examples",
    ]
    # "mars" and "Mars" are one topic; every other topic of the entry is there.
    assert sorted(t.name.casefold() for t in mars.topics.all()) == sorted(
        ["mars", "groovy", "some", "more", "topics", "that", "describe", "this", "repo", "a", "little"]
    )
    assert [lang.name for lang in mars.languages.all()] == ["Groovy"]
    assert mars.business_unit.name == "Mars"
    repository = mars.repositories.get()
    assert repository.url == "https://github.instance/Mars/mars"  # as the file spells it
    assert (repository.stars, repository.forks, repository.open_issues) == (56, 33, 3)
    fixture = next(i for i in sap_items() if i["full_name"] == "Mars/mars")
    assert repository.participation == fixture["_InnerSourceMetadata"]["participation"]
    assert len(repository.participation) == 52
    assert repository.forge_created_at == datetime(2019, 2, 19, 7, 49, 5, tzinfo=UTC)

    venus = Project.objects.get(repositories__full_name="Sol/venus")
    assert venus.name == "Venus"
    assert venus.contributing_url == "https://github.instance/Sol/venus/blob/master/CONTRIBUTING.md"
    auberon = Project.objects.get(repositories__full_name="Colony/auberon")
    assert auberon.docs_url == "https://expanse.fandom.com/wiki/Auberon"
    assert auberon.repositories.get().forge_created_at.microsecond == 877000
    neptune = Project.objects.get(repositories__full_name="Sol/neptune")
    assert [lang.name for lang in neptune.languages.all()] == ["Markdown"]
    assert sorted(t.name for t in neptune.topics.all()) == ["Sol", "neptune"]  # the null topic is dropped
    earth = Project.objects.get(repositories__full_name="Sol/earth")
    assert earth.name == "Earth"  # as SAP's front end shows a repository without a title
    assert set(BusinessUnit.objects.values_list("name", flat=True)) == {
        "Sol",
        "Mars",
        "Belt",
        "Saturn",
        "Jupiter",
        "Colony",
    }


def test_imported_projects_get_the_activity_score_sap_s_data_implies():
    # What the pattern's published JavaScript gives under node (tests/fixtures/activity-score/README.md).
    expected = json.loads((FIXTURES / "activity-score" / "expected.json").read_text())["sap_portal"]
    import_sap(now=NOW)

    ids = {item["full_name"]: str(item["id"]) for item in sap_items()}
    scores = {
        ids[r.full_name]: r.project.activity_score for r in Repository.objects.select_related("project")
    }
    # Negative scores (a long-idle repository) are stored as they are, as the published JavaScript gives them.
    assert scores == {key: by_time["2020-10-15T12:00:00Z"] for key, by_time in expected.items()}
    assert len(set(scores.values())) > 20  # not all the same score


def test_a_crawler_s_top_level_score_is_read_and_the_portal_stores_the_published_score_instead():
    expected = json.loads((FIXTURES / "activity-score" / "expected.json").read_text())["sap_portal"]
    mars = next(item for item in sap_items() if item["full_name"] == "Mars/mars")
    del mars["_InnerSourceMetadata"]["score"]
    mars["score"] = 3900  # where zkoppert/innersource-crawler writes it

    report = import_sap([mars], now=NOW)

    (result,) = report.results
    assert result.outcome == "created"
    assert any(note.startswith("crawler's activity score (“score” 3900) not kept") for note in result.notes)
    project = Project.objects.get(repositories__full_name="Mars/mars")
    assert project.activity_score == expected[str(mars["id"])]["2020-10-15T12:00:00Z"] != 3900
    scores = set(SearchEntry.objects.filter(project=project).values_list("activity_score", flat=True))
    assert scores == {project.activity_score}


def test_the_score_sap_s_crawlers_write_in_the_metadata_is_read_the_same_way():
    report = import_sap(now=NOW)

    notes = {
        r.label: [n for n in r.notes if n.startswith("crawler's activity score")] for r in report.results
    }
    assert all(len(found) == 1 for found in notes.values())
    mars = next(found for label, found in notes.items() if "Mars/mars" in label)
    assert mars == [
        "crawler's activity score (“_InnerSourceMetadata.score” 3767) not kept: the portal computes the"
        " published score from the repository's statistics"
    ]


def test_a_crawler_score_that_is_not_a_number_is_reported_and_the_import_goes_on():
    items = sap_items()[:2]
    items[0]["score"] = "very high"
    items[1]["score"] = None
    del items[1]["_InnerSourceMetadata"]["score"]

    report = import_sap(items, now=NOW)

    assert report.counts()["created"] == 2
    assert any("“score” 'very high' is not a number" in note for note in report.results[0].notes)
    assert not any(note.startswith("crawler's activity score") for note in report.results[1].notes)


def test_imported_projects_are_in_the_search_index_right_away():
    import_sap()

    assert SearchEntry.objects.filter(project__repositories__full_name="Mars/mars", name="Mars").exists()
    assert SearchEntry.objects.count() == 42


def test_importing_the_same_file_twice_reports_every_entry_unchanged_and_changes_no_row():
    import_sap()
    before = snapshot()
    changes = ProjectChange.objects.count()
    stamps = dict(Project.objects.values_list("slug", "updated_at"))
    records = dict(ImportedEntry.objects.values_list("external_key", "updated_at"))
    counts = (Topic.objects.count(), Language.objects.count(), BusinessUnit.objects.count())

    report = import_sap(now=datetime(2020, 10, 16, tzinfo=UTC))

    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 42, "skipped": 0}
    assert ProjectChange.objects.count() == changes
    assert dict(Project.objects.values_list("slug", "updated_at")) == stamps
    assert dict(ImportedEntry.objects.values_list("external_key", "updated_at")) == records
    assert (Topic.objects.count(), Language.objects.count(), BusinessUnit.objects.count()) == counts
    assert snapshot() == before


def test_an_import_records_one_imported_change_per_project_and_notifies_nobody():
    UserFactory(username="reviewer", is_superuser=True)
    import_sap()

    assert ProjectChange.objects.filter(action=ProjectChange.Action.IMPORTED).count() == 42
    assert ProjectChange.objects.exclude(action=ProjectChange.Action.IMPORTED).count() == 0
    assert Notification.objects.count() == 0


def test_a_value_changed_upstream_updates_the_project_and_says_what_changed():
    import_sap()
    items = sap_items()
    mars = next(i for i in items if i["full_name"] == "Mars/mars")
    mars["_InnerSourceMetadata"]["skills"] = ["Rust"]
    mars["stargazers_count"] = 60

    report = import_sap(items)

    result = next(r for r in report.results if "Mars/mars" in r.label)
    assert result.outcome == "updated"
    assert "skills_wanted" in result.changed and "repositories" in result.changed
    project = Project.objects.get(repositories__full_name="Mars/mars")
    assert project.skills_wanted == ["Rust"]
    assert project.repositories.get().stars == 60
    change = project.changes.filter(action=ProjectChange.Action.IMPORTED).first()
    assert change.changed_fields["skills_wanted"] == ["Java, Javascript, Node.js, C++", "Rust"]
    assert report.counts()["unchanged"] == 41


def test_a_curators_edit_is_kept_on_reimport_and_reported():
    import_sap()
    project = Project.objects.get(repositories__full_name="Mars/mars")
    project.motivation = "Our own words about Mars."
    project.save()
    items = sap_items()
    mars = next(i for i in items if i["full_name"] == "Mars/mars")
    mars["_InnerSourceMetadata"]["motivation"] = "Upstream has new words about Mars."
    mars["_InnerSourceMetadata"]["title"] = "Mars Base"

    report = import_sap(items)

    result = next(r for r in report.results if "Mars/mars" in r.label)
    assert "kept curator's edit of motivation" in result.notes
    project.refresh_from_db()
    assert project.motivation == "Our own words about Mars."
    assert project.name == "Mars Base"  # not edited in the portal: the import's new value applies
    # Still kept the next time, as long as the curator's value stands.
    again = import_sap(items)
    assert (
        "kept curator's edit of motivation" in next(r for r in again.results if "Mars/mars" in r.label).notes
    )


def test_overwrite_replaces_a_curators_edit():
    import_sap()
    Project.objects.filter(repositories__full_name="Mars/mars").update(motivation="Our own words.")

    report = import_sap(overwrite=True)

    project = Project.objects.get(repositories__full_name="Mars/mars")
    assert project.motivation.startswith("Mars can easily be seen")
    assert next(r for r in report.results if "Mars/mars" in r.label).outcome == "updated"


def test_a_project_registered_in_the_portal_is_matched_by_its_repository_and_keeps_its_own_values():
    unit = BusinessUnitFactory(name="Planets", slug="planets")
    existing = ProjectFactory(name="Red Planet", business_unit=unit, motivation="")
    Repository.objects.create(project=existing, forge="github", url="https://github.instance/mars/mars")

    report = import_sap()

    result = next(r for r in report.results if "Mars/mars" in r.label)
    assert result.outcome == "updated" and result.project == existing.slug
    assert "kept curator's edit of name" in result.notes
    existing.refresh_from_db()
    assert existing.name == "Red Planet" and existing.business_unit == unit
    assert existing.motivation.startswith("Mars can easily")  # empty in the portal: filled in
    assert Project.objects.count() == 42


def test_one_bad_entry_refuses_the_whole_file_naming_it_and_nothing_is_written():
    items = sap_items()
    items[4]["stargazers_count"] = "many"

    with pytest.raises(ImportFormatError) as error:
        import_sap(items)

    assert "entry #5 (Saturn/titan)" in str(error.value) and "stargazers_count" in str(error.value)
    assert Project.objects.count() == BusinessUnit.objects.count() == 0


def test_a_repository_listed_twice_is_refused_naming_both_entries():
    items = sap_items()
    items.append(dict(items[0]))

    with pytest.raises(ImportFormatError, match=r"entry #43 .*already entry #1"):
        import_sap(items)


def test_a_database_conflict_late_in_the_import_rolls_back_the_entries_before_it():
    first, second = ProjectFactory(), ProjectFactory()
    Repository.objects.create(project=first, forge="github", url="https://github.com/acme/one")
    Repository.objects.create(project=second, forge="github", url="https://github.com/acme/two")
    files = [
        ("a.json", json.dumps({"title": "Fine", "repository": "https://github.com/acme/fine"})),
        (
            "b.json",
            json.dumps(
                {
                    "title": "Both",
                    "repositories": ["https://github.com/acme/one", "https://github.com/acme/two"],
                }
            ),
        ),
    ]
    entries = parse_files(format="innersource", files=files)

    with pytest.raises(
        ImportFormatError, match=r"b.json \(Both\): its repositories belong to different projects"
    ):
        catalog_import(entries=entries, business_unit="platform")

    assert not Project.objects.filter(name="Fine").exists()
    assert not BusinessUnit.objects.filter(slug="platform").exists()


def test_a_dry_run_reports_what_would_be_created_and_writes_nothing():
    report = import_sap(dry_run=True)

    assert report.dry_run and report.counts()["created"] == 42
    assert Project.objects.count() == Topic.objects.count() == ImportedEntry.objects.count() == 0


def test_the_business_unit_option_puts_every_sap_project_in_that_unit():
    import_sap(business_unit="space-program")

    unit = BusinessUnit.objects.get(slug="space-program")
    assert Project.objects.exclude(business_unit=unit).count() == 0
    assert BusinessUnit.objects.count() == 1


def test_relative_logos_are_kept_only_with_a_base_url_and_the_report_says_so():
    report = import_sap()
    earth = next(r for r in report.results if "Sol/earth" in r.label)
    assert any("logo “./images/demo/Earth.png” is not an http(s) URL" in note for note in earth.notes)
    assert Project.objects.get(repositories__full_name="Sol/earth").logo_url == ""

    entries = parse_files(
        format="sap",
        files=[("repos.json", REPOS_JSON.read_bytes())],
        logo_base_url="https://portal.example.com/",
    )
    catalog_import(entries=entries, now=NOW)
    assert (
        Project.objects.get(repositories__full_name="Sol/earth").logo_url
        == "https://portal.example.com/images/demo/Earth.png"
    )


def test_the_command_reports_each_entry_and_a_summary():
    out = io.StringIO()
    call_command("import_catalog", str(REPOS_JSON), "--format", "sap", stdout=out, stderr=io.StringIO())

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("created") and "entry #1 (Sol/earth) → earth" in lines[0]
    assert lines[-1] == "42 created, 0 updated, 0 unchanged, 0 skipped."


def test_the_command_shows_progress_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal, piped = Terminal(), io.StringIO()
    call_command(
        "import_catalog",
        str(REPOS_JSON),
        "--format",
        "sap",
        "--dry-run",
        stdout=io.StringIO(),
        stderr=terminal,
    )
    call_command(
        "import_catalog", str(REPOS_JSON), "--format", "sap", "--dry-run", stdout=io.StringIO(), stderr=piped
    )

    assert "\rImporting 42/42" in terminal.getvalue() and "Importing 1/42" in terminal.getvalue()
    assert piped.getvalue() == ""


def test_the_command_refuses_invalid_json_with_one_clear_line(tmp_path):
    bad = tmp_path / "repos.json"
    bad.write_text('[{"name": "x",}]')

    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(bad), "--format", "sap")

    message = str(error.value)
    assert "repos.json: not valid JSON" in message and "line 1" in message and "\n" not in message
    assert "Nothing was imported." in message


def test_the_command_refuses_a_file_over_20_mb(tmp_path):
    big = tmp_path / "repos.json"
    with big.open("wb") as file:
        file.truncate(20 * 1024 * 1024 + 1)

    with pytest.raises(CommandError, match="larger than 20 MB"):
        call_command("import_catalog", str(big), "--format", "sap")


def test_the_command_refuses_a_missing_file():
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_catalog", "/nonexistent/repos.json", "--format", "sap")


def test_a_repos_json_that_is_not_an_array_is_refused():
    with pytest.raises(ImportFormatError, match="JSON array of repositories"):
        parse_files(format="sap", files=[("repos.json", b'{"id": 1}')])


def test_innersource_files_in_a_folder_each_become_a_project(tmp_path):
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "title": "Ledger",
                "motivation": "Every team needs double-entry bookkeeping that is audited once.",
                "contributions": ["Bugfixes", "Docs"],
                "skills": ["Kotlin"],
                "docs": "https://docs.example.com/ledger",
                "language": "Kotlin",
                "repository": "https://github.com/acme/ledger",
            }
        )
    )
    (tmp_path / "b.json").write_text(
        json.dumps([{"title": "Gateway"}, {"title": "Vault", "topics": ["secrets"]}])
    )
    (tmp_path / "notes.txt").write_text("not an innersource.json")
    out = io.StringIO()

    call_command(
        "import_catalog", str(tmp_path), "--format", "innersource", "--business-unit", "platform", stdout=out
    )

    ledger = Project.objects.get(name="Ledger")
    assert ledger.description == ledger.motivation[:299]
    assert ledger.contributions_wanted == "Bugfixes\nDocs" and ledger.skills_wanted == ["Kotlin"]
    assert ledger.docs_url == "https://docs.example.com/ledger"
    assert ledger.repositories.get().url == "https://github.com/acme/ledger"
    assert ledger.business_unit.slug == "platform"
    assert sorted(Project.objects.values_list("name", flat=True)) == ["Gateway", "Ledger", "Vault"]
    assert [t.name for t in Project.objects.get(name="Vault").topics.all()] == ["secrets"]
    assert "3 created" in out.getvalue()


def test_an_innersource_file_without_a_business_unit_needs_a_default():
    entries = parse_files(format="innersource", files=[("innersource.json", b'{"title": "Ledger"}')])

    with pytest.raises(ImportFormatError, match=r"innersource.json \(Ledger\): no business unit"):
        catalog_import(entries=entries)
    assert not Project.objects.exists()


def test_an_innersource_object_with_a_wrong_shape_is_refused_naming_it():
    files = [("many.json", json.dumps([{"title": "Fine"}, {"title": "Bad", "skills": {"a": 1}}]))]

    with pytest.raises(
        ImportFormatError, match=r"many.json entry #2 \(Bad\): “skills” must be a list of words"
    ):
        parse_files(format="innersource", files=files)


def test_an_unknown_lifecycle_in_an_innersource_file_is_refused():
    with pytest.raises(ImportFormatError, match="“lifecycle” must be one of"):
        parse_files(format="innersource", files=[("x.json", b'{"title": "X", "lifecycle": "eternal"}')])


def test_an_innersource_file_naming_no_business_unit_keeps_the_matched_projects_own():
    unit = BusinessUnitFactory(name="Planets", slug="planets")
    existing = ProjectFactory(business_unit=unit, skills_wanted=[])
    Repository.objects.create(project=existing, forge="github", url="https://github.com/acme/ledger")
    files = [
        (
            "innersource.json",
            b'{"title": "Ledger", "skills": ["Go"], "repository": "https://github.com/acme/ledger"}',
        )
    ]

    report = catalog_import(entries=parse_files(format="innersource", files=files), business_unit="other")

    existing.refresh_from_db()
    assert existing.business_unit == unit and existing.skills_wanted == ["Go"]
    assert report.results[0].notes == ["kept curator's edit of name"]


@pytest.mark.parametrize("format", ["sap", "innersource"])
def test_the_command_refuses_json_nested_too_deeply_in_one_line(tmp_path, format):
    deep = tmp_path / "deep.json"
    deep.write_text('{"name": "x", "topics": ' + "[" * 100_000 + "]" * 100_000 + "}")

    with pytest.raises(CommandError) as error:
        call_command("import_catalog", str(deep), "--format", format)

    message = str(error.value)
    assert message == f"{deep}: the JSON is nested deeper than 64 levels. Nothing was imported."
    assert not Project.objects.exists()
