"""The SAP export, field by field as SAP's page (SAP/project-portal-for-innersource, scripts/index.js)
reads it: the contribution link it builds, the card's image, the licence, and every other field's type."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from packaging.licenses import canonicalize_license_expression

from catalog.interop.export import export_sap, spdx_license_id
from catalog.models import Language, Repository, Topic
from tests.catalog.test_import import import_sap
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")


def page_contribute_url(entry: dict) -> str:
    """The CONTRIBUTE link as SAP's page builds it (generateItem and showModal): the docs when there are
    any, else the guidelines at <html_url>/blob/<default_branch>/<guidelines>, else the repository."""
    metadata = entry.get("_InnerSourceMetadata") or {}
    if metadata.get("docs"):
        return metadata["docs"]
    if metadata.get("guidelines"):
        return f"{entry['html_url']}/blob/{entry['default_branch']}/{metadata['guidelines']}"
    return entry["html_url"]


def page_image_url(entry: dict) -> str:
    """The card's image as SAP's page picks it: an absolute (or ./) logo, a logo under data/, else the
    owner's avatar."""
    logo = (entry.get("_InnerSourceMetadata") or {}).get("logo")
    if logo:
        return logo if logo.startswith(("http", "./")) else f"data/{logo}"
    return entry["owner"]["avatar_url"]


def project_with_repository(
    *,
    slug="ledger",
    name="Ledger",
    contributing_url="",
    docs_url="",
    forge="github",
    url="https://github.com/acme/ledger",
    full_name="acme/ledger",
    default_branch="main",
    license="Apache-2.0",
    **fields,
):
    project = ProjectFactory(
        name=name,
        slug=slug,
        contributing_url=contributing_url,
        docs_url=docs_url,
        license=license,
        **fields,
    )
    Repository.objects.create(
        project=project,
        forge=forge,
        url=url,
        full_name=full_name,
        default_branch=default_branch,
        forge_created_at=datetime(2023, 1, 2, tzinfo=UTC),
        forge_updated_at=datetime(2024, 1, 2, tzinfo=UTC),
        participation=[1, 2, 3],
    )
    return project


def exported(slug="ledger") -> dict:
    entries = json.loads(export_sap())
    page = f"{settings.PORTAL_BASE_URL.rstrip('/')}/catalog/{slug}/"
    return next(e for e in entries if e["_InnerSourceMetadata"]["portal"]["url"] == page)


# --- guidelines: a path in the repository ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contributing_url", "path"),
    [
        ("https://github.com/acme/ledger/blob/main/CONTRIBUTING.md", "CONTRIBUTING.md"),
        ("https://github.com/acme/ledger/blob/main/docs/how-to-contribute.md", "docs/how-to-contribute.md"),
        ("https://github.com/acme/ledger/blob/HEAD/CONTRIBUTING.md", "CONTRIBUTING.md"),  # HEAD: the default
        (
            "https://GitHub.com/ACME/Ledger/blob/main/CONTRIBUTING.md",
            "CONTRIBUTING.md",
        ),  # host, owner: any case
    ],
)
def test_guidelines_in_the_repository_are_exported_as_the_path_that_sap_s_page_links_back_to_them(
    contributing_url, path
):
    project_with_repository(contributing_url=contributing_url)

    entry = exported()

    assert entry["_InnerSourceMetadata"]["guidelines"] == path
    assert page_contribute_url(entry) == f"https://github.com/acme/ledger/blob/main/{path}"


@pytest.mark.parametrize(
    ("contributing_url", "repository"),
    [
        ("https://docs.example.com/ledger/contributing", {}),  # not in the repository
        ("https://github.com/acme/other/blob/main/CONTRIBUTING.md", {}),  # another repository
        ("https://github.com/acme/ledger-ui/blob/main/CONTRIBUTING.md", {}),  # a name that starts the same
        ("https://github.com/acme/ledger/blob/develop/CONTRIBUTING.md", {}),  # not the default branch
        ("https://github.com/acme/ledger/blob/Main/CONTRIBUTING.md", {}),  # branches are case-sensitive
        ("https://github.com/acme/ledger/blob/main/", {}),  # no file
        ("https://github.com/acme/ledger/blob/main/CONTRIBUTING.md", {"default_branch": ""}),  # not known
        (
            "https://gitlab.com/acme/ledger/-/blob/main/CONTRIBUTING.md",
            {"forge": "gitlab", "url": "https://gitlab.com/acme/ledger"},  # the page's /blob/ is GitHub's
        ),
        ("", {}),
    ],
)
def test_guidelines_that_sap_s_page_could_not_link_are_left_out(contributing_url, repository):
    project_with_repository(contributing_url=contributing_url, **repository)

    entry = exported()

    assert "guidelines" not in entry["_InnerSourceMetadata"]
    # The page's CONTRIBUTE then opens the repository itself; the URL stays in the portal's own block.
    assert page_contribute_url(entry) == entry["html_url"]
    assert entry["_InnerSourceMetadata"]["portal"]["contributing_url"] == contributing_url


def test_with_documentation_sap_s_page_contributes_through_the_docs_whatever_the_guidelines():
    project_with_repository(
        contributing_url="https://github.com/acme/ledger/blob/main/CONTRIBUTING.md",
        docs_url="https://docs.example.com/ledger",
    )

    entry = exported()

    assert entry["_InnerSourceMetadata"]["guidelines"] == "CONTRIBUTING.md"
    assert page_contribute_url(entry) == "https://docs.example.com/ledger"


def test_guidelines_of_sap_s_own_example_come_back_as_the_paths_its_crawler_wrote():
    import_sap()

    entries = json.loads(export_sap())

    with_guidelines = [e for e in entries if "guidelines" in e["_InnerSourceMetadata"]]
    assert with_guidelines
    for entry in with_guidelines:
        guidelines = entry["_InnerSourceMetadata"]["guidelines"]
        assert not urlsplit(guidelines).scheme and not guidelines.startswith("/")
        assert page_contribute_url(entry).startswith(entry["html_url"] + "/")


# --- the card's image --------------------------------------------------------------------------------------


@override_settings(PORTAL_BASE_URL="https://portal.acme.example/")
def test_every_entry_has_an_avatar_of_its_own_served_by_the_portal(client):
    project_with_repository()
    project_with_repository(
        slug="payments", name="Payments", url="https://github.com/acme/payments", full_name="acme/payments"
    )

    entries = json.loads(export_sap())

    avatars = [e["owner"]["avatar_url"] for e in entries]
    assert avatars == [
        "https://portal.acme.example/catalog/ledger/avatar.svg",
        "https://portal.acme.example/catalog/payments/avatar.svg",
    ]
    images = [client.get(urlsplit(url).path) for url in avatars]
    assert [image.status_code for image in images] == [200, 200]
    assert {image["Content-Type"] for image in images} == {"image/svg+xml"}
    assert images[0].content != images[1].content
    assert [page_image_url(e) for e in entries] == avatars


def test_a_project_logo_stays_the_card_s_image():
    project_with_repository(logo_url="https://cdn.example.com/ledger.png")

    entry = exported()

    assert page_image_url(entry) == "https://cdn.example.com/ledger.png"
    assert entry["owner"]["avatar_url"].endswith("/catalog/ledger/avatar.svg")


# --- the licence --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("license", "expected"),
    [
        ("Apache-2.0", {"key": "apache-2.0", "name": "Apache-2.0", "spdx_id": "Apache-2.0"}),
        ("mit", {"key": "mit", "name": "mit", "spdx_id": "MIT"}),
        ("BSD-3-Clause", {"key": "bsd-3-clause", "name": "BSD-3-Clause", "spdx_id": "BSD-3-Clause"}),
        (
            "Proprietary (internal)",
            {"key": "other", "name": "Proprietary (internal)", "spdx_id": "NOASSERTION"},
        ),
        ("MIT OR Apache-2.0", {"key": "other", "name": "MIT OR Apache-2.0", "spdx_id": "NOASSERTION"}),
        ("GPL-2.0+", {"key": "other", "name": "GPL-2.0+", "spdx_id": "NOASSERTION"}),
        ("LicenseRef-Acme", {"key": "other", "name": "LicenseRef-Acme", "spdx_id": "NOASSERTION"}),
        ("MIT License", {"key": "other", "name": "MIT License", "spdx_id": "NOASSERTION"}),
        ("", None),
    ],
)
def test_the_licence_carries_an_spdx_id_only_when_it_is_one(license, expected):
    project_with_repository(license=license)

    assert exported()["license"] == expected


def test_every_exported_spdx_id_is_on_the_spdx_licence_list():
    for number, license in enumerate(["Apache-2.0", "mit", "Proprietary (internal)", "gpl-3.0-only"]):
        name = f"project-{number}"
        project_with_repository(
            slug=name,
            name=name,
            url=f"https://github.com/acme/{name}",
            full_name=f"acme/{name}",
            license=license,
        )

    ids = [e["license"]["spdx_id"] for e in json.loads(export_sap())]

    assert ids == ["Apache-2.0", "MIT", "NOASSERTION", "GPL-3.0-only"]
    for spdx_id in set(ids) - {"NOASSERTION"}:
        assert canonicalize_license_expression(spdx_id) == spdx_id == spdx_license_id(spdx_id)


# --- every field the page reads -----------------------------------------------------------------------------


def test_every_field_sap_s_page_reads_has_the_type_it_expects():
    import_sap()
    portal = project_with_repository(
        contributing_url="https://github.com/acme/ledger/blob/main/CONTRIBUTING.md",
        motivation="Audited once, reused everywhere.",
        skills_wanted=["Kotlin"],
        contributions_wanted="Bugfixes\nDocumentation",
    )
    portal.topics.set([Topic.objects.create(name="accounting")])
    portal.languages.set([Language.objects.create(name="Kotlin")])

    entries = json.loads(export_sap())

    assert len(entries) == 43
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == len(ids) and all(type(i) is int for i in ids)  # showModal({{id}}) takes a number
    for entry in entries:
        assert entry["full_name"] == f"{entry['owner']['login']}/{entry['name']}"  # the card's repoTitle
        assert urlsplit(entry["html_url"]).scheme == "https"
        assert entry["description"] is None or isinstance(entry["description"], str)
        assert ISO_UTC.match(entry["created_at"]) and ISO_UTC.match(entry["updated_at"])  # moment()
        for count in ("stargazers_count", "watchers_count", "forks_count", "open_issues_count"):
            assert type(entry[count]) is int and entry[count] >= 0  # sorting subtracts them
        assert entry["language"] is None or isinstance(entry["language"], str)  # the language filter
        assert entry["default_branch"] is None or isinstance(entry["default_branch"], str)
        assert urlsplit(entry["owner"]["avatar_url"]).scheme in ("http", "https")
        metadata = entry["_InnerSourceMetadata"]
        assert isinstance(metadata["title"], str) and metadata["title"]
        assert type(metadata["score"]) is int  # getRepoActivity checks typeof "number"
        assert all(type(week) is int for week in metadata["participation"])
        for key in ("topics", "skills", "contributions"):  # joined with " " by the search
            assert all(isinstance(word, str) for word in metadata.get(key, []))
        for key in ("motivation", "docs", "logo", "guidelines"):
            assert key not in metadata or (isinstance(metadata[key], str) and metadata[key])
        for key in ("docs", "logo"):
            assert key not in metadata or urlsplit(metadata[key]).scheme in ("http", "https")
        if "guidelines" in metadata:  # else the page would link <html_url>/blob/null/<guidelines>
            assert entry["default_branch"]
        assert urlsplit(page_contribute_url(entry)).scheme in ("http", "https")
    ledger = next(e for e in entries if e["full_name"] == "acme/ledger")
    assert ledger["language"] == "Kotlin"
    assert ledger["_InnerSourceMetadata"]["topics"] == ["accounting"]
    assert ledger["_InnerSourceMetadata"]["skills"] == ["Kotlin"]
    assert ledger["_InnerSourceMetadata"]["contributions"] == ["Bugfixes", "Documentation"]
    assert ledger["_InnerSourceMetadata"]["motivation"] == "Audited once, reused everywhere."
    assert page_contribute_url(ledger) == "https://github.com/acme/ledger/blob/main/CONTRIBUTING.md"


@override_settings(PORTAL_BASE_URL="https://portal.acme.example/")
def test_entries_come_in_case_blind_name_order_with_an_absolute_link_to_the_portal_page():
    for slug, name in (("dbt", "dbt Macros"), ("aml", "AML Rules"), ("access", "Access Review")):
        project_with_repository(
            slug=slug, name=name, url=f"https://github.com/acme/{slug}", full_name=f"acme/{slug}"
        )

    entries = json.loads(export_sap())

    assert [e["_InnerSourceMetadata"]["title"] for e in entries] == [
        "Access Review",
        "AML Rules",
        "dbt Macros",
    ]
    assert (
        entries[0]["_InnerSourceMetadata"]["portal"]["url"] == "https://portal.acme.example/catalog/access/"
    )
