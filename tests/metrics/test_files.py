import pytest

from metrics.sync.files import readiness_files


@pytest.mark.parametrize(
    ("paths", "keys"),
    [
        (["README.md", "LICENSE"], ["README", "LICENSE"]),
        (
            [".github/CODEOWNERS", "docs/CONTRIBUTING.rst", ".github/ISSUE_TEMPLATE"],
            ["CONTRIBUTING", "CODEOWNERS", "ISSUE_TEMPLATE"],
        ),
        (
            [".gitlab/issue_templates", ".gitlab/merge_request_templates"],
            ["ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE"],
        ),
        (
            ["CODE-OF-CONDUCT.md", "COMMUNICATION.md", "COPYING"],
            ["COMMUNICATION", "CODE_OF_CONDUCT", "LICENSE"],
        ),
        (["innersource.json", "catalog-info.yml"], ["INNERSOURCE_JSON", "CATALOG_INFO"]),
        # The portal's own descriptors count only at the root, and other folders not at all.
        (["docs/innersource.json", "src/README.md", "vendor/LICENSE"], []),
    ],
)
def test_standard_files_are_read_the_same_way_for_every_forge(paths, keys):
    assert readiness_files(paths) == keys
