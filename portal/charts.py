"""Small server-side SVG charts for the dashboards: no JavaScript, no chart library to ship.

Each chart is an image with a role, a <title> and a <desc> that states what it shows in words, and it
carries its own data (`rows`) so that templates always put the numbers next to the picture: a chart is
never the only way to read a figure. Colours come from CSS classes (portal.css), so light and dark
schemes both apply.
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

    @property
    def has_data(self) -> bool:
        return any(value for _label, value in self.rows)


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


def _describe(title: str, unit: str, rows: list[tuple[str, float | None]]) -> str:
    known = [(label, value) for label, value in rows if value is not None]
    if not known:
        return f"{title}: no data in this period."
    first, last = known[0], known[-1]
    high = max(known, key=lambda row: row[1])
    suffix = f" {unit}" if unit else ""
    return (
        f"{title}, {len(rows)} points: {_number(first[1])}{suffix} ({first[0]}) to {_number(last[1])}{suffix} "
        f"({last[0]}); highest {_number(high[1])}{suffix} ({high[0]})."
    )


def chart(
    *, title: str, rows: list[tuple[str, float | int | None]], unit: str = "", kind: str = "line"
) -> Chart:
    """A line or bar chart of `rows` (label, value); None values are gaps, not zeros."""
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
    if kind == "bar":
        width = slot * 0.6
        for i, (label, value) in enumerate(rows):
            if value is not None:
                parts.append(
                    format_html(
                        '<rect class="chart__bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                        round(x(i) - width / 2, 1),
                        round(y(value), 1),
                        round(width, 1),
                        round(y(0) - y(value), 1),
                        label,
                        _number(value),
                    )  # fmt: skip
                )
    else:
        # One polyline per run of known values, so that a gap (no data) is not drawn as a fall to zero.
        runs: list[list[str]] = [[]]
        for i, (_label, value) in enumerate(rows):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(value):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(format_html('<polyline class="chart__line" points="{}"/>', " ".join(run)))
        parts.append(
            format_html_join(
                "",
                '<circle class="chart__point" cx="{}" cy="{}" r="3.5"><title>{}: {}</title></circle>',
                (
                    (f"{x(i):.1f}", f"{y(value):.1f}", label, _number(value))
                    for i, (label, value) in enumerate(rows)
                    if value is not None
                ),
            )
        )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{} {}" '
        'preserveAspectRatio="xMidYMid meet"><title id="{}">{}</title><desc id="{}">{}</desc>{}</svg>',
        WIDTH, HEIGHT, title_id, desc_id, title_id, title, desc_id, _describe(title, unit, rows),
        mark_safe("".join(parts)),
    )  # fmt: skip
    return Chart(title=title, unit=unit, kind=kind, rows=list(rows), svg=svg)
