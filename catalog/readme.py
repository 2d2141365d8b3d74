"""A synced repository's README as the project page shows it: rendered once per README version.

The Markdown goes through the portal's one sanitiser (catalog.markdown). Relative links lead to the
file's page on the forge and relative images to the raw file, both relative to the README's own folder
("/x" from the repository's root; "../" never climbs above it), on the default branch:

- GitHub: https://host/owner/repo/blob/<branch>/<path>, images .../raw/<branch>/<path>;
- GitLab: https://host/group/project/-/blob/<branch>/<path>, images .../-/raw/<branch>/<path>;
- plain git has no web pages: relative links and images are dropped (their text stays).

Headings move down two levels: the page has its h1 and the README section its h2.
"""

import hashlib
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from django.core.cache import cache
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from catalog.markdown import MARKDOWN_SUFFIXES, markdown_render
from catalog.models import Forge, Repository
from catalog.repositories import normalise_repository_url

__all__ = [
    "RenderedReadme",
    "readme_html",
    "split_at_block",
    "readme_render",
    "readme_web_url",
    "repository_web_url",
]

# Bump when the rendering changes, so that cached HTML of the old rules is not served.
RENDER_VERSION = 1
CACHE_SECONDS = 7 * 24 * 3600
HEADING_OFFSET = 2
# How much of a long README shows before "Show all" (characters of HTML, cut after a whole block).
SHOWN_CHARACTERS = 3000
VOID_TAGS = {"br", "hr", "img"}
HEADING_TAG_RE = re.compile(r"^h[1-6]$")
# Characters left as they are in a path: an already percent-encoded path is not encoded twice.
PATH_SAFE = "/%-._~!$&'()*+,;=:@"


def repository_web_url(repository: Repository) -> str:
    """The repository's web page (https://host/owner/name), "" for plain git or a URL without one."""
    if repository.forge not in (Forge.GITHUB, Forge.GITLAB):
        return ""
    url = normalise_repository_url(repository.url)  # git@host:path becomes https://host/path
    return url if url.startswith(("https://", "http://")) else ""


def _file_url(*, forge: str, web_url: str, branch: str, path: str, raw: bool) -> str:
    view = "raw" if raw else "blob"
    if not path:
        view = "tree"
    separator = "/-/" if forge == Forge.GITLAB else "/"
    location = f"{quote(branch, safe='/')}/{quote(path, safe=PATH_SAFE)}".rstrip("/")
    return f"{web_url}{separator}{view}/{location}"


def readme_web_url(repository: Repository) -> str:
    """The README's page on the forge, "" where there is none (no README, plain git)."""
    web_url = repository_web_url(repository)
    if not web_url or not repository.readme_path:
        return ""
    branch = repository.default_branch or "HEAD"
    return _file_url(
        forge=repository.forge, web_url=web_url, branch=branch, path=repository.readme_path, raw=False
    )


def readme_render(*, text: str, path: str, forge: str, web_url: str, branch: str) -> SafeString:
    """A README's Markdown (another format: as preformatted text) as safe HTML, its relative links and
    images resolved against the forge (see the module's docstring). Pure: no database, no cache."""
    if not path.lower().endswith(MARKDOWN_SUFFIXES) and "." in posixpath.basename(path):
        return mark_safe(f"<pre>{escape(text)}</pre>")  # noqa: S308 - escaped just here
    folder = posixpath.dirname(path.strip("/"))
    readme_page = (
        _file_url(forge=forge, web_url=web_url, branch=branch, path=path, raw=False) if web_url else ""
    )

    def relative_url(tag: str, url: str) -> str | None:
        if url.startswith("//"):
            return f"https:{url}"  # another host, written without its scheme
        if not web_url:
            return None
        if url.startswith("#"):
            return f"{readme_page}{url}"
        parts = urlsplit(url)
        target = parts.path if parts.path.startswith("/") else posixpath.join(folder, parts.path)
        target = posixpath.normpath("/" + target).lstrip("/")  # "/.." stays at the root
        resolved = _file_url(forge=forge, web_url=web_url, branch=branch, path=target, raw=tag == "img")
        return (
            resolved
            + (f"?{parts.query}" if parts.query else "")
            + (f"#{parts.fragment}" if parts.fragment else "")
        )

    return markdown_render(text, relative_url=relative_url, heading_offset=HEADING_OFFSET)


@dataclass(frozen=True)
class RenderedReadme:
    """A README ready for the page: `head` is shown, `rest` (empty for a short one) behind "Show all"."""

    head: SafeString
    rest: SafeString


class _TopLevel(HTMLParser):
    """The offsets where top-level elements of (well-formed, sanitised) HTML end."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.ends: list[tuple[int, int, int, str]] = []  # (line, column, end tag's length, tag)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in VOID_TAGS:
            if self.depth == 0:
                line, column = self.getpos()
                self.ends.append((line, column, len(self.get_starttag_text() or ""), tag))
            return
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1
        if self.depth == 0:
            line, column = self.getpos()
            self.ends.append((line, column, len(tag) + 3, tag))


def split_at_block(html: str, *, limit: int) -> tuple[str, str]:
    """The HTML cut after the first top-level element that ends past `limit` characters (at a block
    boundary, so both parts are whole HTML; before a heading rather than after it); (html, "") when
    it is short."""
    if len(html) <= limit:
        return html, ""
    parser = _TopLevel()
    parser.feed(html)
    parser.close()
    line_starts = [0]
    for line in html.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    previous = 0
    for line, column, length, tag in parser.ends:
        end = line_starts[line - 1] + column + length
        if end >= limit:
            if HEADING_TAG_RE.match(tag) and previous:
                end = previous
            return (html, "") if end >= len(html.rstrip()) else (html[:end], html[end:])
        previous = end
    return html, ""


def readme_html(repository: Repository) -> RenderedReadme | None:
    """The repository's stored README rendered and split for the page, from the cache when this text
    was rendered before with the same links (forge, web URL, branch, path); None when it has none."""
    if not repository.readme_path:
        return None
    web_url = repository_web_url(repository)
    branch = repository.default_branch or "HEAD"
    # The text itself is in the key (hashing 200 KB costs far less than rendering it): what is served
    # is always what is stored, whoever wrote it.
    digest = hashlib.sha256(
        f"{RENDER_VERSION}|{repository.forge}|{web_url}|{branch}|{repository.readme_path}|".encode()
        + repository.readme_text.encode()
    )
    key = f"readme-html:{digest.hexdigest()}"
    parts = cache.get(key)
    if not (isinstance(parts, tuple) and len(parts) == 2):
        html = readme_render(
            text=repository.readme_text,
            path=repository.readme_path,
            forge=repository.forge,
            web_url=web_url,
            branch=branch,
        )
        parts = split_at_block(str(html), limit=SHOWN_CHARACTERS)
        cache.set(key, parts, CACHE_SECONDS)
    head, rest = parts
    # Both parts come from readme_render, which sanitises; they were split at an element boundary.
    return RenderedReadme(head=mark_safe(head), rest=mark_safe(rest))  # noqa: S308


@dataclass(frozen=True)
class ProjectReadme:
    repository: Repository
    rendered: RenderedReadme
    url: str  # the README's page on the forge, "" for plain git
    truncated: bool


def project_readme(*, repositories: list[Repository]) -> ProjectReadme | None:
    """The README a project page shows: its first synced repository's (in the order the page lists
    them) that has one; None when none has."""
    for repository in repositories:
        if repository.last_synced_at is None or not repository.readme_path:
            continue
        rendered = readme_html(repository)
        if rendered is not None:
            return ProjectReadme(
                repository=repository,
                rendered=rendered,
                url=readme_web_url(repository),
                truncated=repository.readme_truncated,
            )
    return None
