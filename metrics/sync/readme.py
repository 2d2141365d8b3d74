"""The README of a repository's default branch: which file it is, whether it changed, what is kept.

Every forge lists the README with its git blob id (GitHub's contents listing `sha`, GitLab's tree `id`,
`git ls-tree`) in the listings the sync reads anyway for the readiness files. The README is read
again only when the blob at the stored path is another (or on a full sync), so an unchanged README
costs no request. What is kept is bounded (MAX_BYTES, cut at a line end) and says when it was cut.
"""

import base64
import binascii
from collections.abc import Iterable

from catalog.markdown import MARKDOWN_SUFFIXES
from catalog.models import Repository
from metrics.sync.records import NO_README, ReadmeRecord

MAX_BYTES = 200 * 1024
# Where each forge shows a README from, in its order of preference (GitHub's: .github, the root, docs).
GITHUB_FOLDERS = (".github", "", "docs")
ROOT_FIRST_FOLDERS = ("", "docs", ".github", ".gitlab")


def is_readme(name: str) -> bool:
    return name.split(".", 1)[0].upper() == "README"


def readme_blob(files: Iterable[tuple[str, str]], *, folders: tuple[str, ...]) -> tuple[str, str] | None:
    """The README (path, blob id) among (path, blob id) pairs of files: the first folder of `folders`
    that has one, Markdown before other formats, then by name."""
    found: dict[str, list[tuple[bool, str, str]]] = {}
    for path, sha in files:
        folder, _, name = path.strip("/").rpartition("/")
        if folder in folders and is_readme(name):
            found.setdefault(folder, []).append((not name.lower().endswith(MARKDOWN_SUFFIXES), path, sha))
    for folder in folders:
        if found.get(folder):
            _, path, sha = min(found[folder])
            return path, sha
    return None


def readme_unchanged(repository: Repository, files: Iterable[tuple[str, str]]) -> bool:
    """Whether the stored README is still what the listing shows at its path (same blob)."""
    if not repository.readme_path or not repository.readme_sha:
        return False
    return any(path == repository.readme_path and sha == repository.readme_sha for path, sha in files)


def readme_record(*, path: str, sha: str, raw: bytes, size: int | None = None) -> ReadmeRecord:
    """What is kept of a README: its first MAX_BYTES at most, cut at the end of a line, as text (UTF-8,
    undecodable bytes replaced; NUL characters, which PostgreSQL refuses in text, dropped). `size` is
    the whole file's, where the forge sent less than all of it."""
    truncated = len(raw) > MAX_BYTES or (size is not None and size > len(raw))
    if len(raw) > MAX_BYTES:
        cut = raw[:MAX_BYTES]
        line_end = cut.rfind(b"\n")
        raw = cut[: line_end + 1] if line_end > 0 else cut
    text = raw.decode("utf-8", "replace").replace("\x00", "")
    if truncated:
        text = text.rstrip("\ufffd")  # a character cut in the middle
    return ReadmeRecord(path=path, sha=sha, text=text, truncated=truncated)


def base64_content(payload: dict) -> bytes:
    """The bytes of a contents / files API answer (base64, with line breaks on GitHub); b"" where
    the forge left them out (GitHub does for files over 1 MB: `encoding` "none")."""
    if payload.get("encoding") != "base64":
        return b""
    try:
        return base64.b64decode(str(payload.get("content") or ""), validate=False)
    except (binascii.Error, ValueError) as error:
        raise ValueError(f"undecodable base64 content: {error}") from error


__all__ = [
    "MAX_BYTES",
    "NO_README",
    "base64_content",
    "is_readme",
    "readme_blob",
    "readme_record",
    "readme_unchanged",
]
