"""Links to an issue, a request or a release on the repository's forge (catalog.repositories)."""

import pytest

from catalog.models import Repository
from catalog.repositories import forge_item_url, forge_release_url


@pytest.mark.parametrize(
    ("forge", "url", "issue", "pull_request", "release"),
    [
        (
            "github",
            "https://github.com/acme/ledger.git",
            "https://github.com/acme/ledger/issues/7",
            "https://github.com/acme/ledger/pull/7",
            "https://github.com/acme/ledger/releases/tag/v1.2%2Bbuild",
        ),
        (
            "gitlab",
            "https://gitlab.example.com/acme/ledger/",
            "https://gitlab.example.com/acme/ledger/-/issues/7",
            "https://gitlab.example.com/acme/ledger/-/merge_requests/7",
            "https://gitlab.example.com/acme/ledger/-/releases/v1.2%2Bbuild",
        ),
        ("git", "https://git.example.com/acme/ledger.git", "", "", ""),
        ("github", "git@github.com:acme/ledger.git", "", "", ""),  # no web address to build on
    ],
)
def test_pages_on_the_forge(forge, url, issue, pull_request, release):
    repository = Repository(forge=forge, url=url)
    assert forge_item_url(repository=repository, kind="issue", number=7) == issue
    assert forge_item_url(repository=repository, kind="request", number=7) == pull_request
    assert forge_release_url(repository=repository, tag="v1.2+build") == release
