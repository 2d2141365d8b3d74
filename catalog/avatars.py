"""A project's generated image: its initials on a colour and a faint pattern, both drawn from its slug.

Exports give it where a client expects an image and the project has none (SAP's page shows an owner's
``avatar_url`` on every card without a logo); the portal serves it itself, so no outside service sees
which projects exist. The same slug always gives the same image; two projects rarely share both the
colour and the pattern, and never the slug.
"""

import hashlib
import re

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from catalog.models import Project

SIZE = 256
GRID = 5  # the pattern: 5 × 5 cells, mirrored left to right like the forges' identicons
CELL = SIZE / GRID
# Darker tones of distinct hues: white initials on each have a contrast of 4.5:1 or more (WCAG AA).
PALETTE = (
    "#1f5f99",
    "#7a3e9d",
    "#0f766e",
    "#b42318",
    "#9a4d00",
    "#3f6212",
    "#be185d",
    "#334155",
    "#4338ca",
    "#0e7490",
    "#86198f",
    "#166534",
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_WORD = re.compile(r"\w+")


def initials(name: str) -> str:
    """The first letters of the first two words ("Kafka Connect Toolkit" → "KC"); of a one-word name,
    its first letter ("Hermes" → "H")."""
    words = [word for word in _WORD.findall(name) if word.strip("_")]
    return "".join(word.strip("_")[0] for word in words[:2]).upper() or "?"


def avatar_svg(*, name: str, key: str) -> str:
    """The image of a project called `name` whose stable key (its slug) is `key`, as SVG text."""
    digest = hashlib.sha256(key.encode()).digest()
    background = PALETTE[digest[0] % len(PALETTE)]
    cells = []
    # The pattern's bits come from the digest's later bytes, the colour from its first.
    bits = int.from_bytes(digest[1:5])
    for row in range(GRID):
        for column in range((GRID + 1) // 2):
            if bits >> (row * 3 + column) & 1:
                for x in {column, GRID - 1 - column}:
                    cells.append(
                        f'<rect x="{x * CELL:g}" y="{row * CELL:g}" width="{CELL:g}" height="{CELL:g}"/>'
                    )
    letters = initials(name)
    font_size = 112 if len(letters) == 1 else 96
    # Only attributes, no <style>: the portal's Content-Security-Policy forbids inline style elements.
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img" aria-label="{escape(name)}">'
        f"<title>{escape(name)}</title>"
        f'<rect width="{SIZE}" height="{SIZE}" fill="{background}"/>'
        f'<g fill="#ffffff" fill-opacity="0.12">{"".join(cells)}</g>'
        f'<text x="50%" y="50%" dy="0.35em" text-anchor="middle" fill="#ffffff" font-family="{FONT}" '
        f'font-size="{font_size}" font-weight="600">{escape(letters)}</text>'
        "</svg>\n"
    )


def project_avatar_url(project: Project) -> str:
    """The image's absolute address (PORTAL_BASE_URL), for files read outside the portal."""
    path = reverse("catalog:avatar", kwargs={"slug": project.slug})
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"
