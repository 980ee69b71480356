"""The organisation chart: an organisation, its units nested as the graph nests them, and the
before/after of each reorganisation that touched them.

``OrgChart`` holds plain dataclasses (filled by ``kg.pictures.data``); ``orgchart_svg`` and
``reorganisation_svg`` draw them with the layout from ``kg.pictures.draw``. Each box is
focusable and shows the unit's responsibilities on hover and on keyboard focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.pictures.draw import Layout, Node, esc, layout, svg_root, text_lines, wrap

UNNAMED = "unnamed (not reported)"


@dataclass(frozen=True)
class Post:
    iri: str
    label: str
    role: str | None = None  # label of the org:role concept
    holder_status: str | None = None  # local name: HolderNamed, HolderUnnamed, HolderVacant
    holder: str | None = None  # the holder's name, when the source gives it

    @property
    def holder_text(self) -> str:
        if self.holder:
            return self.holder
        if self.holder_status == "HolderVacant":
            return "vacant"
        if self.holder_status == "HolderUnnamed":
            return UNNAMED
        return "not reported"


@dataclass
class Unit:
    iri: str
    label: str
    parent: str | None = None  # IRI of the unit it is a sub-organisation of, if any
    posts: list[Post] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)


@dataclass
class Reorganisation:
    iri: str
    label: str
    when: str
    description: str | None = None
    original: list[Unit] = field(default_factory=list)
    resulting: list[Unit] = field(default_factory=list)


@dataclass
class OrgChart:
    iri: str
    label: str
    posts: list[Post] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    reorganisations: list[Reorganisation] = field(default_factory=list)

    def top_units(self) -> list[Unit]:
        known = {u.iri for u in self.units}
        return [u for u in self.units if u.parent is None or u.parent not in known]

    def children(self, unit: Unit) -> list[Unit]:
        return [u for u in self.units if u.parent == unit.iri]


# ---------------------------------------------------------------- boxes

BOX_W = 236.0
PAD = 10.0
NAME = 15.0
SMALL = 12.5


@dataclass
class _Box:
    key: str
    name: list[str]
    lines: list[tuple[str, str]]  # (css class, text)
    responsibilities: list[str]
    kind: str  # "org" or "unit"
    iri: str
    posts: list[str]  # each post and its holder, on one line

    @property
    def height(self) -> float:
        return PAD * 2 + len(self.name) * 19 + len(self.lines) * 16 + (4 if self.lines else 0)


def _box(key: str, iri: str, label: str, posts: Sequence[Post], resp: list[str], kind: str) -> _Box:
    lines: list[tuple[str, str]] = []
    for post in posts:
        lines += [("muted", t) for t in wrap(post.label, BOX_W - 2 * PAD, SMALL)]
        lines += [("", t) for t in wrap(f"Holder: {post.holder_text}", BOX_W - 2 * PAD, SMALL)]
    if kind == "unit" and not posts:
        lines.append(("muted", "Lead: not reported"))
    if resp:
        noun = "responsibility" if len(resp) == 1 else "responsibilities"
        lines.append(("hint", f"{len(resp)} {noun} (hover or focus)"))
    said = [f"{p.label}: {p.holder_text}" for p in posts] or (
        ["Lead: not reported"] if kind == "unit" else []
    )
    return _Box(key, wrap(label, BOX_W - 2 * PAD, NAME, bold=True), lines, resp, kind, iri, said)


def _lines(items: Sequence[str]) -> str:
    """Lines for an attribute value, kept apart by a character reference XML keeps."""
    return "&#10;".join(esc(item) for item in items)


def _draw_box(box: _Box, x: float, y: float, ident: str) -> str:
    tip = " ".join(box.name)
    title = ". ".join([tip, *box.posts])
    if box.responsibilities:
        title += ". Responsibilities: " + "; ".join(box.responsibilities)
    out = [
        f'<g class="box {box.kind}" id="{esc(ident)}" tabindex="0" data-iri="{esc(box.iri)}" '
        f'data-name="{esc(tip)}" data-posts="{_lines(box.posts)}" '
        f'data-responsibilities="{_lines(box.responsibilities)}">\n'
        f"<title>{esc(title)}</title>\n"
        f'<rect class="frame" x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" '
        f'height="{box.height:.1f}" rx="8"/>\n'
    ]
    ty = y + PAD + 14
    out.append(text_lines(box.name, x=x + PAD, y=ty, size=NAME, line_height=19, cls="heading"))
    ty += len(box.name) * 19 + 4
    for i, (cls, text) in enumerate(box.lines):
        out.append(
            text_lines([text], x=x + PAD, y=ty + i * 16, size=SMALL, line_height=16, cls=cls)
        )
    out.append("</g>\n")
    return "".join(out)


def _popup(box: _Box, x: float, y: float, ident: str, width: float) -> tuple[str, float]:
    """The responsibilities panel shown under a box on hover/focus, and its bottom edge."""
    if not box.responsibilities:
        return "", y
    w = 300.0
    x = max(4.0, min(x, width - w - 4))
    lines: list[str] = []
    for item in box.responsibilities:
        wrapped = wrap(item, w - 2 * PAD - 10, SMALL)
        lines += ["• " + wrapped[0], *("  " + t for t in wrapped[1:])]
    h = PAD * 2 + 18 + len(lines) * 16
    body = text_lines(["Responsibilities"], x=x + PAD, y=y + PAD + 12, size=SMALL, line_height=16)
    body += text_lines(lines, x=x + PAD, y=y + PAD + 30, size=SMALL, line_height=16)
    panel = (
        f'<g class="popup" id="{esc(ident)}-pop" aria-hidden="true">'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w}" height="{h:.1f}" rx="6"/>\n{body}</g>\n'
    )
    return panel, y + h


STYLE = """
.kg-picture .box .frame { fill: #f6f8fa; stroke: #57606a; stroke-width: 1.2; }
.kg-picture .box.org .frame { fill: #ddf4ff; stroke: #0969da; }
.kg-picture .box.after .frame { fill: #dafbe1; stroke: #1a7f37; }
.kg-picture .hint { fill: #0550ae; font-style: italic; }
.kg-picture .popup { display: none; pointer-events: none; }
.kg-picture .popup rect { fill: #fffbe6; stroke: #9a6700; }
.kg-picture .column { font-weight: 700; fill: #57606a; letter-spacing: 0.08em; }
"""


def _popup_rules(idents: Sequence[str]) -> str:
    return "".join(
        f"svg:has(#{i}:hover) #{i}-pop, svg:has(#{i}:focus) #{i}-pop {{ display: inline; }}\n"
        for i in idents
    )


def _edges(
    placed: Layout,
    boxes: dict[str, _Box],
    edges: Sequence[tuple[str, str]],
    offset: tuple[float, float],
    arrow: str,
    across: bool = False,
) -> str:
    out = []
    ox, oy = offset
    for a, b in edges:
        if a not in placed.origin or b not in placed.origin:
            continue
        ax, ay = placed.origin[a]
        bx, by = placed.origin[b]
        ax, bx = ax + ox, bx + ox
        if across:
            x1, y1 = ax + BOX_W, ay + oy + boxes[a].height / 2
            x2, y2 = bx, by + oy + boxes[b].height / 2
            mid = (x1 + x2) / 2
            path = f"M{x1:.1f},{y1:.1f} H{mid:.1f} V{y2:.1f} H{x2:.1f}"
        else:
            x1, y1 = ax + BOX_W / 2, ay + oy + boxes[a].height
            x2, y2 = bx + BOX_W / 2, by + oy
            mid = y1 + 24
            path = f"M{x1:.1f},{y1:.1f} V{mid:.1f} H{x2:.1f} V{y2:.1f}"
        out.append(f'<path class="edge" d="{path}" marker-end="url(#{arrow})"/>\n')
    return "".join(out)


ARROW = (
    '<defs><marker id="{id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
    'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
    'fill="#8c959f"/></marker></defs>\n'
)


def _picture(
    boxes: dict[str, _Box],
    edges: list[tuple[str, str]],
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
) -> str:
    nodes = [Node(k, BOX_W, b.height) for k, b in boxes.items()]
    placed = layout(
        nodes,
        edges,
        direction="LR" if across else "TB",
        engine=engine,
        gap=28.0 if not across else 20.0,
        rank_gap=56.0 if not across else 90.0,
    )
    margin = 16.0
    width = max(placed.width + 2 * margin, 320.0)
    oy = margin + header_h
    arrow = f"{ident}-arrow"
    body: list[str] = [ARROW.replace("{id}", arrow), header]
    body.append(_edges(placed, boxes, edges, (margin, oy), arrow, across))
    idents: list[str] = []
    panels: list[str] = []
    bottom = oy + placed.height
    for n, (key, box) in enumerate(boxes.items()):
        x, y = placed.origin[key]
        x, y = x + margin, y + oy
        if key in after:
            box.kind = f"{box.kind} after"
        box_id = f"{ident}-b{n}"
        body.append(_draw_box(box, x, y, box_id))
        panel, end = _popup(box, x, y + box.height + 6, box_id, width)
        if panel and popups:
            idents.append(box_id)
            panels.append(panel)
            bottom = max(bottom, end)
    for caption, keys in captions:
        xs = [placed.origin[k][0] for k in keys if k in placed.origin]
        if xs:
            body.append(
                f'<text class="column" x="{min(xs) + margin:.0f}" y="{oy - 10:.0f}" '
                f'font-size="12">{esc(caption)}</text>\n'
            )
    body.extend(panels)
    return svg_root(
        width=width,
        height=bottom + margin,
        title=title,
        desc=desc,
        body="".join(body),
        ident=ident,
        style=STYLE + _popup_rules(idents),
    )


def orgchart_svg(
    chart: OrgChart, *, ident: str = "orgchart", engine: str = "auto", popups: bool = True
) -> str:
    """The organisation and its units as a top-down chart.

    With ``popups`` each box's responsibilities appear under it on hover and focus (for a
    standalone SVG); without, the page around the picture shows them (``kg.pictures``).
    """
    boxes = {chart.iri: _box(chart.iri, chart.iri, chart.label, chart.posts, [], "org")}
    edges: list[tuple[str, str]] = []
    for unit in chart.units:
        boxes[unit.iri] = _box(
            unit.iri, unit.iri, unit.label, unit.posts, unit.responsibilities, "unit"
        )
    for unit in chart.units:
        parent = unit.parent if unit.parent in boxes else chart.iri
        edges.append((parent, unit.iri))
    return _picture(
        boxes,
        edges,
        ident=ident,
        title=f"Organisation chart of {chart.label}",
        desc=describe(chart),
        engine=engine,
        popups=popups,
    )


def reorganisation_svg(
    reorg: Reorganisation, *, ident: str = "reorg", engine: str = "auto", popups: bool = True
) -> str:
    """The units before a reorganisation beside the units it resulted in."""
    boxes: dict[str, _Box] = {}
    for side, units in (("before", reorg.original), ("after", reorg.resulting)):
        for unit in units:
            key = f"{side}:{unit.iri}"
            boxes[key] = _box(key, unit.iri, unit.label, unit.posts, unit.responsibilities, "unit")
    edges = [(f"before:{a.iri}", f"after:{b.iri}") for a in reorg.original for b in reorg.resulting]
    heading = wrap(f"{reorg.label} ({reorg.when})", 560, 15, bold=True)
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


def describe(chart: OrgChart) -> str:
    """A text alternative for the chart: every unit with its parent, lead and responsibilities."""
    parts = [f"{chart.label} has {len(chart.units)} units in the graph."]
    names = {u.iri: u.label for u in chart.units}
    for unit in chart.units:
        where = (
            f"part of {names[unit.parent]}" if unit.parent in names else f"unit of {chart.label}"
        )
        leads = "; ".join(f"{p.label}, held by {p.holder_text}" for p in unit.posts)
        text = f"{unit.label} ({where})"
        if leads:
            text += f": {leads}"
        if unit.responsibilities:
            text += ". Responsible for: " + "; ".join(unit.responsibilities)
        parts.append(text + ".")
    return " ".join(parts)


def describe_reorganisation(reorg: Reorganisation) -> str:
    before = ", ".join(u.label for u in reorg.original) or "not reported"
    after = ", ".join(u.label for u in reorg.resulting) or "not reported"
    return f"{reorg.label} ({reorg.when}). Before: {before}. After: {after}."


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
