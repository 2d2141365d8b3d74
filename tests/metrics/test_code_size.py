"""The size of a repository's source code, as the sync reads it for the build effort of its project's assets
(metrics.sync.code_size): counted from a real git repository, estimated from GitHub's tree sizes, and
counted again only when the source changed. GitLab's, whose sizes come from its GraphQL API, are tested
with the rest of its sync (tests/metrics/test_gitlab_sync.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Repository
from metrics.sync import code_size as code_module
from metrics.sync.code_size import BYTES_PER_LINE, MAX_FILE_BYTES, code_size, language_of, non_blank_lines
from metrics.sync.manifest_scan import Blob
from metrics.sync.runner import repository_sync
from tests.factories import ProjectFactory
from tests.metrics.test_git_sync import ALICE, Source
from tests.metrics.test_github_sync import BASE, serve, serve_manifests

# Lines: 3 non-blank of 5 in app.py; 2 in util.py (one blank); 4 in web/index.ts.
SOURCE = {
    "src/app.py": "import os\n\n\ndef main():\n    return os.getcwd()\n",
    "src/util.py": "X = 1\n\nY = 2",  # no newline at the end: still 2 lines
    "web/index.ts": "export const a = 1;\n  \nexport const b = 2;\nlet c = a + b;\nconsole.log(c);\n",
    # Not source, or not the product's: none of these count.
    "README.md": "# App\n\nRead me.\n",
    "package.json": '{"name": "app"}\n',
    "node_modules/left-pad/index.js": "module.exports = 1;\n" * 50,
    "web/vendor/lib.js": "var x;\n" * 30,
    "tests/test_app.py": "def test():\n    assert True\n",
    "web/dist/bundle.js": "x();\n" * 10,
    "web/app.min.js": "a();b();c();\n",
    "src/migrations/0001_initial.py": "operations = []\n",
    "api/service_pb2.py": "DESCRIPTOR = None\n",
}


def test_non_blank_lines_ignore_white_space_only_lines():
    assert non_blank_lines(b"a\n\n  \n\tb\nc") == 3
    assert non_blank_lines(b"") == 0


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/app.py", "Python"),
        ("lib/Widget.TSX", "TypeScript"),
        ("cmd/main.go", "Go"),
        ("cmd/main_test.go", None),
        ("pkg/vendor/x/y.go", None),
        ("build/out.js", None),
        ("web/app.min.js", None),
        ("docs/guide.md", None),
        (".eslintrc.js", "JavaScript"),
        ("Makefile", None),
        (".py", None),
    ],
)
def test_what_counts_as_source(path, language):
    assert language_of(path) == language


# --- plain git: lines counted from the mirror ---------------------------------------------------------------


@pytest.fixture
def git_repository(db, settings, tmp_path):
    settings.GIT_ALLOW_LOCAL_PATHS = True
    settings.MEDIA_ROOT = tmp_path / "media"
    source = Source(tmp_path / "source", timezone.now() - timedelta(days=1))
    source.commit("Code", who=ALICE, days_ago=3, files=SOURCE)
    repository = Repository.objects.create(project=ProjectFactory(), forge="git", url=str(source.path))
    return repository, source


def test_git_counts_the_non_blank_source_lines_of_the_default_branch_per_language(git_repository):
    repository, _source = git_repository
    repository_sync(repository=repository)
    repository.refresh_from_db()
    assert repository.code_lines == {"Python": 5, "TypeScript": 4}
    assert repository.code_lines_basis == "counted"
    assert len(repository.code_digest) == 64 and repository.code_counted_at is not None


def test_git_counts_again_only_when_a_source_file_changed(git_repository, monkeypatch):
    repository, source = git_repository
    repository_sync(repository=repository)
    repository.refresh_from_db()
    counted_at = repository.code_counted_at
    calls = []
    real = code_module.code_size

    def spy(**kwargs):
        size = real(**kwargs)
        calls.append(size)
        return size

    monkeypatch.setattr("metrics.sync.manifest_scan.code_size", spy)
    source.commit("Docs only", who=ALICE, days_ago=2, files={"README.md": "# App\n\nMore.\n"})
    repository_sync(repository=repository)
    repository.refresh_from_db()
    assert calls == [None], "the same source files: not counted again"
    assert repository.code_counted_at == counted_at

    source.commit("More code", who=ALICE, days_ago=1, files={"src/more.py": "a = 1\nb = 2\n"})
    repository_sync(repository=repository)
    repository.refresh_from_db()
    assert repository.code_lines == {"Python": 7, "TypeScript": 4}
    assert repository.code_counted_at > counted_at


def test_a_tree_too_large_to_read_is_estimated_from_its_sizes(git_repository, monkeypatch):
    repository, _source = git_repository
    monkeypatch.setattr("metrics.sync.git.adapter.MAX_COUNTED_BYTES", 10)
    repository_sync(repository=repository)
    repository.refresh_from_db()
    assert repository.code_lines_basis == "bytes"
    python_bytes = len(SOURCE["src/app.py"].encode()) + len(SOURCE["src/util.py"].encode())
    assert repository.code_lines["Python"] == -(-python_bytes // BYTES_PER_LINE)  # rounded up: 1


# --- GitHub: lines estimated from the tree's sizes ----------------------------------------------------------


@pytest.fixture
def github_repo(db, settings, fake_forge):
    settings.GITHUB_API_URL = fake_forge.url
    settings.GITHUB_TOKEN = "test-token"
    project = ProjectFactory(name="Widgets")
    return Repository.objects.create(
        project=project, forge="github", url="https://github.com/acme/widgets", full_name="acme/widgets"
    )


def test_github_lines_are_the_source_files_sizes_over_40_bytes(github_repo, fake_forge):
    serve(fake_forge)
    sizes = {
        "src/app.py": 4000,
        "src/util.py": 2001,
        "web/index.ts": 400,
        "node_modules/left-pad/index.js": 9999,
    }
    serve_manifests(fake_forge, SOURCE, sizes=sizes)

    repository_sync(repository=github_repo)

    github_repo.refresh_from_db()
    # Python: (4000 + 2001) / 40 = 150.025 → 151; TypeScript: 400 / 40 = 10. node_modules does not count.
    assert github_repo.code_lines == {"Python": 151, "TypeScript": 10}
    assert github_repo.code_lines_basis == "bytes"
    assert fake_forge.counts.get(f"{BASE}/languages", 0) == 0, "no request of its own"


def test_a_truncated_github_tree_is_not_sized(github_repo, fake_forge):
    serve(fake_forge)
    serve_manifests(fake_forge, SOURCE, truncated=True)
    repository_sync(repository=github_repo)
    github_repo.refresh_from_db()
    assert (github_repo.code_lines, github_repo.code_lines_basis) == ({}, "")


def test_a_listing_without_sizes_and_no_counter_is_not_sized(db):
    repository = Repository.objects.create(
        project=ProjectFactory(), forge="gitlab", url="https://gl.example/a/b"
    )
    assert code_size(repository=repository, blobs=[Blob("src/app.py", "1")]) is None


def test_sizes_asked_after_the_listing_follow_the_listed_ones_rule(db):
    repository = Repository.objects.create(
        project=ProjectFactory(), forge="gitlab", url="https://gl.example/a/b"
    )
    listed = [Blob("src/app.py", "1"), Blob("src/dump.py", "2"), Blob("README.md", "3")]
    asked: list[list[str]] = []

    def sizes(missing: list[Blob]) -> dict[str, int]:
        asked.append([blob.path for blob in missing])
        return {"1": 401, "2": MAX_FILE_BYTES + 1}

    size = code_size(repository=repository, blobs=listed, sizes=sizes)

    assert asked == [["src/app.py", "src/dump.py"]], "only the source files' sizes are asked"
    assert size is not None and (size.lines, size.basis) == ({"Python": 11}, "bytes"), (
        "a data dump is left out"
    )
    assert code_size(repository=repository, blobs=listed, sizes=lambda missing: None) is None
