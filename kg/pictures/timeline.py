"""The strategy timeline: strategy events in date order, honest about how precisely each is dated.

``Timeline`` holds plain dataclasses (filled by ``kg.pictures.data``) and ``timeline_svg`` draws
them. A timeline is one line of events, so its layout is a simple vertical list (no graph
layout is needed); undated events come last, labelled "date not reported".
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

from kg.pictures.draw import esc, svg_root, text_lines, wrap
from kg.pictures.provenance import hedging as hedged_text

NOT_REPORTED = "date not reported"


@dataclass(frozen=True)
class Source:
    """A source that states something about an event."""

    iri: str
    label: str
    url: str | None = None
    editorial: bool = False  # kg's own editorial notes, not a publication's reporting


@dataclass
class TimelineEvent:
    iri: str
    label: str
    kind: str | None = None  # IRI of the event-kind concept
    kind_label: str | None = None
    date: str | None = None  # lexical form: 2025-01-21, 2025-11 or 2025
    precision: str | None = None  # local name of the kg:DatePrecisions concept
    basis: str | None = None  # local name of the kg:DateBases concept (FirstReportedOn, ...)
    description: str | None = None
    organisations: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label)
    from_strategy: str | None = None
    to_strategy: str | None = None
    sources: list[Source] = field(default_factory=list)
    attributions: list[str] = field(default_factory=list)  # e.g. "Insider sources"
    hedges: list[str] = field(default_factory=list)  # e.g. "Reportedly", "More"

    @property
    def when(self) -> str:
        return when(self.date, self.precision, self.basis)

    @property
    def dated(self) -> bool:
        return bool(self.date) and self.precision != "NotStated"

    def sort_key(self) -> tuple[int, int, int, int, str]:
        parts = _date_parts(self.date) if self.dated else None
        if parts is None:
            return (1, 0, 0, 0, self.label)
        year, month, day = parts
        return (0, year, month, day, self.label)


@dataclass
class Timeline:
    """Events in date order (undated last), with what the filters may choose from."""

    events: list[TimelineEvent]
    organisations: list[tuple[str, str]] = field(default_factory=list)  # every (IRI, label)
    kinds: list[tuple[str, str]] = field(default_factory=list)  # every (IRI, label)
    organisation: str | None = None  # the filter applied, if any
    kind: str | None = None

    def __post_init__(self) -> None:
        self.events.sort(key=TimelineEvent.sort_key)


def _date_parts(date: str | None) -> tuple[int, int, int] | None:
    if not date:
        return None
    bits = date[:10].split("-")
    try:
        numbers = [int(b) for b in bits if b]
    except ValueError:
        return None
    if not numbers:
        return None
    numbers += [0] * (3 - len(numbers))
    return numbers[0], numbers[1], numbers[2]


def when(date: str | None, precision: str | None, basis: str | None = None) -> str:
    """How to say when an event happened, no more precisely than the source says it; a date
    that is only the day of the first report says so."""
    parts = _date_parts(date) if precision != "NotStated" else None
    if parts is None:
        return NOT_REPORTED
    year, month, day = parts
    prefix = "first reported on " if basis == "FirstReportedOn" else ""
    if precision == "PrecisionYear" or month == 0:
        return f"{prefix}{year} (month not reported)"
    month_name = calendar.month_name[month] if 1 <= month <= 12 else str(month)
    if precision == "PrecisionMonth" or day == 0:
        return f"{prefix}{month_name} {year} (day not reported)"
    return f"{prefix}{day} {month_name} {year}"


def hedging(event: TimelineEvent) -> str:
    """What the sources credit and how they hedge, e.g. "Attributed to insider sources"."""
    return hedged_text(event.attributions, event.hedges)


# ---------------------------------------------------------------- drawing

WIDTH = 640.0
#: The width of the timeline drawn for phones (its text wraps sooner; the letters stay large).
NARROW = 360.0
AXIS_X = 22.0
TEXT_X = 44.0


def timeline_svg(timeline: Timeline, *, ident: str = "timeline", width: float = WIDTH) -> str:
    """The timeline as one SVG picture: a vertical axis with one focusable entry per event."""
    body: list[str] = []
    y = 28.0
    marks: list[float] = []
    for index, event in enumerate(timeline.events):
        block, height, mark = _event_block(event, f"{ident}-e{index}", y, width - TEXT_X - 16)
        body.append(block)
        marks.append(mark)
        y += height + 22
    if not timeline.events:
        body.append(
            text_lines(["No strategy events match."], x=TEXT_X, y=y, size=15, line_height=20)
        )
        y += 30
    axis = ""
    if marks:
        axis = (
            f'<line class="axis" x1="{AXIS_X}" y1="{marks[0]:.1f}" x2="{AXIS_X}" '
            f'y2="{marks[-1]:.1f}"/>\n'
        )
    desc = describe(timeline)
    return svg_root(
        width=width,
        height=y,
        title=_title(timeline),
        desc=desc,
        body=axis + "".join(body),
        ident=ident,
        style=STYLE,
    )


STYLE = """
.kg-picture .axis { stroke: #8c959f; stroke-width: 2; }
.kg-picture .mark { fill: #0969da; stroke: #ffffff; stroke-width: 2; }
.kg-picture .mark.undated { fill: #ffffff; stroke: #8c959f; stroke-dasharray: 2 2; }
.kg-picture .when { font-weight: 700; fill: #0550ae; }
.kg-picture .when.undated { fill: #57606a; font-style: italic; }
.kg-picture .event .frame { fill: transparent; stroke: none; }
"""


def _title(timeline: Timeline) -> str:
    parts = ["Strategy timeline"]
    if timeline.organisation:
        label = dict(timeline.organisations).get(timeline.organisation, timeline.organisation)
        parts.append(f"of {label}")
    if timeline.kind:
        parts.append(f"({dict(timeline.kinds).get(timeline.kind, timeline.kind)})")
    return " ".join(parts)


def describe(timeline: Timeline) -> str:
    """A text alternative: every event in order, with its date and kind."""
    if not timeline.events:
        return "No strategy events match."
    items = [
        f"{e.when}: {e.label}"
        + (f" ({e.kind_label})" if e.kind_label else "")
        + (f" [{hedging(e)}]" if hedging(e) else "")
        for e in timeline.events
    ]
    noun = "event" if len(items) == 1 else "events"
    return f"{len(items)} strategy {noun} in date order, undated last. " + "; ".join(items) + "."


def _event_block(
    event: TimelineEvent, ident: str, top: float, text_w: float
) -> tuple[str, float, float]:
    """One event's entry: the SVG, its height and the y of its mark on the axis."""
    out: list[str] = []
    y = top
    undated = "" if event.dated else " undated"
    out.append(
        text_lines([event.when], x=TEXT_X, y=y, size=14, line_height=18, cls=f"when{undated}")
    )
    mark_y = y - 5
    y += 22
    title = wrap(event.label, text_w, 15, bold=True)
    out.append(text_lines(title, x=TEXT_X, y=y, size=15, line_height=19, cls="heading"))
    y += 19 * len(title) + 2
    meta = " · ".join(
        [
            *([event.kind_label] if event.kind_label else []),
            *(lab for _, lab in event.organisations),
        ]
    )
    if meta:
        lines = wrap(meta, text_w, 13)
        out.append(text_lines(lines, x=TEXT_X, y=y, size=13, line_height=17, cls="muted"))
        y += 17 * len(lines)
    if hedged := hedging(event):
        lines = wrap(hedged, text_w, 13)
        out.append(text_lines(lines, x=TEXT_X, y=y, size=13, line_height=17, cls="muted"))
        y += 17 * len(lines)
    if event.from_strategy or event.to_strategy:
        shift = (
            f"From: {event.from_strategy or 'not reported'} → "
            f"To: {event.to_strategy or 'not reported'}"
        )
        lines = wrap(shift, text_w, 13)
        out.append(text_lines(lines, x=TEXT_X, y=y, size=13, line_height=17))
        y += 17 * len(lines)
    if event.sources:
        y += 2
        out.append(text_lines(["Sources:"], x=TEXT_X, y=y, size=12, line_height=16, cls="muted"))
        y += 16
        for source in event.sources:
            label = source.label + (" (kg editorial note)" if source.editorial else "")
            lines = wrap(label, text_w - 12, 12)
            text = text_lines(lines, x=TEXT_X + 12, y=y, size=12, line_height=16)
            if source.url:
                text = f'<a href="{esc(source.url)}" target="_blank">{text}</a>'
            out.append(text)
            y += 16 * len(lines)
    height = y - top + 4
    tooltip = ". ".join(p for p in (event.label, event.when, event.description or "") if p)
    frame = (
        f'<rect class="frame" x="{TEXT_X - 8}" y="{top - 18:.1f}" width="{text_w + 16}" '
        f'height="{height + 10:.1f}" rx="6"/>\n'
    )
    mark = (
        f'<circle class="mark{undated}" cx="{AXIS_X}" cy="{mark_y:.1f}" r="7" '
        'aria-hidden="true"/>\n'
    )
    block = (
        f'<g class="event" id="{esc(ident)}" tabindex="0" data-iri="{esc(event.iri)}">\n'
        f"<title>{esc(tooltip)}</title>\n{frame}{mark}{''.join(out)}</g>\n"
    )
    return block, height, mark_y
