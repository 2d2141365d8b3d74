"""The sync of plain git repositories, against real repositories built with the git command."""

import dataclasses
import os
import subprocess
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.interop import catalog_import, parse_files
from catalog.models import Adoption, AdoptionSource, Repository
from catalog.services import AssetFields, asset_save
from metrics.models import Commit, ForgeAccount, ManifestFile, SyncState
from metrics.selectors import repository_dependencies
from metrics.sync import git as git_sync
from metrics.sync.http import ForgeError
from metrics.sync.runner import repository_sync
from metrics.tasks import adoptions_detect_all, sync_repository
from tests.factories import AssetFactory, ProjectFactory, UserFactory
from tests.metrics import manifest_files

ALICE = ("Alice Example", "alice@example.com")
ZOE = ("Zoë Ñandú 林中", "zoe@example.com")
BOB_UPPER = ("Bob Builder", "Bob.Builder@Example.com")
BOB_LOWER = ("Bob Builder", "bob.builder@example.com")
CAROL = ("Carol Merger", "carol@example.com")
DAVE = ("Dave Late", "dave@example.com")
WEEK = timedelta(weeks=1)


def git(cwd: Path, *args: str, who: tuple[str, str] | None = None, when: datetime | None = None) -> str:
    """Run git in the test's own repository, isolated from the user's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", LC_ALL="C")
    if who:
        name, email = who
        env.update(GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name)
        env.update(GIT_COMMITTER_EMAIL=email)
    if when:
        # git's internal date format, with an offset, so that time zones are exercised too.
        stamp = f"{int(when.timestamp())} +0200"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    result = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=True)
    return result.stdout.decode()


class Source:
    """A working repository whose default branch is `trunk` (neither main nor master, on purpose)."""

    def __init__(self, path: Path, now: datetime):
        self.path = path
        self.now = now
        path.mkdir()
        git(path, "init", "-q", "-b", "trunk")

    def commit(self, message: str, *, who, days_ago: float, files: dict[str, str] | None = None) -> str:
        for name, text in (files or {}).items():
            (self.path / name).parent.mkdir(parents=True, exist_ok=True)
            (self.path / name).write_text(text, encoding="utf-8")
        git(self.path, "add", "-A")
        when = self.now - timedelta(days=days_ago)
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, who=who, when=when)
        return self.head()

    def head(self) -> str:
        return git(self.path, "rev-parse", "trunk").strip()

    def shas(self, *options: str) -> set[str]:
        return set(git(self.path, "log", *options, "--format=%H", "trunk").split())


@pytest.fixture(autouse=True)
def _local_repositories_allowed(settings):
    """These tests sync real repositories that they build in a temporary folder."""
    settings.GIT_ALLOW_LOCAL_PATHS = True


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def source(tmp_path, now):
    """Seven ordinary commits by four people (one merge), two of them older than 52 weeks."""
    src = Source(tmp_path / "source", now)
    src.commit("Start", who=ALICE, days_ago=400, files={"README.md": "# Tool\n"})
    src.commit("License", who=ALICE, days_ago=380, files={"LICENSE": "MIT\n"})
    src.commit("How to help", who=ZOE, days_ago=100, files={"CONTRIBUTING.md": "Send patches.\n"})
    src.commit(
        "Owners", who=BOB_UPPER, days_ago=60, files={".github/CODEOWNERS": "* @bob\n", "notes.txt": "n\n"}
    )
    git(src.path, "mv", "notes.txt", "guide.txt")
    src.commit("Rename the notes", who=BOB_LOWER, days_ago=50)
    git(src.path, "checkout", "-q", "-b", "feature")
    src.commit("Feature work", who=ZOE, days_ago=30, files={"feature.txt": "f\n"})
    git(src.path, "checkout", "-q", "trunk")
    src.commit("Fix on trunk", who=ALICE, days_ago=20, files={"README.md": "# Tool\n\nFixed.\n"})
    merged_at = now - timedelta(days=10)
    git(src.path, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature", who=CAROL, when=merged_at)
    return src


@pytest.fixture
def repository(db, settings, tmp_path, source):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Repository.objects.create(project=ProjectFactory(), forge="git", url=str(source.path))


def stored_shas(repository, **filters) -> set[str]:
    return set(Commit.objects.filter(repository=repository, **filters).values_list("sha", flat=True))


def test_a_first_sync_records_every_commit_of_the_default_branch_with_merges_flagged(repository, source):
    outcome = repository_sync(repository=repository, full=False)

    assert outcome.requests == 1
    assert stored_shas(repository, is_merge=False) == source.shas("--no-merges")
    assert stored_shas(repository, is_merge=True) == source.shas("--merges")
    assert len(source.shas("--no-merges")) == 7 and len(source.shas("--merges")) == 1
    renamed = git(source.path, "log", "-M", "--diff-filter=R", "--format=%H", "trunk").split()
    assert len(renamed) == 1 and renamed[0] in stored_shas(repository)


def test_the_mirror_is_a_bare_clone_beside_the_media_folder(repository, tmp_path):
    repository_sync(repository=repository, full=False)

    mirror = tmp_path / "git-mirrors" / str(repository.pk)
    assert git(mirror, "rev-parse", "--is-bare-repository").strip() == "true"
    assert [p.name for p in (tmp_path / "git-mirrors").iterdir()] == [str(repository.pk)]


def test_commits_keep_the_author_names_emails_and_author_dates(repository, source):
    repository_sync(repository=repository, full=False)

    log = git(source.path, "log", "-z", "--format=%H%x1f%an%x1f%ae%x1f%at", "trunk")
    expected = {}
    for record in filter(None, log.split("\0")):
        sha, name, email, stamp = record.strip("\n").split("\x1f")
        expected[sha] = (name, email, datetime.fromtimestamp(int(stamp), tz=UTC))
    stored = {
        c.sha: (c.author_name, c.author_email, c.authored_at)
        for c in Commit.objects.filter(repository=repository)
    }
    assert stored == expected
    zoe_dates = Commit.objects.filter(repository=repository, author_name="Zoë Ñandú 林中")
    assert sorted(zoe_dates.values_list("authored_at", flat=True)) == [
        datetime.fromtimestamp(int((source.now - timedelta(days=days)).timestamp()), tz=UTC)
        for days in (100, 30)
    ]
    merge = Commit.objects.get(repository=repository, is_merge=True)
    assert (merge.author_name, merge.author_email) == CAROL


def test_accounts_are_one_per_lower_cased_email_and_linked_to_portal_users(repository):
    alice_user = UserFactory(username="alice", email="alice@example.com")

    repository_sync(repository=repository, full=False)

    accounts = ForgeAccount.objects.filter(forge="git")
    expected = {"alice@example.com", "zoe@example.com", "bob.builder@example.com", "carol@example.com"}
    assert set(accounts.values_list("login", flat=True)) == expected
    bob_commits = Commit.objects.filter(repository=repository, author__login="bob.builder@example.com")
    assert sorted(bob_commits.values_list("author_email", flat=True)) == sorted([BOB_UPPER[1], BOB_LOWER[1]])
    assert accounts.get(login="zoe@example.com").name == "Zoë Ñandú 林中"
    assert accounts.get(login="alice@example.com").user == alice_user


def test_statistics_describe_the_default_branch(repository, source, now):
    repository_sync(repository=repository, full=False)
    repository.refresh_from_db()

    assert repository.default_branch == "trunk"
    assert repository.files_present == ["README", "CONTRIBUTING", "LICENSE", "CODEOWNERS"]
    assert repository.last_error == "" and repository.last_synced_at is not None
    stamps = [int(s) for s in git(source.path, "log", "--no-merges", "--format=%at", "trunk").split()]
    recent = [s for s in stamps if now.timestamp() - s < 52 * WEEK.total_seconds()]
    assert len(recent) == 5 and len(stamps) == 7  # the two commits of 400 and 380 days ago fall outside
    assert len(repository.participation) == 52
    assert sum(repository.participation) == len(recent)
    assert repository.participation[51 - 100 // 7] == 1  # Zoë's commit of 100 days ago, oldest first
    assert repository.participation[-1] == 0  # nothing this week; the merge of 10 days ago is no commit
    all_stamps = [int(s) for s in git(source.path, "log", "--format=%at", "trunk").split()]
    assert repository.forge_created_at == datetime.fromtimestamp(min(all_stamps), tz=UTC)
    assert repository.forge_updated_at == repository.forge_pushed_at
    assert repository.forge_pushed_at == datetime.fromtimestamp(max(all_stamps), tz=UTC)


def test_a_second_sync_without_new_commits_adds_nothing_and_keeps_the_cursor(repository, source):
    repository_sync(repository=repository, full=False)
    count = Commit.objects.filter(repository=repository).count()

    again = repository_sync(repository=repository, full=False)

    assert again.records == 0 and again.unchanged
    assert again.requests == 1  # the fetch
    assert Commit.objects.filter(repository=repository).count() == count
    assert SyncState.objects.get(repository=repository).cursors["git_head"] == source.head()


def test_new_commits_are_picked_up_incrementally(repository, source):
    repository_sync(repository=repository, full=False)
    source.commit("Later", who=DAVE, days_ago=2, files={"later.txt": "l\n"})
    source.commit("Later still", who=ALICE, days_ago=1, files={"CODE_OF_CONDUCT.md": "Be kind.\n"})

    outcome = repository_sync(repository=repository, full=False)

    assert outcome.records == 2  # only the range since the last head is read
    assert stored_shas(repository) == source.shas()
    assert SyncState.objects.get(repository=repository).cursors["git_head"] == source.head()
    repository.refresh_from_db()
    assert "CODE_OF_CONDUCT" in repository.files_present
    assert repository.participation[-1] == 2
    assert ForgeAccount.objects.filter(forge="git", login="dave@example.com").exists()


def test_a_rewritten_history_converges_to_the_source(repository, source):
    repository_sync(repository=repository, full=False)
    merged = stored_shas(repository, is_merge=True)
    git(source.path, "reset", "-q", "--hard", "trunk~1")  # drops the merge and the feature branch's work
    git(source.path, "branch", "-q", "-D", "feature")
    source.commit("Another way", who=ZOE, days_ago=1, files={"other.txt": "o\n"})

    repository_sync(repository=repository, full=False)

    assert stored_shas(repository) == source.shas()
    assert not stored_shas(repository) & merged
    assert Commit.objects.filter(repository=repository).count() == 7  # five kept, one new, feature gone
    assert SyncState.objects.get(repository=repository).cursors["git_head"] == source.head()


def test_a_full_sync_reads_the_whole_branch_again(repository, source):
    repository_sync(repository=repository, full=False)

    outcome = repository_sync(repository=repository, full=True)

    assert outcome.records == len(source.shas())
    assert stored_shas(repository) == source.shas()


def test_batches_are_bounded_and_the_cursor_moves_with_the_last_one(repository, monkeypatch):
    monkeypatch.setattr("metrics.sync.git.adapter.BATCH_SIZE", 3)
    state = SyncState.objects.create(repository=repository)
    seen = []
    for batch in git_sync.GitAdapter().batches(repository=repository, state=state, full=False):
        seen.append((len(batch.commits), "git_head" in state.cursors, batch.stats is not None))

    assert seen == [(3, False, False), (3, False, False), (2, True, True)]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "relative/path",
        "-uhttps://example.com/x.git",
        "ext::sh -c touch% /tmp/pwned",
        "ssh://-oProxyCommand=touch/x",
        "git@-oProxyCommand=x:repo.git",
        "https://example.com/x.git\nfatal",
        "file://remote-host/srv/x.git",
        "",
    ],
)
def test_urls_that_git_could_misuse_are_refused(url):
    with pytest.raises(ForgeError) as error:
        git_sync.git_url_check(url)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://git.example.com/team/tool.git",
        "http://10.0.0.5:8080/tool.git",
        "ssh://git@git.example.com:2222/team/tool.git",
        "git@github.com:team/tool.git",
        "file:///srv/git/tool.git",
        "/srv/git/tool.git",
    ],
)
def test_the_usual_git_urls_are_accepted(url, settings):
    settings.GIT_ALLOWED_HOSTS = ["git.example.com", "10.0.0.5"]
    settings.GIT_ALLOW_LOCAL_PATHS = True
    git_sync.git_url_check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://metadata.internal/latest/",
        "http://169.254.169.254/computeMetadata/v1/",
        "git@evil.example.com:team/tool.git",
        "ssh://git@intranet.example.com/team/tool.git",
    ],
)
def test_hosts_that_are_not_configured_forges_are_refused(url, settings):
    settings.GIT_ALLOWED_HOSTS = ["git.example.com"]
    with pytest.raises(ForgeError, match="GIT_ALLOWED_HOSTS"):
        git_sync.git_url_check(url)


@pytest.mark.parametrize("url", ["/etc/secrets.git", "file:///srv/git/tool.git"])
def test_local_paths_are_refused_unless_allowed(url, settings):
    settings.GIT_ALLOW_LOCAL_PATHS = False
    with pytest.raises(ForgeError, match="GIT_ALLOW_LOCAL_PATHS"):
        git_sync.git_url_check(url)


def test_the_configured_forges_hosts_are_allowed(settings):
    settings.GITHUB_API_URL = "https://github.example.com/api/v3"
    settings.GITLAB_URL = "https://gitlab.example.com"
    settings.GIT_ALLOWED_HOSTS = []
    git_sync.git_url_check("https://github.example.com/team/tool.git")
    git_sync.git_url_check("git@gitlab.example.com:team/tool.git")


def test_the_sync_task_records_a_one_line_error_for_a_refused_url(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    repository = Repository.objects.create(project=ProjectFactory(), forge="git", url="ftp://x")

    result = sync_repository.apply(args=[repository.pk]).get()

    repository.refresh_from_db()
    assert result == "failed"
    assert repository.last_error.startswith("unsupported git URL 'ftp://x'")
    assert "\n" not in repository.last_error
    assert not (tmp_path / "git-mirrors").exists()


def test_the_sync_task_records_a_one_line_error_for_a_missing_path(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    missing = tmp_path / "nowhere"
    repository = Repository.objects.create(project=ProjectFactory(), forge="git", url=str(missing))

    result = sync_repository.apply(args=[repository.pk]).get()

    repository.refresh_from_db()
    assert result == "failed"
    assert repository.last_error == f"git clone failed: repository '{missing}' does not exist"
    assert repository.last_synced_at is None
    assert SyncState.objects.get(repository=repository).consecutive_failures == 1
    assert list((tmp_path / "git-mirrors").iterdir()) == []  # the partial clone was cleaned up


def test_an_unreachable_server_is_a_transient_error_to_retry(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FORGE_TIMEOUT_SECONDS = 1
    settings.GIT_ALLOWED_HOSTS = ["127.0.0.1"]
    repository = Repository.objects.create(
        project=ProjectFactory(), forge="git", url="http://127.0.0.1:1/tool.git"
    )

    result = sync_repository.apply(args=[repository.pk]).get()

    repository.refresh_from_db()
    assert result == "retrying"
    assert repository.last_error.startswith("git clone failed:") and "\n" not in repository.last_error
    assert SyncState.objects.get(repository=repository).next_attempt_at is not None


def test_a_vanished_source_after_a_good_sync_is_reported_by_the_fetch(repository, source, tmp_path):
    repository_sync(repository=repository, full=False)
    source.path.rename(tmp_path / "moved")

    result = sync_repository.apply(args=[repository.pk]).get()

    repository.refresh_from_db()
    assert result == "failed"
    assert repository.last_error.startswith("git fetch failed:") and "\n" not in repository.last_error
    assert Commit.objects.filter(repository=repository).count() == 8  # what was synced stays


def test_the_sync_repos_command_prints_a_line_for_the_repository(repository):
    out = StringIO()

    call_command("sync_repos", "--project", repository.project.slug, stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"[1/1] {repository.url}: 8 records in 1 requests"
    assert lines[-1] == "Synced 1 of 1 repositories."


def test_an_empty_repository_syncs_without_error_and_its_first_commits_follow(db, settings, tmp_path, now):
    settings.MEDIA_ROOT = tmp_path / "media"
    empty = Source(tmp_path / "empty", now)
    repository = Repository.objects.create(project=ProjectFactory(), forge="git", url=str(empty.path))

    repository_sync(repository=repository, full=False)

    repository.refresh_from_db()
    assert (repository.last_error, repository.default_branch) == ("", "trunk")
    assert repository.participation == [0] * 52 and repository.files_present == []
    assert not Commit.objects.filter(repository=repository).exists()

    first = empty.commit("Hello", who=ALICE, days_ago=3, files={"readme.rst": "Hello\n"})
    repository_sync(repository=repository, full=False)

    repository.refresh_from_db()
    assert stored_shas(repository) == {first}
    assert repository.files_present == ["README"]
    assert repository.participation[-1] == 1


# --- the README of the default branch ---------------------------------------------------------------


def test_the_readme_is_read_from_the_mirror_and_only_again_when_its_blob_changes(
    repository, source, monkeypatch
):
    repository_sync(repository=repository, full=False)
    repository.refresh_from_db()
    blob = git(source.path, "rev-parse", "trunk:README.md").strip()
    assert (repository.readme_path, repository.readme_sha) == ("README.md", blob)
    assert repository.readme_text == "# Tool\n\nFixed.\n"

    reads = []
    original = git_sync.GitAdapter._readme

    def counting(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        reads.append(result)
        return result

    monkeypatch.setattr(git_sync.GitAdapter, "_readme", counting)
    source.commit("Unrelated", who=ALICE, days_ago=1, files={"other.txt": "o\n"})
    repository_sync(repository=repository, full=False)
    assert reads == [None], "same blob: nothing read, nothing written"

    source.commit("Docs", who=ALICE, days_ago=0.5, files={"README.md": "# Tool\n\nSee [docs](docs/x.md).\n"})
    repository_sync(repository=repository, full=False)
    repository.refresh_from_db()
    assert repository.readme_text == "# Tool\n\nSee [docs](docs/x.md).\n"
    assert repository.readme_sha == git(source.path, "rev-parse", "trunk:README.md").strip()


def test_a_removed_readme_is_cleared_and_a_huge_one_is_cut(repository, source):
    repository_sync(repository=repository, full=False)
    git(source.path, "rm", "-q", "README.md")
    source.commit("No readme", who=ALICE, days_ago=1)

    repository_sync(repository=repository, full=False)

    repository.refresh_from_db()
    assert (repository.readme_path, repository.readme_sha, repository.readme_text) == ("", "", "")

    source.commit(
        "Huge",
        who=ALICE,
        days_ago=0.5,
        files={"docs/README.md": "y" * 99 + "\n" * 1 + ("z" * 99 + "\n") * 3000},
    )
    repository_sync(repository=repository, full=False)

    repository.refresh_from_db()
    assert repository.readme_path == "docs/README.md" and repository.readme_truncated
    assert len(repository.readme_text.encode()) <= 200 * 1024 and repository.readme_text.endswith("z\n")


# --- the dependency manifests of the default branch -------------------------------------------------


@pytest.fixture
def with_manifests(repository, source):
    """The repository with manifests of several kinds in subfolders (tests/metrics/manifest_files.py)."""
    source.commit("Dependencies", who=ALICE, days_ago=5, files=manifest_files.FILES)
    return repository


def test_the_sync_stores_each_manifests_dependencies_with_versions_and_lines(
    with_manifests, django_assert_num_queries
):
    repository_sync(repository=with_manifests)

    assert manifest_files.stored(with_manifests) == manifest_files.expected()
    shas = dict(ManifestFile.objects.filter(repository=with_manifests).values_list("path", "blob_sha"))
    assert shas["Dockerfile"] == git(Path(with_manifests.url), "rev-parse", "trunk:Dockerfile").strip()
    with django_assert_num_queries(1):
        found = repository_dependencies(repository_ids=[with_manifests.pk, with_manifests.pk + 1000])
    assert list(found) == [with_manifests.pk]
    assert [(d.path, d.purl, d.version, d.line) for d in found[with_manifests.pk]][:2] == [
        (".github/workflows/ci.yml", "pkg:github/acme/setup-build", "v3", 6),
        (".gitlab-ci.yml", "pkg:gitlab/acme/platform/ci-templates#templates/build.yml", "v3.1", 2),
    ]


def test_only_a_changed_manifest_is_read_again_and_a_removed_one_is_dropped(
    with_manifests, source, monkeypatch
):
    """Each manifest kind, in a real git repository, finds its asset with the version in use; an
    unchanged branch costs no parsing; a dependency removed ends its adoption."""
    before, parsed = manifest_files.first_sync(with_manifests, monkeypatch)
    repository_sync(repository=with_manifests)
    assert manifest_files.read_times(with_manifests) == before, "nothing changed: nothing read again"
    assert parsed == [], "nor parsed"

    source.commit(
        "Bump", who=ALICE, days_ago=1, files={"svc/requirements.txt": manifest_files.CHANGED_REQUIREMENTS}
    )
    git(source.path, "rm", "-q", "services/api/go.mod")
    source.commit("No more Go", who=ALICE, days_ago=0.5)
    repository_sync(repository=with_manifests)

    after = manifest_files.read_times(with_manifests)
    assert after["svc/requirements.txt"] > before["svc/requirements.txt"]
    assert {path: moment for path, moment in after.items() if path != "svc/requirements.txt"} == {
        path: moment
        for path, moment in before.items()
        if path not in ("svc/requirements.txt", "services/api/go.mod")
    }
    manifest_files.assert_the_change_read(with_manifests, parsed)


def test_a_broken_manifest_keeps_its_error_and_no_dependencies(with_manifests, source):
    source.commit(
        "Oops", who=ALICE, days_ago=1, files={"web/package.json": manifest_files.BROKEN_PACKAGE_JSON}
    )

    repository_sync(repository=with_manifests)

    dependencies, error = manifest_files.stored(with_manifests)["web/package.json"]
    assert dependencies == []
    assert error.startswith("web/package.json: not valid JSON") and "\n" not in error
    with_manifests.refresh_from_db()
    assert with_manifests.last_error == "", "one unreadable file does not fail the sync"
    assert "web/package.json" not in {
        d.path for d in repository_dependencies(repository_ids=[with_manifests.pk])[with_manifests.pk]
    }


def test_a_full_sync_reads_no_unchanged_manifest_and_changes_nothing(with_manifests):
    repository_sync(repository=with_manifests)
    fields = ("pk", "path", "blob_sha", "dependencies", "error", "read_at")
    rows = list(ManifestFile.objects.order_by("path").values(*fields))

    repository_sync(repository=with_manifests, full=True)

    assert list(ManifestFile.objects.order_by("path").values(*fields)) == rows


def test_a_branch_emptied_of_manifests_leaves_none_stored(with_manifests, source):
    repository_sync(repository=with_manifests)
    for path in manifest_files.EXPECTED:
        git(source.path, "rm", "-q", path)
    source.commit("Vendored elsewhere", who=ALICE, days_ago=1)

    repository_sync(repository=with_manifests)

    assert not ManifestFile.objects.filter(repository=with_manifests).exists()


def test_the_sync_finds_the_catalogs_assets_in_the_code_and_follows_their_removal(with_manifests, source):
    """Issue 18: a dependency on an asset's package is an adoption found in code, with its version, file
    and line; a dependency removed ends it; an asset given its package URL later is found by the
    nightly match (metrics.tasks.adoptions_detect_all)."""
    retry = AssetFactory(name="acme-retry", package_url="pkg:pypi/acme_retry")
    tokens = AssetFactory(name="Design tokens")
    repository_sync(repository=with_manifests)

    adoption = Adoption.objects.get(asset=retry)
    assert (adoption.source, adoption.repository, adoption.team) == (
        AdoptionSource.DETECTED,
        with_manifests,
        with_manifests.project.name,
    )
    assert (adoption.version, adoption.manifest_path, adoption.manifest_line) == (
        "==2.1.0",
        "svc/requirements.txt",
        2,
    )
    assert not Adoption.objects.filter(asset=tokens).exists()

    tokens.package_url = "pkg:npm/%40acme/design-tokens"
    tokens.save()
    assert adoptions_detect_all() == 1
    assert Adoption.objects.get(asset=tokens).version == "2.4.0", "the lock file's version, not the range"

    source.commit("No retry", who=ALICE, days_ago=0.5, files={"svc/requirements.txt": "requests>=2.31\n"})
    repository_sync(repository=with_manifests)
    adoption.refresh_from_db()
    assert adoption.ended_on == timezone.now().date()
    assert Adoption.objects.active().filter(source=AdoptionSource.DETECTED).count() == 1


def test_an_unreadable_manifest_ends_none_of_its_adoptions(with_manifests, source):
    tokens = AssetFactory(package_url="pkg:npm/%40acme/design-tokens")
    repository_sync(repository=with_manifests)
    assert Adoption.objects.active().filter(asset=tokens).exists()
    source.commit(
        "Oops", who=ALICE, days_ago=1, files={"web/package.json": manifest_files.BROKEN_PACKAGE_JSON}
    )
    repository_sync(repository=with_manifests)
    assert Adoption.objects.active().filter(asset=tokens).exists(), "what it declares is unknown, not gone"


def test_an_asset_given_its_package_url_is_found_in_the_code_already_synced_at_once(
    with_manifests, django_capture_on_commit_callbacks
):
    asset = AssetFactory(name="Design tokens")
    repository_sync(repository=with_manifests)
    assert not Adoption.objects.filter(asset=asset).exists()
    owner = UserFactory()
    fields = AssetFields(name=asset.name, kind=asset.kind, description=asset.description)

    def package_url_saved(purl: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            asset_save(
                project=asset.project,
                user=owner,
                asset=asset,
                fields=dataclasses.replace(fields, package_url=purl),
            )

    package_url_saved("pkg:npm/%40acme/design-tokens")
    assert Adoption.objects.active().get(asset=asset).version == "2.4.0"

    # Another package: the code using the old one no longer counts.
    package_url_saved("pkg:npm/%40acme/other-tokens")
    assert not Adoption.objects.active().filter(asset=asset).exists()


# Backstage entities that name their packages, the first one @acme/design-tokens.
PACKAGES = Path(__file__).resolve().parents[1] / "fixtures" / "backstage-packages.yaml"


def test_an_asset_imported_with_its_npm_package_is_found_in_the_code_already_synced(
    with_manifests, django_capture_on_commit_callbacks
):
    repository_sync(repository=with_manifests)
    entries = parse_files(format="backstage", files=[("catalog-info.yaml", PACKAGES.read_bytes())])
    with django_capture_on_commit_callbacks(execute=True):
        catalog_import(entries=entries, business_unit="design")

    adoption = Adoption.objects.active().get(asset__project__name="design-tokens")
    assert (adoption.source, adoption.repository, adoption.version) == (
        AdoptionSource.DETECTED,
        with_manifests,
        "2.4.0",
    )


INFRA_TF = """\
terraform {
  required_version = ">= 1.5"
}

module "vpc" {
  source = "git::https://git.acme.example/platform/terraform-modules.git//vpc?ref=v1.4.0"
  cidr   = "10.0.0.0/16"
}

module "network" {
  source = "git::ssh://git@git.acme.example/platform/network.git?ref=v2"
}

module "archive" {
  source = "https://git.acme.example/platform/terraform-modules/archive/v1.zip//vpc"
}
"""


def test_terraform_modules_from_another_git_host_are_found_in_the_code_and_their_removal_ends_them(
    with_manifests, source, django_capture_on_commit_callbacks
):
    """Issue 18: a module taken from a git repository on a host that is neither GitHub nor GitLab is the
    asset whose package URL names that repository (given after the sync: found at once), or the asset of
    the project whose catalog repository it is; the ref is the version in use; removed, it ends."""
    source.commit("Infrastructure", who=ALICE, days_ago=1, files={"infra/main.tf": INFRA_TF})
    vpc = AssetFactory(name="VPC module")
    network_project = ProjectFactory(name="Network")
    Repository.objects.create(
        project=network_project, forge="git", url="https://git.acme.example/platform/network"
    )
    network = AssetFactory(project=network_project, name="Network module")
    repository_sync(repository=with_manifests)
    assert not Adoption.objects.filter(asset=vpc).exists()

    with django_capture_on_commit_callbacks(execute=True):
        asset_save(
            project=vpc.project,
            user=UserFactory(),
            asset=vpc,
            fields=AssetFields(
                name=vpc.name,
                kind=vpc.kind,
                description=vpc.description,
                package_url=(
                    "pkg:generic/terraform-modules"
                    "?vcs_url=git%2Bssh://git%40git.acme.example/platform/terraform-modules.git#vpc"
                ),
            ),
        )

    found = Adoption.objects.active().get(asset=vpc)
    assert (found.source, found.repository, found.team) == (
        AdoptionSource.DETECTED,
        with_manifests,
        with_manifests.project.name,
    )
    assert (found.version, found.manifest_path, found.manifest_line) == ("v1.4.0", "infra/main.tf", 5)
    by_repository = Adoption.objects.active().get(asset=network)
    assert (by_repository.version, by_repository.manifest_line) == ("v2", 10)

    vpc_block = INFRA_TF[INFRA_TF.index('module "vpc"') : INFRA_TF.index('module "network"')]
    without_vpc = {"infra/main.tf": INFRA_TF.replace(vpc_block, "")}
    source.commit("The VPC is managed elsewhere", who=ALICE, days_ago=0.5, files=without_vpc)
    repository_sync(repository=with_manifests)
    found.refresh_from_db()
    assert found.ended_on == timezone.now().date()
    assert Adoption.objects.active().get(asset=network).manifest_line == 5, "still used, a line up"
