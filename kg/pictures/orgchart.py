"""The organisation chart: an organisation, its units nested as the graph nests them, the
reporting lines between its posts, and the before/after of each reorganisation that touched
them.

``OrgChart`` holds plain dataclasses (``kg.pictures.orgmodel``, filled by ``kg.pictures.data``);
``orgchart_svg`` and ``reorganisation_svg`` draw them with the layout from ``kg.pictures.draw``.
Each box is focusable and shows the unit's responsibilities on hover and on keyboard focus.
What rests only on kg's editorial notes is marked "kg editorial note", and facts the sources
attribute or hedge carry the attribution and the hedge (``kg.pictures.provenance``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.pictures.chartboxes import (
    BOX_W,
    STYLE,
    Box,
    draw_box,
    group_box,
    make_box,
    marked,
    popup,
    popup_rules,
)
from kg.pictures.chartlines import (
    ARROWS,
    LINES_STYLE,
    Nesting,
    Reporting,
    legend,
    nesting_edges,
    reporting_lines,
)
from kg.pictures.draw import Node, esc, layout, svg_root, text_lines, wrap
from kg.pictures.orgmodel import UNNAMED, OrgChart, Post, Reorganisation, Unit
from kg.pictures.provenance import EDITORIAL

__all__ = [
    "UNNAMED",
    "OrgChart",
    "Post",
    "Reorganisation",
    "Unit",
    "orgchart_document",
    "orgchart_svg",
    "reorganisation_svg",
]


def _picture(
    boxes: dict[str, Box],
    edges: list[Nesting],
    *,
    ident: str,
    title: str,
    desc: str,
    engine: str,
    across: bool = False,
    header: str = "",
    header_h: float = 0.0,
    after: frozenset[str] = frozenset(),
    captions: Sequence[tuple[str, frozenset[str]]] = (),
    popups: bool = True,
    reports: Sequence[Reporting] = (),
    key: bool = False,
) -> str:
    """The picture of ``boxes``: ``edges`` rank them, ``reports`` are drawn between post
    lines, and ``key`` adds the legend."""
    nodes = [Node(k, BOX_W, b.height) for k, b in boxes.items()]
    placed = layout(
        nodes,
        [(e.parent, e.child) for e in edges],
        direction="LR" if across else "TB",
        engine=engine,
        gap=28.0 if not across else 20.0,
        rank_gap=56.0 if not across else 90.0,
    )
    margin = 16.0
    oy = margin + header_h + (24.0 if reports else 0.0)  # room for lines over the top row
    arrow = f"{ident}-arrow"
    heights = {k: b.height for k, b in boxes.items()}
    lines, right = reporting_lines(placed, reports, (margin, oy), BOX_W, arrow)
    width = max(placed.width + 2 * margin, right + margin, 320.0)
    body: list[str] = [ARROWS.replace("{id}", arrow), header]
    body.append(nesting_edges(placed, heights, edges, (margin, oy), BOX_W, arrow, across))
    idents: list[str] = []
    panels: list[str] = []
    bottom = oy + placed.height
    for n, (k, box) in enumerate(boxes.items()):
        x, y = placed.origin[k]
        x, y = x + margin, y + oy
        if k in after:
            box.kind = f"{box.kind} after"
        box_id = f"{ident}-b{n}"
        body.append(draw_box(box, x, y, box_id))
        panel, end = popup(box, x, y + box.height + 6, box_id, width)
        if panel and popups:
            idents.append(box_id)
            panels.append(panel)
            bottom = max(bottom, end)
    body.append(lines)
    for caption, keys in captions:
        xs = [placed.origin[k][0] for k in keys if k in placed.origin]
        if xs:
            body.append(
                f'<text class="column" x="{min(xs) + margin:.0f}" y="{oy - 10:.0f}" '
                f'font-size="12">{esc(caption)}</text>\n'
            )
    if key:
        noted = any(_EDITORIAL_MARK in t for b in boxes.values() for _, t in b.lines)
        editorial = noted or any("editorial" in b.kind.split() for b in boxes.values())
        editorial = editorial or any(EDITORIAL in r.marks for r in reports)
        groups = any(b.kind.startswith("group") for b in boxes.values())
        drawn, h = legend(margin, bottom + 14, editorial=editorial, groups=groups)
        body.append(drawn)
        bottom += 14 + h
    body.extend(panels)
    return svg_root(
        width=width,
        height=bottom + margin,
        title=title,
        desc=desc,
        body="".join(body),
        ident=ident,
        style=STYLE + LINES_STYLE + popup_rules(idents),
    )


_EDITORIAL_MARK = f"({EDITORIAL}"


def orgchart_svg(
    chart: OrgChart, *, ident: str = "orgchart", engine: str = "auto", popups: bool = True
) -> str:
    """The organisation, its units and the unnamed groups that report to its posts, as a
    top-down chart, with the reporting lines between posts and a legend.

    With ``popups`` each box's responsibilities appear under it on hover and focus (for a
    standalone SVG); without, the page around the picture shows them (``kg.pictures``).
    """
    boxes = {
        chart.iri: make_box(chart.iri, chart.iri, chart.label, chart.posts, [], "org", chart.facts)
    }
    for unit in chart.units:
        boxes[unit.iri] = make_box(
            unit.iri, unit.iri, unit.label, unit.posts, unit.responsibilities, "unit", unit.facts
        )
    names = {chart.iri: chart.label, **{u.iri: u.label for u in chart.units}}
    edges = []
    for unit in chart.units:
        parent = unit.parent if unit.parent in boxes else chart.iri
        relation = unit.relation if parent == unit.parent else "unit of"
        said = f"{unit.label} is {'a ' if relation == 'unit of' else ''}{relation} {names[parent]}"
        edges.append(Nesting(parent, unit.iri, said, unit.facts["nesting"].marks))
    where = {p.iri: b.key for b in boxes.values() for p in _posts_of(chart, b.key)}
    for group in chart.groups:  # unranked: the layout puts them in the top row
        boxes[group.iri] = group_box(group)
        where[group.iri] = group.iri
    reports = [
        Reporting(
            sub=a,
            sup=b,
            sub_label=_label(chart, a),
            sup_label=_label(chart, b),
            marks=_reporting_marks(chart, a),
            sub_box=where[a],
            sup_box=where[b],
            sub_dy=boxes[where[a]].anchor(a),
            sup_dy=boxes[where[b]].anchor(b),
        )
        for a, b in chart.reporting_lines()
        if a in where and b in where
    ]
    return _picture(
        boxes,
        edges,
        ident=ident,
        title=f"Organisation chart of {chart.label}",
        desc=describe(chart),
        engine=engine,
        popups=popups,
        reports=reports,
        key=True,
    )


def _posts_of(chart: OrgChart, key: str) -> list[Post]:
    if key == chart.iri:
        return chart.posts
    return next((u.posts for u in chart.units if u.iri == key), [])


def _label(chart: OrgChart, iri: str) -> str:
    found = [p.label for p in chart.all_posts() if p.iri == iri]
    found += [g.label for g in chart.groups if g.iri == iri]
    return found[0] if found else iri


def _reporting_marks(chart: OrgChart, iri: str) -> str:
    facts = [p.facts for p in chart.all_posts() if p.iri == iri]
    facts += [g.facts for g in chart.groups if g.iri == iri]
    return facts[0]["reportsTo"].marks if facts else ""


def reorganisation_svg(
    reorg: Reorganisation, *, ident: str = "reorg", engine: str = "auto", popups: bool = True
) -> str:
    """The units before a reorganisation beside the units it resulted in."""
    boxes: dict[str, Box] = {}
    for side, units in (("before", reorg.original), ("after", reorg.resulting)):
        for unit in units:
            key = f"{side}:{unit.iri}"
            boxes[key] = make_box(
                key, unit.iri, unit.label, unit.posts, unit.responsibilities, "unit", unit.facts
            )
    edges = [
        Nesting(f"before:{a.iri}", f"after:{b.iri}", f"{a.label} became {b.label}")
        for a in reorg.original
        for b in reorg.resulting
    ]
    heading = wrap(f"{reorg.label} ({when_text(reorg)})", 560, 15, bold=True)
    header_h = 22.0 * len(heading) + 26
    header = text_lines(heading, x=16, y=30, size=15, line_height=22, cls="heading")
    after = frozenset(k for k in boxes if k.startswith("after:"))
    return _picture(
        boxes,
        edges,
        ident=ident,
        title=f"Before and after: {reorg.label}",
        desc=describe_reorganisation(reorg),
        engine=engine,
        across=True,
        header=header,
        header_h=header_h,
        after=after,
        captions=(("BEFORE", frozenset(boxes) - after), ("AFTER", after)),
        popups=popups,
    )


def when_text(reorg: Reorganisation) -> str:
    """Its date as the sources give it, with the date's marks (e.g. who reported it first)."""
    marks = reorg.facts["date"].marks
    return f"{reorg.when}; {marks[:1].lower()}{marks[1:]}" if marks else reorg.when


def describe(chart: OrgChart) -> str:
    """A text alternative for the chart: every unit with its parent, lead and responsibilities,
    every reporting line, and the marks of what they state."""
    parts = [f"{chart.label} has {len(chart.units)} units in the graph."]
    names = {u.iri: u.label for u in chart.units}
    for unit in chart.units:
        where = (
            f"part of {names[unit.parent]}" if unit.parent in names else f"unit of {chart.label}"
        )
        leads = "; ".join(
            marked(f"{p.label}, held by {p.holder_text}", p.facts["holder"].marks)
            for p in unit.posts
        )
        text = marked(f"{unit.label} ({where})", unit.facts["name"].marks)
        if leads:
            text += f": {leads}"
        if unit.responsibilities:
            text += ". Responsible for: " + "; ".join(unit.responsibilities)
        parts.append(text + ".")
    for a, b in chart.reporting_lines():
        said = f"{_label(chart, a)} reports to {_label(chart, b)}"
        parts.append(marked(said, _reporting_marks(chart, a)) + ".")
    return " ".join(parts)


def describe_reorganisation(reorg: Reorganisation) -> str:
    before = ", ".join(u.label for u in reorg.original) or "not reported"
    after = ", ".join(u.label for u in reorg.resulting) or "not reported"
    return f"{reorg.label} ({when_text(reorg)}). Before: {before}. After: {after}."


def orgchart_document(chart: OrgChart, *, engine: str = "auto") -> str:
    """One SVG file: the chart, then the before/after of each reorganisation below it."""
    pictures = [orgchart_svg(chart, engine=engine)]
    pictures += [
        reorganisation_svg(r, ident=f"reorg{i}", engine=engine)
        for i, r in enumerate(chart.reorganisations)
    ]
    sizes = [_size(p) for p in pictures]
    width = max(w for w, _ in sizes)
    y = 0.0
    body = []
    for picture, (_, h) in zip(pictures, sizes, strict=True):
        body.append(picture.replace("<svg ", f'<svg x="0" y="{y:.0f}" ', 1))
        y += h
    return svg_root(
        width=width,
        height=y,
        title=f"Organisation chart of {chart.label}",
        desc=describe(chart)
        + " "
        + " ".join(describe_reorganisation(r) for r in chart.reorganisations),
        body="".join(body),
        ident="document",
    )


def _size(svg: str) -> tuple[float, float]:
    head = svg[: svg.index(">")]
    width = float(head.split(' width="', 1)[1].split('"', 1)[0])
    height = float(head.split(' height="', 1)[1].split('"', 1)[0])
    return width, height
