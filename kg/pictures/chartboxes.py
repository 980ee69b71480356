"""The boxes of an organisation chart: an organisation, unit or unnamed group with its posts
(holder, reporting line, note) and the marks of what they state, and the responsibilities
panel shown on hover and focus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.pictures.draw import esc, text_lines, wrap
from kg.pictures.orgmodel import Group, Post
from kg.pictures.provenance import EDITORIAL, Facts

BOX_W = 236.0
PAD = 10.0
NAME = 15.0
SMALL = 12.5


@dataclass
class Box:
    key: str
    name: list[str]
    lines: list[tuple[str, str]]  # (css class, text)
    responsibilities: list[str]
    kind: str  # "org", "unit" or "group"
    iri: str
    posts: list[str]  # each post and its holder, on one line
    anchors: dict[str, int] = field(default_factory=dict)  # post IRI: index of its first line

    @property
    def height(self) -> float:
        return PAD * 2 + len(self.name) * 19 + len(self.lines) * 16 + (4 if self.lines else 0)

    def anchor(self, iri: str) -> float:
        """How far below the box's top the line of post ``iri`` is (its middle)."""
        line = self.anchors.get(iri)
        if line is None:
            return self.height / 2
        return PAD + len(self.name) * 19 + 4 + line * 16 + 10


def say(cls: str, text: str, marks: str = "") -> list[tuple[str, str]]:
    """``text`` wrapped to the box, then the marks of the fact it states, if any."""
    lines = [(cls, t) for t in wrap(text, BOX_W - 2 * PAD, SMALL)]
    if marks:
        lines += [("mark", t) for t in wrap(f"({marks})", BOX_W - 2 * PAD, SMALL)]
    return lines


def post_lines(post: Post, box: Box) -> list[str]:
    """Add ``post``'s lines to ``box``; what the side panel says of it."""
    box.anchors[post.iri] = len(box.lines)
    facts = post.facts
    box.lines += say("muted", post.label, facts["post"].marks)
    box.lines += say("", f"Holder: {post.holder_text}", facts["holder"].marks)
    said = [f"{post.label}: {post.holder_text}"]
    for _, title in post.reports_to:
        box.lines += say("reports", f"Reports to: {title}", facts["reportsTo"].marks)
        said.append(f"{post.label} reports to {title}")
    if post.note:
        box.lines += say("note", f"Note: {post.note}", facts["note"].marks)
        said.append(marked(f"Note: {post.note}", facts["note"].marks))
    return said


def marked(text: str, marks: str) -> str:
    return f"{text} ({marks})" if marks else text


def make_box(
    key: str,
    iri: str,
    label: str,
    posts: Sequence[Post],
    resp: list[str],
    kind: str,
    facts: Facts,
) -> Box:
    name = wrap(label, BOX_W - 2 * PAD, NAME, bold=True)
    box = Box(key, name, [], resp, kind, iri, [])
    if facts["name"].editorial:
        box.kind += " editorial"
    if marks := facts["name"].marks:
        box.lines += [("mark", t) for t in wrap(f"({marks})", BOX_W - 2 * PAD, SMALL)]
    for post in posts:
        box.posts += post_lines(post, box)
    if kind == "unit" and not posts:
        box.lines.append(("muted", "Lead: not reported"))
        box.posts.append("Lead: not reported")
    if resp:
        noun = "responsibility" if len(resp) == 1 else "responsibilities"
        box.lines.append(("hint", f"{len(resp)} {noun} (hover or focus)"))
    return box


def group_box(group: Group) -> Box:
    """An unnamed group: no name is made up; the source's wording is its label."""
    box = make_box(group.iri, group.iri, group.label, [], [], "group", group.facts)
    box.anchors[group.iri] = len(box.lines)
    for _, title in group.reports_to:
        box.lines += say("reports", f"Reports to: {title}", group.facts["reportsTo"].marks)
        box.posts.append(f"Reports to {title}")
    if group.note:
        box.lines += say("note", f"Note: {group.note}", group.facts["note"].marks)
        box.posts.append(marked(f"Note: {group.note}", group.facts["note"].marks))
    return box


def _lines(items: Sequence[str]) -> str:
    """Lines for an attribute value, kept apart by a character reference XML keeps."""
    return "&#10;".join(esc(item) for item in items)


def draw_box(box: Box, x: float, y: float, ident: str) -> str:
    tip = " ".join(box.name)
    title = ". ".join([tip, *box.posts])
    if "editorial" in box.kind.split():
        title += f" ({EDITORIAL})"
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


def popup(box: Box, x: float, y: float, ident: str, width: float) -> tuple[str, float]:
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


def popup_rules(idents: Sequence[str]) -> str:
    return "".join(
        f"svg:has(#{i}:hover) #{i}-pop, svg:has(#{i}:focus) #{i}-pop {{ display: inline; }}\n"
        for i in idents
    )


def post_text(post: Post) -> str:
    """One line of text for ``post``: holder, reporting lines and note, with their marks."""
    facts = post.facts
    parts = [
        marked(
            f"{marked(post.label, facts['post'].marks)}: {post.holder_text}", facts["holder"].marks
        )
    ]
    parts += [marked(f"reports to {t}", facts["reportsTo"].marks) for _, t in post.reports_to]
    if post.note:
        parts.append(marked(f"note: {post.note}", facts["note"].marks))
    return "; ".join(parts)


def group_text(group: Group) -> str:
    """One line of text for an unnamed group that reports to a post."""
    said = marked(group.label, group.facts["name"].marks)
    said += "".join(
        "; " + marked(f"reports to {t}", group.facts["reportsTo"].marks)
        for _, t in group.reports_to
    )
    return said + (f"; note: {marked(group.note, group.facts['note'].marks)}" if group.note else "")
