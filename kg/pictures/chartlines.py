"""The lines of an organisation chart: how units nest (``org:unitOf``,
``org:subOrganizationOf``), the reporting lines between posts (``org:reportsTo``) and the
legend that tells them apart.

Nesting is drawn in solid grey from a box to the box below it; a reporting line is a dashed
purple arrow from the line of the post (or unnamed group) that reports, on the right side of its
box, to the line of the post it reports to, labelled "reports to" and with the marks of the
fact (``kg.pictures.provenance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.pictures.draw import Layout, esc, text_lines, wrap
from kg.pictures.provenance import EDITORIAL

LINES_STYLE = """
.kg-picture .reporting path { fill: none; stroke: #8250df; stroke-width: 1.6;
  stroke-dasharray: 6 4; }
.kg-picture .reporting text, .kg-picture text.reports { fill: #6639ba; }
.kg-picture .mark { fill: #9a6700; font-style: italic; }
.kg-picture .note { fill: #57606a; }
.kg-picture .box.editorial .frame { stroke: #9a6700; stroke-dasharray: 5 3; }
.kg-picture .box.group .frame { fill: #ffffff; stroke-dasharray: 2 3; }
.kg-picture .legend rect.sample { fill: #ffffff; stroke: #9a6700; stroke-dasharray: 5 3; }
.kg-picture .legend rect.group { stroke: #57606a; stroke-dasharray: 2 3; }
"""

ARROWS = (
    '<defs><marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'fill="#8c959f"/></marker>'
    '<marker id="{id}-reports" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'fill="#8250df"/></marker></defs>\n'
)


@dataclass(frozen=True)
class Reporting:
    """One reporting line to draw: who reports (a post or group) to which post, where."""

    sub: str  # IRI of the post or group that reports
    sup: str  # IRI of the post it reports to
    sub_label: str
    sup_label: str
    marks: str  # the fact's marks: editorial, attribution, hedges
    sub_box: str  # layout keys of the boxes the two are drawn in
    sup_box: str
    sub_dy: float  # how far below its box's top each one's line is
    sup_dy: float


@dataclass(frozen=True)
class Nesting:
    """One unit drawn under the box it belongs to, and how the graph says so."""

    parent: str  # layout keys
    child: str
    title: str  # e.g. "Commercial Partnerships is part of OpenAI infrastructure team"
    marks: str = ""


def nesting_edges(
    placed: Layout,
    heights: dict[str, float],
    edges: Sequence[Nesting],
    offset: tuple[float, float],
    box_w: float,
    arrow: str,
    across: bool = False,
) -> str:
    """Elbow lines from each parent box to its child: down (``TB``) or across (``LR``)."""
    out = []
    ox, oy = offset
    for edge in edges:
        a, b = edge.parent, edge.child
        if a not in placed.origin or b not in placed.origin:
            continue
        ax, ay = placed.origin[a]
        bx, by = placed.origin[b]
        ax, bx = ax + ox, bx + ox
        if across:
            x1, y1 = ax + box_w, ay + oy + heights[a] / 2
            x2, y2 = bx, by + oy + heights[b] / 2
            mid = (x1 + x2) / 2
            path = f"M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}"
        else:
            x1, y1 = ax + box_w / 2, ay + oy + heights[a]
            x2, y2 = bx + box_w / 2, by + oy
            mid = y1 + 24
            path = f"M{x1:.1f},{y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}"
        label = ""
        if edge.marks and not across:
            label = text_lines(
                [f"({edge.marks})"], x=x2 + 6, y=y2 - 6, size=11, line_height=13, cls="mark"
            )
        title = f"{edge.title} ({edge.marks})" if edge.marks else edge.title
        out.append(
            f'<g class="nesting"><title>{esc(title)}</title>'
            f'<path class="edge" d="{path}" marker-end="url(#{arrow})"/>{label}</g>\n'
        )
    return "".join(out)


def reporting_lines(
    placed: Layout,
    lines: Sequence[Reporting],
    offset: tuple[float, float],
    box_w: float,
    arrow: str,
) -> tuple[str, float]:
    """The reporting lines, and the rightmost x they and their labels reach.

    Each runs in the free space of the layered layout: out of the right side of its box, up
    into the gap above the box's row, across to the gap right of the box it reports to, then
    to that post's line. Lines are set apart a few pixels each so they stay distinguishable.
    """
    out = []
    ox, oy = offset
    right = 0.0
    for n, line in enumerate(lines):
        if line.sub_box not in placed.origin or line.sup_box not in placed.origin:
            continue
        sx, sy = placed.origin[line.sub_box]
        tx, ty = placed.origin[line.sup_box]
        s_right, s_top, t_right = sx + ox + box_w, sy + oy, tx + ox + box_w
        y1, y2 = s_top + line.sub_dy, ty + oy + line.sup_dy
        step = n % 4
        out_x, in_x = s_right + 6 + 4 * step, t_right + 6 + 4 * step
        above = s_top - 6 - 4 * step
        d = (
            f"M{s_right:.1f},{y1:.1f} H{out_x:.1f} V{above:.1f} H{in_x:.1f} "
            f"V{y2:.1f} H{t_right + 1:.1f}"
        )
        said = ["reports to", *wrap(f"({line.marks})", 150, 11)] if line.marks else ["reports to"]
        lx = min(out_x, in_x) + abs(out_x - in_x) / 2 - 28
        label = text_lines(said, x=lx, y=above - 4 - 13 * (len(said) - 1), size=11, line_height=13)
        right = max(right, out_x, in_x, lx + 160)
        title = f"{line.sub_label} reports to {line.sup_label}"
        out.append(
            f'<g class="reporting" data-from="{esc(line.sub)}" data-to="{esc(line.sup)}">'
            f"<title>{esc(title + (f' ({line.marks})' if line.marks else ''))}</title>"
            f'<path d="{d}" marker-end="url(#{arrow}-reports)"/>\n{label}</g>\n'
        )
    return "".join(out), right


def legend(x: float, y: float, *, editorial: bool, groups: bool) -> tuple[str, float]:
    """The key to the chart's lines and frames at (x, y), and its height."""
    items = [
        ('<path class="edge" d="M{x0},{y0} H{x1}"/>', "unit of / part of (how the graph nests it)"),
        (
            '<g class="reporting"><path d="M{x0},{y0} H{x1}"/></g>',
            "reports to (org:reportsTo, between posts)",
        ),
    ]
    if groups:
        items.append(
            (
                '<rect class="sample group" x="{x0}" y="{top}" width="34" height="12"/>',
                "a group the source does not name",
            )
        )
    if editorial:
        items.append(
            (
                '<rect class="sample" x="{x0}" y="{top}" width="34" height="12"/>',
                f"{EDITORIAL}: stated only in kg's own notes, by no news source",
            )
        )
    out = ['<g class="legend">']
    out.append(text_lines(["Key"], x=x, y=y + 12, size=12, line_height=16, cls="heading"))
    for i, (sample, text) in enumerate(items):
        row = y + 30 + i * 18
        out.append(
            sample.format(
                x0=f"{x:.1f}", x1=f"{x + 34:.1f}", y0=f"{row - 4:.1f}", top=f"{row - 10:.1f}"
            )
        )
        out.append(text_lines([text], x=x + 44, y=row, size=12, line_height=16))
    out.append("</g>\n")
    return "".join(out), 30 + len(items) * 18
