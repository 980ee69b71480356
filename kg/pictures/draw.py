"""Drawing helpers shared by the pictures: text measuring and wrapping, SVG markup, and layout.

Layout is computed by a graph-drawing library, never by hand: Graphviz ``dot`` through its
Python binding when the ``dot`` program is installed (the best layered layouts), otherwise
grandalf, a pure-Python Sugiyama layout, so that drawing works on a machine with only Python.
Either way kg draws the SVG itself from the computed positions, so the picture has the same
text alternatives, focusable boxes and styles whichever engine placed the boxes.

The org chart (``kg.pictures.orgchart``) and the strategy timeline (``kg.pictures.timeline``) build
on this.
"""

from __future__ import annotations

import json
import logging
import shutil
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import graphviz
from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout

from kg.errors import InputError
from kg.model.text import xml_safe

log = logging.getLogger("kg.draw")

#: Layout engines, in the order ``auto`` tries them.
ENGINES = ("dot", "grandalf")

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
#: Average glyph width as a fraction of the font size, for a sans-serif face (a safe overestimate).
GLYPH = 0.53

_warned_fallback = False


def esc(text: object) -> str:
    """Text escaped for XML and HTML content and attribute values.

    Characters XML cannot carry are dropped: writes and loads refuse them, but a store kg
    did not fill could hold some, and one would make the whole picture invalid XML.
    """
    return escape(xml_safe(str(text)), quote=True)


def wrap(text: str, width_px: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` broken into lines that fit ``width_px`` at ``size`` px (never an empty list)."""
    chars = max(8, int(width_px / (size * GLYPH * (1.12 if bold else 1.0))))
    return textwrap.wrap(text, chars, break_on_hyphens=False) or [""]


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class Node:
    """A box to place: its key, and its size in pixels."""

    key: str
    width: float
    height: float


@dataclass
class Layout:
    """Where each box goes: top-left corners in pixels, y downwards, and the overall size."""

    engine: str
    origin: dict[str, tuple[float, float]] = field(default_factory=dict)
    width: float = 0.0
    height: float = 0.0


def dot_available() -> bool:
    """Whether Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def choose_engine(engine: str = "auto") -> str:
    """The engine to use for ``engine`` (``auto``, ``dot`` or ``grandalf``)."""
    global _warned_fallback
    if engine not in ("auto", *ENGINES):
        raise InputError(f"unknown layout engine {engine!r}; use auto, dot or grandalf")
    if engine == "dot" and not dot_available():
        raise InputError("the layout engine 'dot' needs Graphviz installed (apt install graphviz)")
    if engine != "auto":
        return engine
    if dot_available():
        return "dot"
    if not _warned_fallback:
        log.warning("Graphviz 'dot' not found: laying out pictures with grandalf (pure Python)")
        _warned_fallback = True
    return "grandalf"


def layout(
    nodes: Sequence[Node],
    edges: Iterable[tuple[str, str]],
    *,
    direction: str = "TB",
    gap: float = 24.0,
    rank_gap: float = 48.0,
    engine: str = "auto",
) -> Layout:
    """Place ``nodes`` in layers along ``direction`` (``TB`` top-down, ``LR`` left-right)."""
    chosen = choose_engine(engine)
    edge_list = [(a, b) for a, b in edges if a != b]
    if not nodes:
        return Layout(engine=chosen)
    if chosen == "dot":
        result = _layout_dot(nodes, edge_list, direction, gap, rank_gap)
    else:
        result = _layout_grandalf(nodes, edge_list, direction, gap, rank_gap)
    return result


def _layout_dot(
    nodes: Sequence[Node], edges: list[tuple[str, str]], direction: str, gap: float, rank_gap: float
) -> Layout:
    graph = graphviz.Digraph(
        graph_attr={
            "rankdir": direction,
            "nodesep": f"{gap / 72:.3f}",
            "ranksep": f"{rank_gap / 72:.3f}",
            "splines": "false",
        },
        node_attr={"shape": "box", "fixedsize": "true", "label": ""},
    )
    names = {node.key: f"n{i}" for i, node in enumerate(nodes)}
    for node in nodes:
        graph.node(
            names[node.key], width=f"{node.width / 72:.3f}", height=f"{node.height / 72:.3f}"
        )
    for a, b in edges:
        if a in names and b in names:
            graph.edge(names[a], names[b])
    data: dict[str, Any] = json.loads(graph.pipe(format="json0"))
    _, _, _, top = (float(v) for v in data["bb"].split(","))
    keys = {name: key for key, name in names.items()}
    sizes = {node.key: node for node in nodes}
    out = Layout(engine="dot")
    for obj in data.get("objects", []):
        key = keys.get(obj.get("name", ""))
        if key is None or "pos" not in obj:
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        node = sizes[key]
        out.origin[key] = (x - node.width / 2, top - y - node.height / 2)
    return _normalise(out, nodes)


class _View:
    def __init__(self, w: float, h: float) -> None:
        self.w = w
        self.h = h
        self.xy: tuple[float, float] = (0.0, 0.0)


def _layout_grandalf(
    nodes: Sequence[Node], edges: list[tuple[str, str]], direction: str, gap: float, rank_gap: float
) -> Layout:
    across = direction == "LR"  # grandalf lays out top-down; swap the axes for left-right
    vertices: dict[str, Any] = {}
    for node in nodes:
        vertex = Vertex(node.key)
        w, h = (node.height, node.width) if across else (node.width, node.height)
        vertex.view = _View(w, h)
        vertices[node.key] = vertex
    links = [Edge(vertices[a], vertices[b]) for a, b in edges if a in vertices and b in vertices]
    graph = Graph(list(vertices.values()), links)
    out = Layout(engine="grandalf")
    offset = 0.0
    for component in graph.C:
        sugiyama = SugiyamaLayout(component)
        sugiyama.xspace = gap
        sugiyama.yspace = rank_gap
        sugiyama.init_all()
        sugiyama.draw()
        members = list(component.sV)
        left = min(v.view.xy[0] - v.view.w / 2 for v in members)
        right = max(v.view.xy[0] + v.view.w / 2 for v in members)
        for v in members:
            x = v.view.xy[0] - v.view.w / 2 - left + offset
            y = v.view.xy[1] - v.view.h / 2
            out.origin[v.data] = (y, x) if across else (x, y)
        offset += right - left + gap
    return _normalise(out, nodes)


def _normalise(result: Layout, nodes: Sequence[Node]) -> Layout:
    """Shift the layout so its top-left box corner is at (0, 0) and compute its size."""
    placed = [n for n in nodes if n.key in result.origin]
    if not placed:
        return result
    min_x = min(result.origin[n.key][0] for n in placed)
    min_y = min(result.origin[n.key][1] for n in placed)
    for n in placed:
        x, y = result.origin[n.key]
        result.origin[n.key] = (x - min_x, y - min_y)
    result.width = max(result.origin[n.key][0] + n.width for n in placed)
    result.height = max(result.origin[n.key][1] + n.height for n in placed)
    return result


# ---------------------------------------------------------------- SVG


def svg_root(
    *,
    width: float,
    height: float,
    title: str,
    desc: str,
    body: str,
    ident: str,
    style: str = "",
) -> str:
    """A complete SVG picture with its text alternative (``<title>``, ``<desc>``)."""
    w, h = round(width), round(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'id="{esc(ident)}" class="kg-picture" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="{esc(ident)}-title {esc(ident)}-desc">\n'
        f'<title id="{esc(ident)}-title">{esc(title)}</title>\n'
        f'<desc id="{esc(ident)}-desc">{esc(desc)}</desc>\n'
        f"<style>{BASE_STYLE}{style}</style>\n"
        f'<rect class="paper" width="{w}" height="{h}"/>\n'
        f"{body}</svg>\n"
    )


BASE_STYLE = f"""
.kg-picture {{ font-family: {FONT}; }}
.kg-picture .paper {{ fill: #ffffff; }}
.kg-picture text {{ fill: #1b1f24; }}
.kg-picture .muted {{ fill: #57606a; }}
.kg-picture .heading {{ font-weight: 700; }}
.kg-picture .edge {{ fill: none; stroke: #8c959f; stroke-width: 1.5; }}
.kg-picture [tabindex]:focus {{ outline: none; }}
.kg-picture [tabindex]:focus .frame, .kg-picture [tabindex]:hover .frame {{
  stroke: #0550ae; stroke-width: 3; }}
.kg-picture a text {{ fill: #0550ae; text-decoration: underline; }}
"""


def text_lines(
    lines: Sequence[str],
    *,
    x: float,
    y: float,
    size: float,
    line_height: float,
    cls: str = "",
    anchor: str = "start",
) -> str:
    """``<text>`` elements for ``lines``; ``y`` is the baseline of the first line."""
    klass = f' class="{cls}"' if cls else ""
    return "".join(
        f'<text x="{x:.1f}" y="{y + i * line_height:.1f}" font-size="{size}" '
        f'text-anchor="{anchor}"{klass}>{esc(line)}</text>\n'
        for i, line in enumerate(lines)
    )
