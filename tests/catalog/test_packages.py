"""Assets' package coordinates (Package URLs) and the install snippet on the asset page (issue 16, 18).

The expected snippets are written by hand from each tool's documentation (npm install, pip's requirement
specifiers, Maven's <dependency>, go get, docker pull, Terraform's module block, GitHub Actions' `uses:`,
GitLab's include:project / include:component), not computed by the code under test."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import Asset
from catalog.packages import (
    install_snippet,
    package_key,
    package_keys_matching,
    package_url_clean,
    plain_version,
)
from catalog.selectors import latest_release
from metrics.models import Release
from tests.api import api, assert_error
from tests.factories import AssetFactory, ProjectFactory, RepositoryFactory, UserFactory, make_owner

SNIPPETS = [
    # (purl, version given, label, language, expected text, version pinned)
    (
        "pkg:npm/%40acme/design-tokens",
        "v1.2.0",
        "npm",
        "shell",
        "npm install @acme/design-tokens@1.2.0",
        "1.2.0",
    ),
    ("pkg:npm/%40acme/design-tokens", None, "npm", "shell", "npm install @acme/design-tokens", None),
    ("pkg:npm/left-pad", "1.3.0", "npm", "shell", "npm install left-pad@1.3.0", "1.3.0"),
    (
        "pkg:npm/%40acme/design-tokens?repository_url=https://npm.acme.example/",
        "1.2.0",
        "npm",
        "shell",
        "npm install @acme/design-tokens@1.2.0 --registry=https://npm.acme.example/",
        "1.2.0",
    ),
    ("pkg:pypi/acme-retry", "v1.2.0", "PyPI", "shell", "pip install acme-retry==1.2.0", "1.2.0"),
    ("pkg:pypi/acme-retry", None, "PyPI", "shell", "pip install acme-retry", None),
    (
        "pkg:pypi/acme-retry?repository_url=https://pypi.acme.example/simple/",
        "1.2.0",
        "PyPI",
        "shell",
        "pip install --index-url https://pypi.acme.example/simple/ acme-retry==1.2.0",
        "1.2.0",
    ),
    (
        "pkg:maven/com.acme/ledger-client",
        "v1.2.0",
        "Maven",
        "xml",
        "<dependency>\n"
        "  <groupId>com.acme</groupId>\n"
        "  <artifactId>ledger-client</artifactId>\n"
        "  <version>1.2.0</version>\n"
        "</dependency>",
        "1.2.0",
    ),
    (
        "pkg:maven/com.acme/ledger-bom?type=pom",
        None,
        "Maven",
        "xml",
        "<dependency>\n"
        "  <groupId>com.acme</groupId>\n"
        "  <artifactId>ledger-bom</artifactId>\n"
        "  <type>pom</type>\n"
        "</dependency>",
        None,
    ),
    (
        "pkg:golang/git.acme.example/platform/auth",
        "v1.2.0",
        "Go",
        "shell",
        "go get git.acme.example/platform/auth@v1.2.0",
        "v1.2.0",
    ),
    (
        "pkg:golang/git.acme.example/platform/auth",
        "1.2.0",
        "Go",
        "shell",
        "go get git.acme.example/platform/auth@v1.2.0",
        "v1.2.0",
    ),
    (
        "pkg:golang/git.acme.example/platform/auth",
        None,
        "Go",
        "shell",
        "go get git.acme.example/platform/auth",
        None,
    ),
    (
        "pkg:docker/acme/base-python",
        "v1.2.0",
        "Container image",
        "shell",
        "docker pull acme/base-python:1.2.0",
        "1.2.0",
    ),
    (
        "pkg:docker/acme/base-python?repository_url=registry.acme.example",
        "1.2.0",
        "Container image",
        "shell",
        "docker pull registry.acme.example/acme/base-python:1.2.0",
        "1.2.0",
    ),
    ("pkg:docker/acme/base-python", None, "Container image", "shell", "docker pull acme/base-python", None),
    (
        "pkg:oci/base-python?repository_url=registry.acme.example/acme/base-python",
        "1.2.0",
        "Container image",
        "shell",
        "docker pull registry.acme.example/acme/base-python:1.2.0",
        "1.2.0",
    ),
    (
        "pkg:terraform/acme/network/aws",
        "v1.2.0",
        "Terraform module",
        "hcl",
        'module "network" {\n  source  = "acme/network/aws"\n  version = "1.2.0"\n}',
        "1.2.0",
    ),
    (
        "pkg:terraform/acme/network/aws?repository_url=https://tf.acme.example",
        None,
        "Terraform module",
        "hcl",
        'module "network" {\n  source  = "tf.acme.example/acme/network/aws"\n}',
        None,
    ),
    (
        "pkg:github/acme/setup-build",
        "v1.2.0",
        "GitHub Actions",
        "yaml",
        "- uses: acme/setup-build@v1.2.0",
        "v1.2.0",
    ),
    (
        "pkg:github/acme/actions#setup-build",
        "v2.0.0",
        "GitHub Actions",
        "yaml",
        "- uses: acme/actions/setup-build@v2.0.0",
        "v2.0.0",
    ),
    (
        "pkg:github/acme/ci#.github/workflows/build.yml",
        "v3.1.0",
        "GitHub Actions",
        "yaml",
        "jobs:\n  build:\n    uses: acme/ci/.github/workflows/build.yml@v3.1.0",
        "v3.1.0",
    ),
    # An action needs a reference: with no release, its default branch.
    ("pkg:github/acme/setup-build", None, "GitHub Actions", "yaml", "- uses: acme/setup-build@main", None),
    # GitHub's dependency graph writes the proposed githubactions type.
    (
        "pkg:githubactions/acme/setup-build",
        "v1.2.0",
        "GitHub Actions",
        "yaml",
        "- uses: acme/setup-build@v1.2.0",
        "v1.2.0",
    ),
    (
        "pkg:gitlab/acme/ci-templates#templates/build.yml",
        "v1.2.0",
        "GitLab CI",
        "yaml",
        'include:\n  - project: "acme/ci-templates"\n    ref: "v1.2.0"\n    file: "/templates/build.yml"',
        "v1.2.0",
    ),
    (
        "pkg:gitlab/acme/platform/ci-templates#templates/build.yml",
        None,
        "GitLab CI",
        "yaml",
        'include:\n  - project: "acme/platform/ci-templates"\n    file: "/templates/build.yml"',
        None,
    ),
    (
        "pkg:gitlab/acme/ci-components#build",
        "1.2.0",
        "GitLab CI",
        "yaml",
        "include:\n  - component: $CI_SERVER_FQDN/acme/ci-components/build@1.2.0",
        "1.2.0",
    ),
    (
        "pkg:gitlab/acme/ci-components#build",
        None,
        "GitLab CI",
        "yaml",
        "include:\n  - component: $CI_SERVER_FQDN/acme/ci-components/build@~latest",
        None,
    ),
]


@pytest.mark.parametrize(("purl", "version", "label", "language", "text", "pinned"), SNIPPETS)
def test_each_ecosystem_gets_the_line_its_tools_take(purl, version, label, language, text, pinned):
    snippet = install_snippet(package_url=purl, version=version)
    assert snippet is not None
    assert snippet.text == text
    assert (snippet.label, snippet.language, snippet.version) == (label, language, pinned)
    assert snippet.hint


def test_without_a_release_the_purls_own_version_is_pinned():
    snippet = install_snippet(package_url="pkg:pypi/acme-retry@0.9.1", version=None)
    assert snippet is not None and snippet.text == "pip install acme-retry==0.9.1"
    # The latest release wins over a version written into the coordinates.
    snippet = install_snippet(package_url="pkg:pypi/acme-retry@0.9.1", version="v1.2.0")
    assert snippet is not None and snippet.text == "pip install acme-retry==1.2.0"


def test_a_name_that_a_shell_would_split_is_quoted():
    snippet = install_snippet(package_url="pkg:npm/evil%3B%20rm%20-rf%20~", version=None)
    assert snippet is not None
    assert snippet.text == "npm install 'evil; rm -rf ~'"


def test_types_without_a_snippet_and_unparsable_text_give_none():
    assert install_snippet(package_url="pkg:nuget/Acme.Ledger", version="1.0.0") is None
    assert install_snippet(package_url="pkg:gitlab/acme/ci-templates", version="1.0.0") is None
    assert install_snippet(package_url="not a purl", version=None) is None


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("v1.2.0", "1.2.0"),
        ("1.2.0", "1.2.0"),
        ("@acme/design-tokens@1.2.0", "1.2.0"),
        ("release-7", "release-7"),
    ],
)
def test_a_release_tag_reads_as_a_version(tag, version):
    assert plain_version(tag) == version


# --- the field ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("pkg:npm/@acme/design-tokens", "pkg:npm/%40acme/design-tokens"),
        ("  pkg:pypi/Acme_Retry  ", "pkg:pypi/acme-retry"),
        ("pkg:maven/com.acme/ledger-client", "pkg:maven/com.acme/ledger-client"),
        ("pkg:golang/git.acme.example/platform/auth", "pkg:golang/git.acme.example/platform/auth"),
        ("pkg:docker/acme/base-python", "pkg:docker/acme/base-python"),
        ("pkg:terraform/acme/network/aws", "pkg:terraform/acme/network/aws"),
        ("pkg:github/acme/setup-build", "pkg:github/acme/setup-build"),
        (
            "pkg:gitlab/acme/ci-templates#templates/build.yml",
            "pkg:gitlab/acme/ci-templates#templates/build.yml",
        ),
        # SPDX's VCS URL in the vcs_url qualifier, as typed (scp-like too); its "+" and "@" escaped.
        (
            "pkg:generic/terraform-modules?vcs_url=git+https://git.acme.example/platform/terraform-modules.git#vpc",
            "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules.git#vpc",
        ),
        (
            "pkg:generic/modules?vcs_url=git+git@git.acme.example:platform/modules.git",
            "pkg:generic/modules?vcs_url=git%2Bgit%40git.acme.example:platform/modules.git",
        ),
        ("", ""),
    ],
)
def test_package_urls_are_stored_in_their_canonical_form(typed, stored):
    assert package_url_clean(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("npm/@acme/design-tokens", "pkg:npm/"),
        ("https://www.npmjs.com/package/left-pad", "Not a Package URL"),
        ("pkg:npm/", "Not a Package URL"),
        ("pkg:maven/ledger-client", "Namespace is required"),
        ("pkg:nmp/left-pad", "Unknown package type “nmp”"),
        ("pkg:terraform/network", "pkg:terraform/acme/network/aws"),
        ("pkg:generic/modules?vcs_url=https://git.acme.example/modules.git", "“<tool>+<url>”"),
        (
            "pkg:generic/modules?vcs_url=git%2Bfile:///srv/git/modules.git",
            "names no git repository on a host",
        ),
        ("pkg:generic/modules?vcs_url=git%2Bhttps://git.acme.example", "names no git repository on a host"),
        (
            "pkg:generic/modules?vcs_url=git%2Bhttps://oauth2:glpat-s3cr3t@git.acme.example/modules.git",
            "shown to every reader",
        ),
        (
            "pkg:generic/modules?vcs_url=hg%2Bhttps://ci:s3cr3t@hg.acme.example/modules",
            "shown to every reader",
        ),
        # A token written as the user name, an empty password, a user name over https.
        (
            "pkg:generic/modules?vcs_url=git%2Bhttps://ghp_abc123@git.acme.example/modules.git",
            "shown to every reader",
        ),
        (
            "pkg:generic/modules?vcs_url=git%2Bhttps://alice:@git.acme.example/modules.git",
            "shown to every reader",
        ),
        (
            "pkg:generic/modules?vcs_url=git%2Bhttp://jdoe@git.acme.example/modules.git",
            "shown to every reader",
        ),
    ],
)
def test_what_is_not_a_package_url_is_refused_saying_what_is_expected(typed, says):
    with pytest.raises(ValidationError) as error:
        package_url_clean(typed)
    assert says in " ".join(error.value.messages)


@pytest.fixture
def owned(db):
    project = ProjectFactory(name="Design System")
    owner = UserFactory(username="ds-owner")
    make_owner(project, owner)
    asset = AssetFactory(project=project, name="Design Tokens")
    return project, asset, owner


def _form(**changes):
    return {"name": "Design Tokens", "kind": "library", "description": "Colours and spacing.", **changes}


def test_the_asset_form_saves_a_package_url_and_names_the_field_when_it_is_wrong(client, owned):
    project, asset, owner = owned
    client.force_login(owner)
    url = reverse("catalog:asset_edit", args=[project.slug, asset.slug])
    response = client.post(url, _form(package_url="npm/@acme/design-tokens"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="field-package_url"' in body and "field--error" in body
    assert "Expected “pkg:&lt;type&gt;/&lt;name&gt;”" in body
    asset.refresh_from_db()
    assert asset.package_url == ""

    response = client.post(url, _form(package_url="pkg:npm/@acme/design-tokens"))
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.package_url == "pkg:npm/%40acme/design-tokens"
    # The edit form shows it again.
    assert 'value="pkg:npm/%40acme/design-tokens"' in client.get(url).content.decode()


def test_the_api_reads_and_writes_package_url_and_refuses_a_wrong_one_naming_the_field(owned):
    project, asset, owner = owned
    response = api(owner).patch(f"/api/v1/assets/{asset.pk}/", {"package_url": "left-pad"}, format="json")
    assert_error(response, 400, "package_url")
    assert "pkg:npm/" in response.json()["error"]

    response = api(owner).patch(
        f"/api/v1/assets/{asset.pk}/", {"package_url": "pkg:pypi/Acme_Retry"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert Asset.objects.get(pk=asset.pk).package_url == "pkg:pypi/acme-retry"
    # A partial change of something else keeps it.
    api(owner).patch(f"/api/v1/assets/{asset.pk}/", {"description": "Retries."}, format="json")
    body = api(owner).get(f"/api/v1/assets/{asset.pk}/").json()
    assert body["package_url"] == "pkg:pypi/acme-retry"
    assert body["description"] == "Retries."

    response = api(owner).post(
        "/api/v1/assets/",
        {
            "project": project.slug,
            "name": "Ledger client",
            "kind": "library",
            "description": "Java client.",
            "package_url": "pkg:maven/com.acme/ledger-client",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert project.assets.get(name="Ledger client").package_url == "pkg:maven/com.acme/ledger-client"


def test_the_form_and_the_api_take_a_git_repositorys_coordinates_and_refuse_a_token_in_them(client, owned):
    project, asset, owner = owned
    written = "pkg:generic/terraform-modules?vcs_url=git+ssh://git@git.acme.example/platform/terraform-modules.git#vpc"
    stored = "pkg:generic/terraform-modules?vcs_url=git%2Bssh://git%40git.acme.example/platform/terraform-modules.git#vpc"
    client.force_login(owner)
    url = reverse("catalog:asset_edit", args=[project.slug, asset.slug])
    assert client.post(url, _form(package_url=written)).status_code == 302
    asset.refresh_from_db()
    assert asset.package_url == stored
    assert asset.package_key == (
        "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules#vpc"
    )

    token = "pkg:generic/m?vcs_url=git%2Bhttps://ci:s3cr3t@git.acme.example/platform/m.git"
    response = api(owner).patch(f"/api/v1/assets/{asset.pk}/", {"package_url": token}, format="json")
    assert_error(response, 400, "package_url")
    assert "s3cr3t" not in Asset.objects.get(pk=asset.pk).package_url


# --- the version: the latest release -------------------------------------------------------------------------


def _release(repository, tag, day, **fields):
    return Release.objects.create(
        repository=repository,
        forge_id=tag,
        tag=tag,
        published_at=datetime(2026, 12, day, 9, tzinfo=UTC),
        **fields,
    )


def test_the_version_is_the_newest_published_release_of_the_projects_repositories(owned):
    project, _asset, _owner = owned
    assert latest_release(project=project) is None
    web, tokens = RepositoryFactory(project=project), RepositoryFactory(project=project)
    _release(web, "v1.1.0", 1)
    _release(tokens, "v1.2.0", 3)
    _release(tokens, "v2.0.0-rc.1", 5, prerelease=True)
    _release(web, "v9.9.9", 6, draft=True)
    Release.objects.create(repository=web, forge_id="unpublished", tag="v3.0.0", published_at=None)
    _release(RepositoryFactory(), "v7.0.0", 7)  # another project's

    release = latest_release(project=project)
    assert release is not None
    assert (release.tag, release.version) == ("v1.2.0", "1.2.0")
    assert release.published_at == datetime(2026, 12, 3, 9, tzinfo=UTC)
    assert release.repository_url == tokens.url


def test_the_asset_page_says_how_to_use_it_with_the_latest_version_and_the_snippet(client, owned):
    project, asset, _owner = owned
    asset.package_url = "pkg:npm/%40acme/design-tokens"
    asset.save()
    _release(RepositoryFactory(project=project), "v1.2.0", 3)

    body = client.get(asset.get_absolute_url()).content.decode()
    assert "How to use it" in body
    assert "Version <strong>1.2.0</strong>, released 3 Dec 2026" in body
    assert (
        '<code id="install-snippet" class="language-shell">npm install @acme/design-tokens@1.2.0</code>'
        in body
    )
    assert 'data-copy="install-snippet"' in body
    assert "js/copy.js" in body


def test_the_snippet_is_escaped_on_the_page(client, owned):
    project, asset, _owner = owned
    asset.package_url = "pkg:maven/com.acme/ledger-client"
    asset.save()
    body = client.get(asset.get_absolute_url()).content.decode()
    assert "&lt;dependency&gt;\n  &lt;groupId&gt;com.acme&lt;/groupId&gt;" in body
    assert "<dependency>" not in body
    assert "No release recorded yet" in body


def test_without_coordinates_editors_are_told_where_to_add_them_and_others_see_nothing(client, owned):
    project, asset, owner = owned
    assert "How to use it" not in client.get(asset.get_absolute_url()).content.decode()
    client.force_login(owner)
    body = client.get(asset.get_absolute_url()).content.decode()
    assert "How to use it" in body
    assert "Add its package coordinates" in body


@pytest.mark.parametrize(
    ("written", "key"),
    [
        # Version and qualifiers (where it is fetched from) are not which package it is.
        ("pkg:pypi/Acme_Retry@2.1.0?repository_url=https://pypi.acme.example", "pkg:pypi/acme-retry"),
        ("pkg:pypi/acme.retry", "pkg:pypi/acme-retry"),
        ("pkg:npm/%40Acme/Design-Tokens@2.4.0", "pkg:npm/%40acme/design-tokens"),
        ("pkg:npm/@acme/design-tokens", "pkg:npm/%40acme/design-tokens"),
        ("pkg:docker/base-python@1.4", "pkg:docker/library/base-python"),
        ("pkg:docker/Acme/base-python?repository_url=registry.acme.example", "pkg:docker/acme/base-python"),
        ("pkg:githubactions/acme/setup-build@v2", "pkg:github/acme/setup-build"),
        ("pkg:github/acme/actions#/publish/", "pkg:github/acme/actions#publish"),
        ("pkg:terraform/Acme/network/aws@2.1.0", "pkg:terraform/acme/network/aws"),
        # A git repository's package is the repository, however its URL is written (ssh or https, user,
        # port, ".git", a revision): its transport-free address, a folder as the subpath.
        (
            "pkg:generic/vpc-module@1.4.0?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules.git#vpc",
            "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules#vpc",
        ),
        (
            "pkg:generic/x?vcs_url=git%2Bssh://git%40Git.Acme.Example:2222/platform/terraform-modules.git%40v1.4.0",
            "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules",
        ),
        (
            "pkg:generic/x?vcs_url=git%2Bgit%40git.acme.example:platform/terraform-modules.git%40v2%23/dns/",
            "pkg:generic/terraform-modules?vcs_url=git%2Bhttps://git.acme.example/platform/terraform-modules#dns",
        ),
        # A plain git server tells /Modules from /modules.
        (
            "pkg:generic/modules?vcs_url=git%2Bhttps://git.acme.example/Platform/Modules",
            "pkg:generic/Modules?vcs_url=git%2Bhttps://git.acme.example/Platform/Modules",
        ),
        # Without a git repository, a generic package is its name (where it is downloaded from aside).
        ("pkg:generic/openssl@1.1.1?download_url=https://acme.example/openssl.tgz", "pkg:generic/openssl"),
        # Maven and Go names are compared as written: their registries tell case apart.
        ("pkg:maven/com.acme/Ledger-Client@2.4.0", "pkg:maven/com.acme/Ledger-Client"),
        ("pkg:golang/git.acme.example/platform/auth@v1.4.0", "pkg:golang/git.acme.example/platform/auth"),
        ("not a purl", None),
    ],
)
def test_package_key_is_which_package_a_coordinate_names(written, key):
    assert package_key(written) == key


def test_an_action_or_ci_file_matches_its_repository_as_a_whole():
    assert package_keys_matching("pkg:github/acme/actions#publish") == [
        "pkg:github/acme/actions#publish",
        "pkg:github/acme/actions",
    ]
    assert package_keys_matching("pkg:gitlab/acme/ci#templates/build.yml")[-1] == "pkg:gitlab/acme/ci"
    # A package's subpath is a path inside it, not another package of its repository.
    assert package_keys_matching("pkg:npm/left-pad") == ["pkg:npm/left-pad"]
    # A module in a folder of a git repository: the repository as a whole offers it too.
    module = "pkg:generic/modules?vcs_url=git%2Bhttps://git.acme.example/platform/modules#vpc"
    assert package_keys_matching(module)[-1] == module.partition("#")[0]
    assert package_keys_matching("pkg:generic/openssl#include") == ["pkg:generic/openssl#include"]
