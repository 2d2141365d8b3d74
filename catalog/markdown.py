"""Markdown to safe HTML: the portal's one sanitiser (nh3), for guides, journey texts and READMEs.

Whoever wrote the Markdown, the output keeps only what Markdown itself produces for prose, lists,
tables, code and images: no script, style, class, form, iframe or event handler, and links only to
http(s) and mailto. A caller may resolve the relative links and images (a README's, against its forge)
and demote headings so that the page around keeps its own outline.
"""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

__all__ = ["MARKDOWN_SUFFIXES", "RelativeUrl", "markdown_render"]

# A strict allow-list: what Markdown produces, plus the few harmless tags READMEs write by hand.
# nh3 drops <script>/<style> with their content.
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
# Anything else (javascript:, data:, vbscript:) loses its href/src before a resolver sees it.
URL_SCHEMES = {"http", "https", "mailto"}
# The file names rendered as Markdown (a README.rst or .txt is shown as text).
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
HEADING_RE = re.compile(r"<(/?)h([1-6])>")

# (tag, url) → the URL to write, or None to drop the attribute. Called for the relative URLs of a
# and img only (a path, "../x", "/x", "#x", "//host/x"): absolute ones were checked by scheme already.
RelativeUrl = Callable[[str, str], str | None]


def markdown_render(
    text: str, *, relative_url: RelativeUrl | None = None, heading_offset: int = 0
) -> SafeString:
    """Markdown to HTML that is safe to put in a page. Relative URLs stay as written unless
    `relative_url` resolves them; headings move down `heading_offset` levels (h6 at most)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        # nh3 calls this after its scheme check (a javascript: href is gone by then); what it returns
        # is not checked again, so only URLs built by the resolver come back.
        if relative_url is None or (tag, attribute) not in (("a", "href"), ("img", "src")):
            return value
        if urlsplit(value.strip()).scheme:  # http(s)/mailto: the only schemes left
            return value
        return relative_url(tag, value.strip())

    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=attribute_filter,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    if heading_offset:
        # After nh3 a heading has no attribute and text cannot contain "<": the tags match exactly.
        cleaned = HEADING_RE.sub(
            lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + heading_offset)}>", cleaned
        )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above
