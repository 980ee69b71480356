"""The picture pages: ``/orgchart``, ``/orgchart/{id}`` and ``/timeline``.

Each page is HTML with the SVG picture inline, a side panel that shows a box's details on
hover or keyboard focus (``/static/pictures.js``), and a plain-text version of the same content,
in the shared frame of :mod:`kg.http.layout`. Everything comes from kg itself: no CDN, no internet.
``?format=svg`` returns the picture alone, as ``kg draw`` writes it (``kg.pictures.files`` reads
the data of both).

The data is read from the store on every request, so a write shows on the next request.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from kg.errors import InputError
from kg.http.layout import chart_href, href, page, query_value
from kg.http.state import AppState, state_of
from kg.pictures.chartboxes import group_text, post_text
from kg.pictures.data import fetch_organisations_with_units, short_id
from kg.pictures.draw import esc
from kg.pictures.files import orgchart_of, timeline_of
from kg.pictures.orgchart import (
    OrgChart,
    Post,
    Unit,
    orgchart_document,
    orgchart_svg,
    reorganisation_svg,
    when_text,
)
from kg.pictures.timeline import NARROW, Timeline, timeline_svg

PLAYGROUND = "/graphql"
SVG_TYPE = "image/svg+xml; charset=utf-8"


def routes() -> list[BaseRoute]:
    return [
        Route("/orgchart", orgchart_index, methods=["GET"]),
        Route("/orgchart/{ident:path}", orgchart_page, methods=["GET"]),
        Route("/timeline", timeline_page, methods=["GET"]),
    ]


def _state(request: Request) -> AppState:
    return state_of(request)


def _wants_svg(request: Request) -> bool:
    fmt = request.query_params.get("format", "html")
    if fmt not in ("html", "svg"):
        raise InputError(f"unknown format {fmt!r}; use html or svg")
    return fmt == "svg"


def _engine(request: Request) -> str:
    return request.query_params.get("layout", "auto")


# ---------------------------------------------------------------- org chart


def orgchart_index(request: Request) -> Response:
    """Every organisation that has units in the graph, each linking to its chart."""
    state = _state(request)
    items = "".join(
        f'<li><a href="{esc(chart_href(short_id(iri)))}">{esc(name)}</a> ({count} units)</li>'
        for iri, name, count in fetch_organisations_with_units(state.store, state.settings)
    )
    body = (
        "<h1>Organisation charts</h1>"
        "<p>Organisations with units in the graph. Each chart is drawn from the graph.</p>"
        f"<ul>{items or '<li>No organisation has units in the graph.</li>'}</ul>"
    )
    return HTMLResponse(page("Organisation charts", body, current="/orgchart"))


def orgchart_page(request: Request) -> Response:
    state = _state(request)
    chart = orgchart_of(state.store, state.settings, request.path_params["ident"])
    engine = _engine(request)
    if _wants_svg(request):
        return Response(orgchart_document(chart, engine=engine), media_type=SVG_TYPE)
    reorgs = "".join(
        '<figure class="picture">'
        + reorganisation_svg(r, ident=f"reorg{i}", engine=engine, popups=False)
        + f"<figcaption>{esc(r.description or r.label)}</figcaption></figure>"
        for i, r in enumerate(chart.reorganisations)
    )
    body = (
        f"<h1>Organisation chart: {esc(chart.label)}</h1>"
        f"<p>{esc(chart.label)} and its units as the graph nests them, and the reporting lines "
        "between posts. Hover over a box, or move to it with the Tab key, to see its "
        "responsibilities. What only kg's own notes state is marked (kg editorial note).</p>"
        '<div class="split"><figure class="picture">'
        f"{orgchart_svg(chart, engine=engine, popups=False)}</figure>"
        '<aside id="details" class="panel" aria-live="polite" aria-labelledby="details-title">'
        '<h2 id="details-title">Details</h2>'
        "<p>Hover over or focus a box to see its lead and responsibilities here.</p></aside>"
        "</div>"
        + (f"<h2>Reorganisations</h2>{reorgs}" if reorgs else "")
        + "<h2>Text version</h2>"
        + _chart_text(chart)
        + f'<p><a href="?format=svg" download="orgchart-{esc(short_id(chart.iri))}.svg">'
        "Download the chart as SVG</a></p>"
    )
    return HTMLResponse(
        page(
            f"Organisation chart: {chart.label}",
            body,
            current="/orgchart",
            scripts=("pictures.js",),
        )
    )


def _chart_text(chart: OrgChart) -> str:
    def posts(items: list[Post]) -> str:
        return "".join(f"<li>{esc(post_text(p))}</li>" for p in items)

    def unit_item(unit: Unit) -> str:
        children = "".join(unit_item(c) for c in chart.children(unit))
        leads = posts(unit.posts) or "<li>Lead: not reported</li>"
        resp = "".join(f"<li>{esc(r)}</li>" for r in unit.responsibilities)
        return (
            f"<li><strong>{_node_link(unit.iri, unit.label)}</strong><ul>{leads}</ul>"
            + (f"<p>Responsibilities:</p><ul>{resp}</ul>" if resp else "")
            + (f"<ul>{children}</ul>" if children else "")
            + "</li>"
        )

    top = "".join(unit_item(u) for u in chart.top_units())
    reorgs = "".join(
        f"<li>{esc(r.label)} ({esc(when_text(r))}). Before: "
        f"{esc(', '.join(u.label for u in r.original))}. After: "
        f"{esc(', '.join(u.label for u in r.resulting))}.</li>"
        for r in chart.reorganisations
    )
    return (
        f'<div class="text-version"><p><strong>{_node_link(chart.iri, chart.label)}</strong></p>'
        f"<ul>{posts(chart.posts)}</ul>"
        f"<ul>{top or '<li>No units in the graph.</li>'}</ul>"
        + "".join(f"<p>{esc(group_text(g))}</p>" for g in chart.groups)
        + (f"<p>Reorganisations:</p><ul>{reorgs}</ul>" if reorgs else "")
        + "</div>"
    )


def _node_link(iri: str, label: str) -> str:
    """``label`` linked to the node's own page (kg.http.nodepage)."""
    target = href(iri)
    return f'<a href="{esc(target)}">{esc(label)}</a>' if target else esc(label)


# ---------------------------------------------------------------- timeline


def timeline_page(request: Request) -> Response:
    state = _state(request)
    timeline = timeline_of(
        state.store,
        state.settings,
        organisation=request.query_params.get("organisation") or None,
        kind=request.query_params.get("kind"),
    )
    svg = timeline_svg(timeline)
    if _wants_svg(request):
        return Response(svg, media_type=SVG_TYPE)
    body = (
        "<h1>Strategy timeline</h1>"
        "<p>Strategy events in date order, dated only as precisely as the sources date them; "
        "events no source dates come last.</p>"
        + _filters(timeline)
        + '<figure class="picture timeline"><div class="wide">'
        + svg
        + '</div><div class="narrow">'
        + timeline_svg(timeline, ident="timeline-narrow", width=NARROW)
        + "</div></figure>"
        + "<h2>Text version</h2>"
        + _timeline_text(timeline)
        + '<p><a href="?format=svg'
        + (
            f"&amp;organisation={esc(query_value(short_id(timeline.organisation)))}"
            if timeline.organisation
            else ""
        )
        + (f"&amp;kind={esc(timeline.kind.rsplit('#', 1)[-1])}" if timeline.kind else "")
        + '" download="timeline.svg">Download the timeline as SVG</a></p>'
    )
    return HTMLResponse(page("Strategy timeline", body, current="/timeline"))


def _filters(timeline: Timeline) -> str:
    def options(items: list[tuple[str, str]], chosen: str | None, key: str) -> str:
        out = '<option value="">All</option>'
        for iri, label in items:
            value = short_id(iri) if key == "organisation" else iri.rsplit("#", 1)[-1]
            selected = " selected" if iri == chosen else ""
            out += f'<option value="{esc(value)}"{selected}>{esc(label)}</option>'
        return out

    return (
        '<form class="filters" method="get" action="/timeline" aria-label="Filter the timeline">'
        '<label>Organisation <select name="organisation">'
        f"{options(timeline.organisations, timeline.organisation, 'organisation')}</select></label>"
        '<label>Event kind <select name="kind">'
        f"{options(timeline.kinds, timeline.kind, 'kind')}</select></label>"
        '<button type="submit">Show</button> <a href="/timeline">Show all</a></form>'
    )


def _timeline_text(timeline: Timeline) -> str:
    items = []
    for event in timeline.events:
        orgs = ", ".join(
            f'<a href="{esc(chart_href(short_id(iri)))}">{esc(label)}</a>'
            for iri, label in event.organisations
        )
        shift = ""
        if event.from_strategy or event.to_strategy:
            shift = (
                f"<br>From: {esc(event.from_strategy or 'not reported')} → "
                f"To: {esc(event.to_strategy or 'not reported')}"
            )
        sources = ", ".join(
            f'<a href="{esc(s.url)}">{esc(s.label)}</a>' if s.url else esc(s.label)
            for s in event.sources
        )
        items.append(
            f"<li><strong>{esc(event.when)}</strong>: {_node_link(event.iri, event.label)}"
            + (f" ({esc(event.kind_label)})" if event.kind_label else "")
            + (f"<br>Organisations: {orgs}" if orgs else "")
            + shift
            + (f"<br>{esc(event.description)}" if event.description else "")
            + (f"<br>Sources: {sources}" if sources else "")
            + "</li>"
        )
    return f'<ol class="text-version">{"".join(items) or "<li>No events match.</li>"}</ol>'
