"""Template conventions: Django's {# … #} comment ends on its own line (a comment over several lines is
printed on the page as text), so longer ones use {% comment %}."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_every_short_comment_closes_on_its_line():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if line.count("{#") > line.count("#}")
    ]
    assert not offenders, "a {# comment #} spans lines (use {% comment %}): " + ", ".join(offenders)
