"""Small server-side SVG charts for the dashboards: no JavaScript, no chart library to ship.

Each chart is an image with a role, a <title> and a <desc> that states what it shows in words, and it
carries its own data (`rows`) so that templates always put the numbers next to the picture: a chart is
never the only way to read a figure. Colours come from CSS classes (portal.css), so light and dark
schemes both apply.

A row may carry a note (`notes`, e.g. "so far" for a bucket that is not over): its bar or point is drawn
faded with a dashed outline, the line into it dashed, and the note written above it, in its tooltip, in
the description and in the data table (`table`), so the mark never rests on colour alone.
"""

from dataclasses import dataclass, field
from itertools import count

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

__all__ = ["Chart", "chart"]

WIDTH, HEIGHT = 600, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
_ids = count(1)


@dataclass
class Chart:
    title: str
    unit: str
    kind: str
    rows: list[tuple[str, float | int | None]]
    svg: SafeString = field(default_factory=lambda: mark_safe(""))
    notes: dict[int, str] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return any(value for _label, value in self.rows)

    @property
    def table(self) -> list[tuple[str, float | int | None, str]]:
        """(label, value, note) per row, the note "" for a row without one."""
        return [(label, value, self.notes.get(i, "")) for i, (label, value) in enumerate(self.rows)]


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _scale_max(values: list[float]) -> float:
    """A round top for the y axis (1, 2 or 5 times a power of ten) at or above the largest value."""
    top = max(values, default=0) or 1
    magnitude = 1
    while magnitude * 10 <= top:
        magnitude *= 10
    while magnitude > top and magnitude > 1:
        magnitude /= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= top:
            return step * magnitude
    return top  # not reached


def _describe(title: str, unit: str, rows: list[tuple[str, float | None]], notes: dict[int, str]) -> str:
    marked = "".join(f" {rows[i][0]}: {note}, not a complete bucket." for i, note in sorted(notes.items()))
    known = [(label, value) for label, value in rows if value is not None]
    if not known:
        return f"{title}: no data in this period.{marked}"
    first, last = known[0], known[-1]
    high = max(known, key=lambda row: row[1])
    suffix = f" {unit}" if unit else ""
    return (
        f"{title}, {len(rows)} points: {_number(first[1])}{suffix} ({first[0]}) to {_number(last[1])}{suffix} "
        f"({last[0]}); highest {_number(high[1])}{suffix} ({high[0]}).{marked}"
    )


# How a noted (incomplete) bar or point differs from the others besides its written note: SVG
# presentation attributes (the page's CSP allows no inline style), outlined in the text colour.
_NOTED = mark_safe(' fill-opacity="0.4" stroke="currentColor" stroke-width="1.5" stroke-dasharray="4 3"')


def chart(
    *,
    title: str,
    rows: list[tuple[str, float | int | None]],
    unit: str = "",
    kind: str = "line",
    notes: dict[int, str] | None = None,
) -> Chart:
    """A line or bar chart of `rows` (label, value); None values are gaps, not zeros. `notes`: a short
    note by row index for the rows that are not like the others (a bucket not over: "so far")."""
    notes = {i: note for i, note in (notes or {}).items() if 0 <= i < len(rows)}
    n = next(_ids)
    title_id, desc_id = f"chart-{n}-title", f"chart-{n}-desc"
    values = [value for _label, value in rows if value is not None]
    top = _scale_max(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(rows), 1)

    def x(i: int) -> float:
        return LEFT + slot * i + slot / 2

    def y(value: float) -> float:
        return TOP + plot_h - plot_h * value / top

    parts = [
        format_html('<line class="chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, y(0), WIDTH - RIGHT, y(0)),
        format_html('<line class="chart__grid" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, y(top), WIDTH - RIGHT, y(top)),
        format_html('<text class="chart__tick" x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 6, y(top) + 4, _number(top)),
        format_html('<text class="chart__tick" x="{}" y="{}" text-anchor="end">0</text>', LEFT - 6, y(0) + 4),
    ]  # fmt: skip
    # Label every bucket when they fit, else every other one: 12 labels of ~6 characters fit in 600 units.
    every = 1 if len(rows) <= 12 else 2
    for i, (label, _value) in enumerate(rows):
        if i % every == 0:
            parts.append(
                format_html(
                    '<text class="chart__tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    x(i),
                    HEIGHT - 8,
                    label,
                )
            )

    def tip(i: int, label: str, value: float) -> str:
        return f"{label} ({notes[i]}): {_number(value)}" if i in notes else f"{label}: {_number(value)}"

    def noted(i: int) -> SafeString:
        return _NOTED if i in notes else mark_safe("")

    if kind == "bar":
        width = slot * 0.6
        for i, (label, value) in enumerate(rows):
            if value is not None:
                parts.append(
                    format_html(
                        '<rect class="chart__bar{}" x="{}" y="{}" width="{}" height="{}"{}><title>{}</title></rect>',
                        " chart__bar--noted" if i in notes else "",
                        round(x(i) - width / 2, 1),
                        round(y(value), 1),
                        round(width, 1),
                        round(y(0) - y(value), 1),
                        noted(i),
                        tip(i, label, value),
                    )  # fmt: skip
                )
    else:
        # One polyline per run of known values, so that a gap (no data) is not drawn as a fall to zero;
        # a step into or out of a noted point is a dashed line of its own.
        runs: list[list[str]] = [[]]
        for i, (_label, value) in enumerate(rows):
            if value is None:
                runs.append([])
                continue
            previous = rows[i - 1][1] if i else None
            if previous is not None and (i in notes or i - 1 in notes):
                ends = (f"{x(i - 1):.1f}", f"{y(previous):.1f}", f"{x(i):.1f}", f"{y(value):.1f}")
                parts.append(
                    format_html(
                        '<line class="chart__line chart__line--noted" x1="{}" y1="{}" x2="{}" y2="{}" stroke-dasharray="5 4"/>',
                        *ends,
                    )  # fmt: skip
                )
                runs.append([])
            runs[-1].append(f"{x(i):.1f},{y(value):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(format_html('<polyline class="chart__line" points="{}"/>', " ".join(run)))
        parts.append(
            format_html_join(
                "",
                '<circle class="chart__point{}" cx="{}" cy="{}" r="3.5"{}><title>{}</title></circle>',
                (
                    (
                        " chart__point--noted" if i in notes else "",
                        f"{x(i):.1f}",
                        f"{y(value):.1f}",
                        noted(i),
                        tip(i, label, value),
                    )
                    for i, (label, value) in enumerate(rows)
                    if value is not None
                ),
            )
        )
    # The note written above its bar, or beside its point (where the line into it does not run); a
    # missing value is a gap, told in the description and the table only (a note per empty slot would
    # crowd twelve buckets).
    for i, note in sorted(notes.items()):
        value = rows[i][1]
        if value is None:
            continue
        if kind == "bar":
            at, anchor = (f"{x(i):.1f}", f"{max(TOP + 10, y(value) - 6):.1f}"), "middle"
        else:
            at, anchor = (f"{x(i) + 7:.1f}", f"{y(value) + 4:.1f}"), "start"
        template = '<text class="chart__tick chart__note" x="{}" y="{}" text-anchor="{}">{}</text>'
        parts.append(format_html(template, *at, anchor, note))
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{} {}" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}">{}</title><desc id="{}">{}</desc>{}</svg>',
        WIDTH, HEIGHT, title_id, desc_id, title_id, title, desc_id, _describe(title, unit, rows, notes),
        mark_safe("".join(parts)),
    )  # fmt: skip
    return Chart(title=title, unit=unit, kind=kind, rows=list(rows), svg=svg, notes=notes)
