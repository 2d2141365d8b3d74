"""A repository's forge comes from its host (github.com, gitlab.com and the configured GitHub Enterprise
and GitLab hosts) or from the forge chosen on the form, never from a word in its URL; URLs keep their
case, and on GitHub and GitLab hosts two spellings that differ only in case are one repository."""

from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog.forms import ProjectForm
from catalog.git_urls import repository_address
from catalog.models import Forge, Project, Repository
from catalog.repositories import forge_of, normalise_repository_url
from tests.factories import BusinessUnitFactory, ProjectFactory, make_owner, registration_form_data

REGISTER = "/catalog/register/"


@pytest.fixture
def forges(settings):
    """GitHub on github.com, a self-hosted GitLab whose host does not say "gitlab"."""
    settings.GITHUB_API_URL = "https://api.github.com"
    settings.GITHUB_URL = ""
    settings.GITLAB_URL = "https://code.acme.example"
    return settings


@pytest.fixture
def unit(db):
    return BusinessUnitFactory(name="Platform", slug="platform")


# The issue's example: a repository on a plain git host whose path names GitHub.
ISSUE_EXAMPLE_URL = "https://git.acme.example/Platform/GitHub-Actions-Lib"


def form_data(unit, **overrides):
    return registration_form_data(unit=unit, repository_urls=ISSUE_EXAMPLE_URL) | overrides


# -- the rule -------------------------------------------------------------------------------------------


def test_a_word_in_the_path_does_not_make_a_repository_a_github_or_gitlab_one(forges):
    assert forge_of("https://git.acme.example/platform/github-actions-lib") == Forge.GIT
    assert forge_of("https://git.acme.example/platform/gitlab-runner-config") == Forge.GIT


def test_a_host_named_like_a_forge_is_plain_git_unless_it_is_configured(forges):
    assert forge_of("https://github.acme.example/payments/ledger") == Forge.GIT
    assert forge_of("https://gitlab.acme.example/payments/ledger") == Forge.GIT


def test_a_self_hosted_gitlab_is_known_by_its_configured_host_however_the_url_is_written(forges):
    for url in (
        "https://code.acme.example/platform/widgets",
        "https://CODE.Acme.example/platform/widgets.git",
        "git@code.acme.example:platform/widgets.git",
        "ssh://git@code.acme.example:2222/platform/widgets.git",
    ):
        assert forge_of(url) == Forge.GITLAB, url


def test_github_com_and_gitlab_com_are_always_themselves(forges):
    assert forge_of("https://github.com/acme/ledger") == Forge.GITHUB
    assert forge_of("git@github.com:acme/ledger.git") == Forge.GITHUB
    assert forge_of("https://gitlab.com/acme/ledger") == Forge.GITLAB


def test_github_enterprise_is_known_from_the_api_url_and_the_sign_in_url(settings):
    settings.GITLAB_URL = "https://gitlab.com"
    settings.GITHUB_API_URL = "https://source.acme.example/api/v3"
    settings.GITHUB_URL = "https://ghe.acme.example"
    assert forge_of("https://source.acme.example/payments/ledger") == Forge.GITHUB
    assert forge_of("https://ghe.acme.example/payments/ledger") == Forge.GITHUB
    assert forge_of("https://github.com/acme/ledger") == Forge.GITHUB

    # GitHub Enterprise Cloud with data residency: the API is on api.<subdomain>.ghe.com.
    settings.GITHUB_API_URL = "https://api.octocorp.ghe.com"
    assert forge_of("https://octocorp.ghe.com/payments/ledger") == Forge.GITHUB
    assert forge_of("https://source.acme.example/payments/ledger") == Forge.GIT


def test_a_chosen_forge_applies_to_hosts_the_portal_does_not_know_only(forges):
    assert forge_of("https://git.acme.example/platform/widgets", chosen=Forge.GITLAB) == Forge.GITLAB
    assert forge_of("https://git.acme.example/platform/widgets", chosen=Forge.GITHUB) == Forge.GITHUB
    assert forge_of("https://git.acme.example/platform/widgets", chosen="") == Forge.GIT
    # A known host is what it is: github.com is not made a GitLab by the choice.
    assert forge_of("https://github.com/acme/ledger", chosen=Forge.GITLAB) == Forge.GITHUB
    assert forge_of("https://code.acme.example/platform/widgets", chosen=Forge.GITHUB) == Forge.GITLAB


def test_urls_keep_their_case_and_only_the_scheme_and_host_are_lower_cased():
    assert (
        normalise_repository_url(" HTTPS://GitHub.com/Acme/Ledger.git/ ") == "https://github.com/Acme/Ledger"
    )
    assert normalise_repository_url("git@GitHub.com:Acme/Ledger.git") == "https://github.com/Acme/Ledger"
    assert (
        normalise_repository_url("https://Git.Acme.example/Platform/GitHub-Actions-Lib")
        == "https://git.acme.example/Platform/GitHub-Actions-Lib"
    )
    # What precedes the host is not the host.
    assert (
        normalise_repository_url("https://Robot@Git.Acme.example:8443/A/B")
        == "https://Robot@git.acme.example:8443/A/B"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://git.acme.example/platform/modules",
        "https://git.acme.example/platform/modules.git/",
        "http://Git.Acme.Example/platform/modules",
        "ssh://git@git.acme.example/platform/modules.git",
        "ssh://deploy@git.acme.example:7999/platform/modules.git",
        "git@git.acme.example:platform/modules.git",
        "git://git.acme.example/platform/modules.git",
        "https://oauth2:s3cr3t@git.acme.example/platform/modules.git",
    ],
)
def test_one_repository_has_one_address_whatever_the_transport_user_or_port(url):
    assert repository_address(url) == "https://git.acme.example/platform/modules"


def test_a_local_repository_or_a_url_without_a_path_has_no_address():
    for url in [
        "/srv/git/modules.git",
        "file:///srv/git/modules.git",
        "https://git.acme.example/",
        "modules",
    ]:
        assert repository_address(url) == "", url
    # A plain git server tells /Modules from /modules.
    assert (
        repository_address("git@git.acme.example:Platform/Modules")
        == "https://git.acme.example/Platform/Modules"
    )


# -- registration and editing ---------------------------------------------------------------------------


def test_the_issue_example_is_registered_as_plain_git_with_its_case(client, starter, unit, forges):
    client.force_login(starter)

    response = client.post(REGISTER, form_data(unit))

    assert response.status_code == 302
    repository = Repository.objects.get()
    assert (repository.url, repository.forge) == (
        "https://git.acme.example/Platform/GitHub-Actions-Lib",
        "git",
    )


def test_a_self_hosted_gitlab_without_gitlab_in_its_host_is_registered_as_gitlab(
    client, starter, unit, forges
):
    client.force_login(starter)

    client.post(REGISTER, form_data(unit, repository_urls="https://code.acme.example/Platform/Widgets"))

    repository = Repository.objects.get()
    assert (repository.url, repository.forge) == ("https://code.acme.example/Platform/Widgets", "gitlab")


def test_the_forge_chosen_on_the_form_applies_to_the_repositories_on_other_hosts(
    client, starter, unit, forges
):
    client.force_login(starter)
    urls = "https://git.other.example/team/tool\nhttps://github.com/acme/tool"

    response = client.post(REGISTER, form_data(unit, repository_urls=urls, forge="gitlab"))

    assert response.status_code == 302
    assert dict(Repository.objects.values_list("url", "forge")) == {
        "https://git.other.example/team/tool": "gitlab",
        "https://github.com/acme/tool": "github",
    }


def test_the_form_says_which_hosts_it_recognises_and_refuses_an_unknown_forge(client, starter, unit, forges):
    client.force_login(starter)

    page = client.get(REGISTER).content.decode()
    response = client.post(REGISTER, form_data(unit, forge="bitbucket"))

    assert "code.acme.example" in page and "github.com" in page
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Project.objects.exists()


@pytest.fixture
def tool(starter, forges):
    project = ProjectFactory(name="Tool")
    make_owner(project, starter)
    Repository.objects.create(project=project, forge="gitlab", url="https://git.other.example/team/Tool")
    Repository.objects.create(project=project, forge="github", url="https://github.com/acme/tool")
    return project


def test_the_edit_form_shows_the_chosen_forge_and_saving_it_unchanged_keeps_every_forge(
    client, starter, tool
):
    client.force_login(starter)
    initial = ProjectForm.initial_from(tool)
    data = {k: v for k, v in initial.items() if v is not None}

    page = client.get(f"/catalog/{tool.slug}/edit/").content.decode()
    response = client.post(f"/catalog/{tool.slug}/edit/", data)

    assert initial["forge"] == "gitlab"
    assert '<option value="gitlab" selected>' in page
    assert response.status_code == 302
    assert dict(tool.repositories.values_list("url", "forge")) == {
        "https://git.other.example/team/Tool": "gitlab",
        "https://github.com/acme/tool": "github",
    }


def test_choosing_detect_on_the_edit_form_re_derives_the_forge_from_the_host(client, starter, tool):
    client.force_login(starter)
    data = {k: v for k, v in ProjectForm.initial_from(tool).items() if v is not None} | {"forge": ""}

    client.post(f"/catalog/{tool.slug}/edit/", data)

    assert dict(tool.repositories.values_list("url", "forge")) == {
        "https://git.other.example/team/Tool": "git",
        "https://github.com/acme/tool": "github",
    }
    change = tool.changes.filter(action="edited").get()
    assert "forges" in change.changed_fields


# -- one repository, however its case is written --------------------------------------------------------


def registered_beside(client, starter, unit, *, project: str, forge: str, url: str, typed: str):
    """The starter registers a project with the repository `typed`, where the project named `project`
    has the repository `url` on `forge` already. Returns the answer."""
    Repository.objects.create(project=ProjectFactory(name=project), forge=forge, url=url)
    client.force_login(starter)
    return client.post(REGISTER, form_data(unit, repository_urls=typed))


def test_a_github_repository_written_in_another_case_is_a_duplicate(client, starter, unit, forges):
    response = registered_beside(
        client,
        starter,
        unit,
        project="Old Ledger",
        forge="github",
        url="https://github.com/acme/ledger",
        typed="https://github.com/Acme/Ledger",
    )

    assert response.status_code == 200
    assert "already registered by “Old Ledger”" in response.content.decode()
    assert Repository.objects.count() == 1


def test_on_a_plain_git_host_another_case_is_another_repository(client, starter, unit, forges):
    url, typed = "https://git.acme.example/team/Tool", "https://git.acme.example/team/tool"
    response = registered_beside(client, starter, unit, project="Old Tool", forge="git", url=url, typed=typed)

    assert response.status_code == 302
    assert Repository.objects.count() == 2


def test_rewriting_a_github_url_in_another_case_keeps_the_repository_and_stores_the_new_spelling(
    client, starter, tool
):
    before = tool.repositories.get(forge="github")
    client.force_login(starter)
    data = {k: v for k, v in ProjectForm.initial_from(tool).items() if v is not None}
    data["repository_urls"] = "https://git.other.example/team/Tool\nhttps://github.com/Acme/Tool"

    client.post(f"/catalog/{tool.slug}/edit/", data)

    after = tool.repositories.get(forge="github")
    assert (after.pk, after.url) == (before.pk, "https://github.com/Acme/Tool")
    assert tool.repositories.count() == 2


def test_two_spellings_of_one_github_repository_in_one_list_are_one_repository(client, starter, unit, forges):
    client.force_login(starter)
    urls = "https://github.com/Acme/Ledger\nhttps://github.com/acme/ledger.git"

    client.post(REGISTER, form_data(unit, repository_urls=urls))

    assert list(Repository.objects.values_list("url", flat=True)) == ["https://github.com/Acme/Ledger"]


# -- the API ----------------------------------------------------------------------------------------------


def test_the_api_takes_a_forge_beside_the_repository_urls_and_an_edit_without_it_keeps_the_forges(
    starter, unit, forges
):
    api = APIClient()
    api.force_authenticate(starter)

    created = api.post(
        "/api/v1/projects/",
        {
            "name": "Widgets",
            "description": "Widgets for everyone.",
            "business_unit": "platform",
            "repository_urls": ["https://git.other.example/team/Widgets"],
            "forge": "gitlab",
        },
        format="json",
    )
    slug = created.json()["slug"]
    edited = api.patch(f"/api/v1/projects/{slug}/", {"description": "Better widgets."}, format="json")
    refused = api.patch(f"/api/v1/projects/{slug}/", {"forge": "bitbucket"}, format="json")

    assert created.status_code == 201, created.json()
    assert [(r["url"], r["forge"]) for r in created.json()["repositories"]] == [
        ("https://git.other.example/team/Widgets", "gitlab")
    ]
    assert edited.status_code == 200
    assert Repository.objects.get().forge == "gitlab"
    assert (refused.status_code, refused.json()["field"]) == (400, "forge")


# -- existing data ----------------------------------------------------------------------------------------


def test_check_forges_fixes_only_what_a_configured_host_decides_and_lists_the_rest(db, forges):
    project = ProjectFactory()
    on_gitlab = Repository.objects.create(project=project, forge="git", url="https://code.acme.example/p/a")
    worded = Repository.objects.create(
        project=project, forge="github", url="https://git.acme.example/platform/github-actions-lib"
    )
    right = Repository.objects.create(project=project, forge="github", url="https://github.com/acme/c")

    listed = StringIO()
    call_command("check_forges", stdout=listed)
    on_gitlab.refresh_from_db()
    assert on_gitlab.forge == "git", "without --fix nothing changes"

    fixed = StringIO()
    call_command("check_forges", "--fix", stdout=fixed)

    for repository in (on_gitlab, worded, right):
        repository.refresh_from_db()
    assert (on_gitlab.forge, worded.forge, right.forge) == ("gitlab", "github", "github")
    text = listed.getvalue()
    assert "https://code.acme.example/p/a: git → gitlab" in text
    assert "https://git.acme.example/platform/github-actions-lib" in text
    assert "https://github.com/acme/c" not in text
    assert "1 repository changed" in fixed.getvalue()
