"""Reading what git prints for the sync: the log's commits, the tree's entries and the objects of
`git cat-file --batch`. Each format is asked for with fields that cannot run into each other."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from metrics.sync.code_size import non_blank_lines
from metrics.sync.http import ForgeError
from metrics.sync.records import AccountRecord, CommitRecord

# One field per position; the name goes last so that nothing it contains can shift the other fields.
LOG_FORMAT = "--format=%H%x1f%P%x1f%at%x1f%ae%x1f%an"
SHA_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


def account(name: str, email: str) -> AccountRecord | None:
    email = email.strip()
    if not email:
        return None
    login = email.lower()
    # GitHub's app bots commit as <id>+name[bot]@users.noreply.github.com.
    bot = login.partition("@")[0].endswith("[bot]") or name.strip().lower().endswith("[bot]")
    return AccountRecord(login=login, name=name.strip(), email=email, is_bot=bot)


def tree_entry(entry: str) -> tuple[str, str, str, int | None]:
    """(path, type, object id, size) of one `git ls-tree -l -z` entry: "<mode> <type> <object> <size>\\t<path>",
    the size "-" for what is no blob."""
    info, _, path = entry.partition("\t")
    fields = info.split()
    if len(fields) != 4 or not path:
        raise ForgeError("git ls-tree printed an unexpected entry")
    return path, fields[1], fields[2], int(fields[3]) if fields[3].isdigit() else None


def commit_records(output: bytes) -> Iterator[CommitRecord]:
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
            author=account(name, email),
            author_name=name,
            author_email=email,
            authored_at=datetime.fromtimestamp(int(timestamp), tz=UTC),
            is_merge=len(parents.split()) > 1,
        )


def blob_line_counts(output: bytes) -> dict[str, int]:
    """The non-blank lines of each blob ({blob id: lines}) in the output of `git cat-file --batch`."""
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
