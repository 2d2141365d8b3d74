"""The git sync's adapter: the mirror, the branch and its head, the commits of the range since the
last sync, and the statistics, README and manifests read from the mirror (see the package's docstring)."""

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import Commit, SyncState
from metrics.sync.code_size import MAX_COUNTED_BYTES
from metrics.sync.files import COMMUNITY_FOLDERS, readiness_files
from metrics.sync.git.command import Git
from metrics.sync.git.parsing import LOG_FORMAT, SHA_RE, blob_line_counts, commit_records, tree_entry
from metrics.sync.git.urls import git_url_check
from metrics.sync.http import ForgeError
from metrics.sync.manifest_scan import Blob, manifest_scan
from metrics.sync.readme import ROOT_FIRST_FOLDERS, readme_blob, readme_record, readme_unchanged
from metrics.sync.records import NO_README, ActivityBatch, CommitRecord, ReadmeRecord, RepositoryStatsRecord

BATCH_SIZE = 1000
WEEK_SECONDS = 7 * 24 * 3600


class GitAdapter:
    """The sync of one repository from its git mirror (see the package's docstring)."""

    def __init__(self) -> None:
        self.request_count = 0
        self._root = Path(settings.MEDIA_ROOT).parent / "git-mirrors"
        self._git = Git(self._root)

    # -- the mirror -----------------------------------------------------------------------------

    def _mirror(self, repository: Repository) -> Path:
        """Clone or fetch the repository's mirror: the sync's one network operation."""
        git_url_check(repository.url)
        self._root.mkdir(parents=True, exist_ok=True)
        mirror = self._root / str(repository.pk)
        bare = (
            self._git.text(["rev-parse", "--is-bare-repository"], git_dir=mirror) if mirror.is_dir() else ""
        )
        if (mirror / "HEAD").is_file() and bare == "true":
            if self._git.text(["config", "--get", "remote.origin.url"], git_dir=mirror) != repository.url:
                # The URL was edited: fetch from the new one; unrelated history is caught by the cursor.
                self._git.output(["config", "remote.origin.url", repository.url], git_dir=mirror)
            self.request_count += 1
            self._git.output(["fetch", "--prune", "--quiet", "origin"], git_dir=mirror, network=True)
            return mirror
        # No usable mirror (first sync, or a clone that died half-way): clone next to it and move it into
        # place only once complete, so that a broken mirror is never mistaken for a good one.
        shutil.rmtree(mirror, ignore_errors=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{repository.pk}.", suffix=".partial", dir=self._root))
        try:
            self.request_count += 1
            self._git.output(
                ["clone", "--mirror", "--quiet", "--", repository.url, str(partial)], network=True
            )
            try:
                partial.rename(mirror)
            except OSError:
                if not (mirror / "HEAD").is_file():  # not merely a concurrent sync that finished first
                    raise
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        return mirror

    def _branch_head(self, mirror: Path, repository: Repository) -> tuple[str, str | None]:
        """The default branch and its head; (branch, None) for a repository without any commit."""
        symbolic = self._git.text(["symbolic-ref", "--quiet", "HEAD"], git_dir=mirror).removeprefix(
            "refs/heads/"
        )
        candidates = [symbolic, repository.default_branch, "main", "master"]
        for branch in dict.fromkeys(c for c in candidates if c):
            sha = self._git.text(
                ["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"], git_dir=mirror
            )
            if SHA_RE.match(sha):
                return branch, sha
        if self._git.text(["for-each-ref", "--count=1", "refs/heads/"], git_dir=mirror):
            raise ForgeError("cannot tell the default branch: HEAD names no branch of the repository")
        return symbolic or repository.default_branch, None

    # -- what the sync yields -------------------------------------------------------------------

    def _stats(
        self, mirror: Path, repository: Repository, branch: str, head: str | None, *, full: bool
    ) -> RepositoryStatsRecord:
        """Statistics of the whole branch, recomputed every sync: the participation window moves with time."""
        weeks = [0] * 52
        stats = RepositoryStatsRecord(default_branch=branch, participation=weeks, files_present=[])
        if head is None:
            stats.readme = NO_README if repository.readme_path else None
            stats.manifests = manifest_scan(repository=repository, blobs=[], fetch=lambda blob: None)
            return stats
        now = int(timezone.now().timestamp())
        earliest = latest = None
        output = self._git.output(["log", "--no-show-signature", "--format=%at %p", head], git_dir=mirror)
        for line in output.decode("ascii", "replace").splitlines():
            fields = line.split()
            if not fields:
                continue
            authored = int(fields[0])
            earliest = authored if earliest is None else min(earliest, authored)
            latest = authored if latest is None else max(latest, authored)
            age = now - authored
            if len(fields) <= 2 and 0 <= age < 52 * WEEK_SECONDS:  # non-merge, within the last 52 weeks
                weeks[51 - age // WEEK_SECONDS] += 1
        if earliest is not None and latest is not None:
            stats.created_at = datetime.fromtimestamp(earliest, tz=UTC)
            stats.updated_at = stats.pushed_at = datetime.fromtimestamp(latest, tz=UTC)
        # The whole tree once (local, no request): the readiness files and the README from the folders
        # the forges look in, the dependency manifests from anywhere.
        tree = self._git.output(["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", head], git_dir=mirror)
        entries = [tree_entry(e) for e in tree.decode("utf-8", "replace").split("\0") if e]
        community = [entry for entry in entries if entry[0].rpartition("/")[0] in COMMUNITY_FOLDERS]
        stats.files_present = readiness_files(path for path, _kind, _sha, _size in community)
        blobs = [(path, sha) for path, kind, sha, _size in community if kind == "blob"]
        stats.readme = self._readme(mirror, repository, blobs, full=full)
        stats.manifests = manifest_scan(
            repository=repository,
            blobs=[Blob(path, sha, size) for path, kind, sha, size in entries if kind == "blob"],
            fetch=lambda blob: self._git.output(["cat-file", "blob", blob.sha], git_dir=mirror),
            count=lambda source: self._line_counts(mirror, source),
        )
        return stats

    def _line_counts(self, mirror: Path, source: list[Blob]) -> dict[str, int] | None:
        """The non-blank lines of each source blob ({blob id: lines}), read in one `git cat-file --batch`;
        None when the source is larger than code_size.MAX_COUNTED_BYTES (its sizes then estimate it)."""
        shas = sorted({blob.sha for blob in source})
        if sum(blob.size or 0 for blob in {b.sha: b for b in source}.values()) > MAX_COUNTED_BYTES:
            return None
        if not shas:
            return {}
        output = self._git.output(
            ["cat-file", "--batch"], git_dir=mirror, given="\n".join(shas).encode() + b"\n"
        )
        return blob_line_counts(output)

    def _readme(
        self, mirror: Path, repository: Repository, blobs: list[tuple[str, str]], *, full: bool
    ) -> ReadmeRecord | None:
        """The README of the branch, read from the mirror when its blob differs from the stored one."""
        found = readme_blob(blobs, folders=ROOT_FIRST_FOLDERS)
        if found is None:
            return NO_README if repository.readme_path else None
        if not full and readme_unchanged(repository, blobs):
            return None
        path, sha = found
        size = self._git.text(["cat-file", "-s", sha], git_dir=mirror)
        raw = self._git.output(["cat-file", "blob", sha], git_dir=mirror)
        return readme_record(path=path, sha=sha, raw=raw, size=int(size) if size.isdigit() else None)

    def _is_ancestor(self, mirror: Path, old: str, head: str) -> bool:
        # Exit 1 is "not an ancestor", 128 "unknown commit" (collected after a force-push): both mean full.
        return self._git.run(["merge-base", "--is-ancestor", old, head], git_dir=mirror).returncode == 0

    def _unreachable(self, repository: Repository, mirror: Path, head: str | None) -> list[str]:
        """The stored commits that the branch no longer reaches (a rewritten history); the batch that
        completes the sync carries them, and metrics.services deletes them with that batch."""
        reachable = set()
        if head:
            reachable = set(self._git.output(["rev-list", head], git_dir=mirror).decode("ascii").split())
        stored = Commit.objects.filter(repository=repository).values_list("sha", flat=True)
        return [sha for sha in stored.iterator(chunk_size=5000) if sha not in reachable]

    def batches(self, *, repository: Repository, state: SyncState, full: bool) -> Iterator[ActivityBatch]:
        self.request_count = 0
        mirror = self._mirror(repository)
        branch, head = self._branch_head(mirror, repository)
        stats = self._stats(mirror, repository, branch, head, full=full)
        cursors = dict(state.cursors or {})
        if head is None:
            cursors.pop("git_head", None)
            state.cursors = cursors
            yield ActivityBatch(stats=stats, removed_commit_shas=self._unreachable(repository, mirror, None))
            return

        old = "" if full or cursors.get("git_branch", branch) != branch else cursors.get("git_head", "")
        incremental = bool(SHA_RE.match(old)) and (old == head or self._is_ancestor(mirror, old, head))
        if incremental and old == head:
            records: Iterator[CommitRecord] = iter(())
        else:
            revisions = f"{old}..{head}" if incremental else head
            output = self._git.output(
                ["log", "-z", "--no-show-signature", LOG_FORMAT, revisions], git_dir=mirror
            )
            records = commit_records(output)

        # Hold one chunk back: the cursor and the statistics travel with the batch that completes the range.
        pending: list[CommitRecord] = []
        for record in records:
            if len(pending) == BATCH_SIZE:
                yield ActivityBatch(commits=pending)
                pending = []
            pending.append(record)
        removed = [] if incremental else self._unreachable(repository, mirror, head)
        state.cursors = {**cursors, "git_head": head, "git_branch": branch}
        yield ActivityBatch(stats=stats, commits=pending, removed_commit_shas=removed)
