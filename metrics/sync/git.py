"""Activity of plain git repositories (forge "git"): commits and repository statistics from a mirror.

Each repository gets a bare mirror under MEDIA_ROOT/../git-mirrors/<pk>: cloned once, fetched on every
later sync, so one sync costs one network operation however long the history. Everything else (the
log, the tree, the statistics) is read locally from the mirror.

Commits are "the commits reachable from the default branch, placed in time by author date"; merges are
recorded too, flagged `is_merge`, and the metrics leave them out. The cursor `git_head` is the branch
head of the last completed sync: the next sync logs `<old head>..<new head>` when the old head is still
an ancestor, else (a force-push, another default branch, `full`) the whole branch again, and then drops
the commits that are no longer reachable, so that the stored history converges to the source's.
"""

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from catalog.models import Repository
from metrics.models import Commit, SyncState
from metrics.sync.code_size import MAX_COUNTED_BYTES, non_blank_lines
from metrics.sync.files import COMMUNITY_FOLDERS, readiness_files
from metrics.sync.http import ForgeError, TransientForgeError
from metrics.sync.manifest_scan import Blob, manifest_scan
from metrics.sync.readme import ROOT_FIRST_FOLDERS, readme_blob, readme_record, readme_unchanged
from metrics.sync.records import (
    NO_README,
    AccountRecord,
    ActivityBatch,
    CommitRecord,
    ReadmeRecord,
    RepositoryStatsRecord,
)

BATCH_SIZE = 1000
WEEK_SECONDS = 7 * 24 * 3600
# Multiples of FORGE_TIMEOUT_SECONDS (20 s by default): a first clone of a large history takes minutes,
# a log of a large history tens of seconds; a hung ssh or proxy must still not block a worker forever.
NETWORK_TIMEOUT_FACTOR = 30
LOCAL_TIMEOUT_FACTOR = 15

# One field per position; the name goes last so that nothing it contains can shift the other fields.
LOG_FORMAT = "--format=%H%x1f%P%x1f%at%x1f%ae%x1f%an"
SHA_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
HOST_RE = re.compile(r"^(?:[A-Za-z0-9_][A-Za-z0-9._-]*|\[[0-9A-Fa-f:.]+\])$")
SCP_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*@(?P<host>[A-Za-z0-9_][A-Za-z0-9._-]*):(?P<path>.+)$")
CREDENTIALS_RE = re.compile(r"(://[^/@\s:]+):[^/@\s]+@")
# Phrases of git, curl and ssh that mean "the network failed", as opposed to "no such repository" or
# "permission denied": only the former is worth retrying with back-off.
NETWORK_ERROR_RE = re.compile(
    r"could not resolve|failed to connect|couldn't connect|connection (?:refused|timed out|reset)"
    r"|timed out|network is unreachable|no route to host|temporary failure in name resolution"
    r"|remote end hung up|early eof|rpc failed|unexpected disconnect|transfer closed|broken pipe"
    r"|gnutls|ssl|tls|returned error: (?:5\d\d|429)",
    re.IGNORECASE,
)
# Variables that would point git at another repository than the one named on its command line.
REPOSITORY_ENV = {
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES",
}  # fmt: skip


def git_allowed_hosts() -> set[str]:
    """Hosts the portal may clone from: the configured forges' and GIT_ALLOWED_HOSTS. A registered
    repository URL is typed by people, so it must not make the portal fetch from anywhere else."""
    hosts = {host.lower() for host in settings.GIT_ALLOWED_HOSTS}
    for url in (settings.GITHUB_API_URL, settings.GITLAB_URL):
        host = (urlsplit(url).hostname or "").lower()
        hosts.add(host.removeprefix("api.") if host == "api.github.com" else host)
    return hosts - {""}


def git_url_check(url: str) -> None:
    """Accept http(s)://, ssh:// and git@host:path on an allowed host, and (when GIT_ALLOW_LOCAL_PATHS is
    on) file:// and absolute local paths; refuse the rest (other transports such as ext:: run commands,
    and a leading "-" would be read as an option)."""
    shown = CREDENTIALS_RE.sub(r"\1:***@", url)[:200]
    refusal = ForgeError(
        f"unsupported git URL {shown!r}: use https://, ssh://, git@host:path or an absolute path"
    )
    if not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise refusal
    local_refused = ForgeError(f"local git paths are not allowed ({shown!r}); set GIT_ALLOW_LOCAL_PATHS")
    if url.startswith("/"):
        if not settings.GIT_ALLOW_LOCAL_PATHS:
            raise local_refused
        return
    scp = SCP_RE.match(url)
    parts = urlsplit(url)
    if scp and not scp.group("path").startswith("-"):
        host = scp.group("host")
    elif parts.scheme == "file" and parts.path.startswith("/") and parts.netloc in ("", "localhost"):
        if not settings.GIT_ALLOW_LOCAL_PATHS:
            raise local_refused
        return
    else:
        host = re.sub(r":\d+$", "", parts.netloc.rpartition("@")[2])
        if parts.scheme not in ("http", "https", "ssh") or not HOST_RE.match(host or "-"):
            raise refusal
    if host.lower() not in git_allowed_hosts():
        raise ForgeError(f"git host {host!r} is not one the portal may reach; add it to GIT_ALLOWED_HOSTS")


def _first_line(stderr: bytes) -> str:
    """git's own message, without the progress and hint lines around it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith(("fatal:", "error:")):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else ""


def _account(name: str, email: str) -> AccountRecord | None:
    email = email.strip()
    if not email:
        return None
    login = email.lower()
    # GitHub's app bots commit as <id>+name[bot]@users.noreply.github.com.
    bot = login.partition("@")[0].endswith("[bot]") or name.strip().lower().endswith("[bot]")
    return AccountRecord(login=login, name=name.strip(), email=email, is_bot=bot)


def _tree_entry(entry: str) -> tuple[str, str, str, int | None]:
    """(path, type, object id, size) of one `git ls-tree -l -z` entry: "<mode> <type> <object> <size>\\t<path>",
    the size "-" for what is no blob."""
    info, _, path = entry.partition("\t")
    fields = info.split()
    if len(fields) != 4 or not path:
        raise ForgeError("git ls-tree printed an unexpected entry")
    return path, fields[1], fields[2], int(fields[3]) if fields[3].isdigit() else None


def _commit_records(output: bytes) -> Iterator[CommitRecord]:
    """The records of a NUL-separated `git log -z LOG_FORMAT`, parsed one at a time to bound memory."""
    start = 0
    while start < len(output):
        end = output.find(b"\0", start)
        end = len(output) if end < 0 else end
        record = output[start:end].strip(b"\n")
        start = end + 1
        if not record:
            continue
        fields = record.decode("utf-8", "replace").split("\x1f", 4)
        if len(fields) != 5 or not SHA_RE.match(fields[0]):
            raise ForgeError("git log printed an unexpected record")
        sha, parents, timestamp, email, name = fields
        yield CommitRecord(
            sha=sha,
            author=_account(name, email),
            author_name=name,
            author_email=email,
            authored_at=datetime.fromtimestamp(int(timestamp), tz=UTC),
            is_merge=len(parents.split()) > 1,
        )


class GitAdapter:
    """The sync of one repository from its git mirror (see the module's docstring)."""

    def __init__(self) -> None:
        self.request_count = 0
        self._root = Path(settings.MEDIA_ROOT).parent / "git-mirrors"

    # -- running git ----------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in REPOSITORY_ENV}
        env["GIT_TERMINAL_PROMPT"] = "0"  # a missing credential fails instead of waiting for a person
        env["GIT_ALLOW_PROTOCOL"] = "http:https:ssh:file"
        env["LC_ALL"] = "C"  # English messages, which _output classifies as network or not
        return env

    def _run(
        self,
        args: list[str],
        *,
        git_dir: Path | None = None,
        network: bool = False,
        given: bytes | None = None,
    ):
        command = ["git"] + (["--git-dir", str(git_dir)] if git_dir else []) + args
        factor = NETWORK_TIMEOUT_FACTOR if network else LOCAL_TIMEOUT_FACTOR
        timeout = settings.FORGE_TIMEOUT_SECONDS * factor
        # `given`: what git reads on its standard input (nothing otherwise).
        stdin = {"input": given} if given is not None else {"stdin": subprocess.DEVNULL}
        try:
            return subprocess.run(
                command,
                check=False,
                capture_output=True,
                **stdin,
                timeout=timeout,
                env=self._env(),
                cwd=self._root,
            )
        except subprocess.TimeoutExpired as error:
            message = f"git {args[0]} took longer than {timeout:.0f} s"
            raise (TransientForgeError if network else ForgeError)(message) from error
        except FileNotFoundError as error:
            raise ForgeError("git is not installed on this server") from error

    def _output(
        self,
        args: list[str],
        *,
        git_dir: Path | None = None,
        network: bool = False,
        given: bytes | None = None,
    ) -> bytes:
        """git's standard output; a failure becomes a one-line ForgeError (or Transient, for the network)."""
        result = self._run(args, git_dir=git_dir, network=network, given=given)
        if result.returncode != 0:
            line = CREDENTIALS_RE.sub(r"\1:***@", _first_line(result.stderr)) or f"exit {result.returncode}"
            transient = network and NETWORK_ERROR_RE.search(line)
            raise (TransientForgeError if transient else ForgeError)(f"git {args[0]} failed: {line}"[:500])
        return result.stdout

    def _text(self, args: list[str], *, git_dir: Path) -> str:
        result = self._run(args, git_dir=git_dir)
        return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else ""

    # -- the mirror -----------------------------------------------------------------------------

    def _mirror(self, repository: Repository) -> Path:
        """Clone or fetch the repository's mirror: the sync's one network operation."""
        git_url_check(repository.url)
        self._root.mkdir(parents=True, exist_ok=True)
        mirror = self._root / str(repository.pk)
        bare = self._text(["rev-parse", "--is-bare-repository"], git_dir=mirror) if mirror.is_dir() else ""
        if (mirror / "HEAD").is_file() and bare == "true":
            if self._text(["config", "--get", "remote.origin.url"], git_dir=mirror) != repository.url:
                # The URL was edited: fetch from the new one; unrelated history is caught by the cursor.
                self._output(["config", "remote.origin.url", repository.url], git_dir=mirror)
            self.request_count += 1
            self._output(["fetch", "--prune", "--quiet", "origin"], git_dir=mirror, network=True)
            return mirror
        # No usable mirror (first sync, or a clone that died half-way): clone next to it and move it into
        # place only once complete, so that a broken mirror is never mistaken for a good one.
        shutil.rmtree(mirror, ignore_errors=True)
        partial = Path(tempfile.mkdtemp(prefix=f"{repository.pk}.", suffix=".partial", dir=self._root))
        try:
            self.request_count += 1
            self._output(["clone", "--mirror", "--quiet", "--", repository.url, str(partial)], network=True)
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
        symbolic = self._text(["symbolic-ref", "--quiet", "HEAD"], git_dir=mirror).removeprefix("refs/heads/")
        candidates = [symbolic, repository.default_branch, "main", "master"]
        for branch in dict.fromkeys(c for c in candidates if c):
            sha = self._text(
                ["rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"], git_dir=mirror
            )
            if SHA_RE.match(sha):
                return branch, sha
        if self._text(["for-each-ref", "--count=1", "refs/heads/"], git_dir=mirror):
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
        output = self._output(["log", "--no-show-signature", "--format=%at %p", head], git_dir=mirror)
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
        tree = self._output(["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", head], git_dir=mirror)
        entries = [_tree_entry(e) for e in tree.decode("utf-8", "replace").split("\0") if e]
        community = [entry for entry in entries if entry[0].rpartition("/")[0] in COMMUNITY_FOLDERS]
        stats.files_present = readiness_files(path for path, _kind, _sha, _size in community)
        blobs = [(path, sha) for path, kind, sha, _size in community if kind == "blob"]
        stats.readme = self._readme(mirror, repository, blobs, full=full)
        stats.manifests = manifest_scan(
            repository=repository,
            blobs=[Blob(path, sha, size) for path, kind, sha, size in entries if kind == "blob"],
            fetch=lambda blob: self._output(["cat-file", "blob", blob.sha], git_dir=mirror),
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
        output = self._output(["cat-file", "--batch"], git_dir=mirror, given="\n".join(shas).encode() + b"\n")
        counts: dict[str, int] = {}
        at = 0
        while at < len(output):
            header_end = output.index(b"\n", at)
            header = output[at:header_end].decode("ascii", "replace").split(" ")
            if len(header) != 3:  # "<id> missing": nothing follows
                at = header_end + 1
                continue
            sha, kind, size = header
            start = header_end + 1
            end = start + int(size)
            if kind == "blob":
                counts[sha] = non_blank_lines(output[start:end])
            at = end + 1  # the newline after each object
        return counts

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
        size = self._text(["cat-file", "-s", sha], git_dir=mirror)
        raw = self._output(["cat-file", "blob", sha], git_dir=mirror)
        return readme_record(path=path, sha=sha, raw=raw, size=int(size) if size.isdigit() else None)

    def _is_ancestor(self, mirror: Path, old: str, head: str) -> bool:
        # Exit 1 is "not an ancestor", 128 "unknown commit" (collected after a force-push): both mean full.
        return self._run(["merge-base", "--is-ancestor", old, head], git_dir=mirror).returncode == 0

    def _unreachable(self, repository: Repository, mirror: Path, head: str | None) -> list[str]:
        """The stored commits that the branch no longer reaches (a rewritten history); the batch that
        completes the sync carries them, and metrics.services deletes them with that batch."""
        reachable = set()
        if head:
            reachable = set(self._output(["rev-list", head], git_dir=mirror).decode("ascii").split())
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
            output = self._output(["log", "-z", "--no-show-signature", LOG_FORMAT, revisions], git_dir=mirror)
            records = _commit_records(output)

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
