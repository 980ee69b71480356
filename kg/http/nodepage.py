"""Linked Data: every IRI kg mints dereferences to its description.

* ``GET /id/{path}``: the node ``https://w3id.org/aikg/id/{path}``: an HTML page for browsers,
  Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept`` (or by suffix: ``.ttl``, ``.jsonld``,
  ``.nt``, ``.rdf``, ``.html``). A node the graph does not mention answers 404.
* ``GET /def``: the ontology (``https://w3id.org/aikg/def#...``): every term on one page, each
  under its own anchor (``/def#Citation``), or the ontology graph as RDF.
* ``GET /def/{term}``: one term described like a node (its statements and what refers to it).
* ``GET /graph/{name}``: a named graph's IRI, redirected (303) to its export.

The description is read by :func:`kg.http.describe.describe` (a fixed number of bounded queries);
the HTML is drawn by :mod:`kg.http.nodehtml`.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from kg.errors import NotFound
from kg.graphql.mapping import check_iri
from kg.http import nodehtml
from kg.http.describe import Description, describe
from kg.http.layout import href
from kg.http.negotiate import choose
from kg.http.state import state_of
from kg.model.namespaces import GRAPH, ID, KG, ONTOLOGY_GRAPH, PREFIXES

HTML = "text/html"
#: What a node answers in, by media type and by suffix; HTML first (browsers send */*).
FORMATS: dict[str, ox.RdfFormat | None] = {
    HTML: None,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
SUFFIXES = {
    ".html": HTML,
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}
#: Other media types clients ask for, answered as the one named.
_SAME = {
    "application/xhtml+xml": HTML,
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
}
_OFFERS = [*FORMATS, *_SAME]


def routes() -> list[BaseRoute]:
    return [
        Route("/id/{path:path}", node_page, methods=["GET"]),
        Route("/def", ontology_page, methods=["GET"]),
        Route("/def.{suffix}", ontology_page, methods=["GET"]),
        Route("/def/{term:path}", term_page, methods=["GET"]),
        Route("/graph/{name:path}", graph_page, methods=["GET"]),
    ]


def negotiated(request: Request, suffix: str | None) -> str:
    """The media type to answer in: the suffix's, else the one ``Accept`` prefers (HTML when
    it prefers none of ours)."""
    if suffix is not None:
        return SUFFIXES[suffix]
    chosen = choose(request.headers.get("accept"), _OFFERS) or HTML
    return _SAME.get(chosen, chosen)


def split_suffix(path: str) -> tuple[str, str | None]:
    for suffix in SUFFIXES:
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], suffix
    return path, None


def _headers(page: str, media: str, suffix: str | None) -> dict[str, str]:
    """Vary, the alternates as ``Link`` headers, and where the chosen form lives."""
    links = ", ".join(
        f'<{page}{s}>; rel="alternate"; type="{m}"' for s, m in SUFFIXES.items() if m != media
    )
    headers = {"Vary": "Accept", "Link": links}
    if suffix is None:
        headers["Content-Location"] = page + next(s for s, m in SUFFIXES.items() if m == media)
    return headers


def serialize(triples: list[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    if fmt not in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        data = ox.serialize(triples, format=fmt)
    else:  # kg's nodes relative to the base IRI, other IRIs with their usual prefixes
        prefixes = {p: iri for p, iri in PREFIXES.items() if p != "id"}
        data = ox.serialize(triples, format=fmt, prefixes=prefixes, base_iri=str(ID))
    assert data is not None
    return data


async def _described(
    request: Request, iri: str, page: str, suffix: str | None, render: Callable[[Description], str]
) -> Response:
    state = state_of(request)
    description = await run_in_threadpool(describe, state.store, state.settings, iri)
    if not description.found:
        raise NotFound(f"the graph says nothing about <{iri}>", iri=iri)
    media = negotiated(request, suffix)
    headers = _headers(page, media, suffix)
    fmt = FORMATS[media]
    if fmt is None:
        return HTMLResponse(render(description), headers=headers)
    body = await run_in_threadpool(serialize, description.triples(), fmt)
    return Response(body, media_type=fmt.media_type, headers=headers)


async def _exists(request: Request, iri: str) -> bool:
    store = state_of(request).store
    return await run_in_threadpool(
        store.ask, f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"
    )


async def node_page(request: Request) -> Response:
    path = request.path_params["path"]
    base, suffix = split_suffix(path)
    # A node whose own name ends like a suffix (rare) wins over the suffix.
    if suffix is not None and await _exists(request, check_iri(f"{ID}{path}")):
        base, suffix = path, None
    iri = check_iri(f"{ID}{base}")
    return await _described(request, iri, href(iri) or "", suffix, nodehtml.node_html)


async def term_page(request: Request) -> Response:
    term, suffix = split_suffix(request.path_params["term"])
    iri = check_iri(f"{KG}{term}")
    return await _described(request, iri, href(iri) or "", suffix, nodehtml.node_html)


async def ontology_page(request: Request) -> Response:
    suffix = request.path_params.get("suffix")
    if suffix is not None and f".{suffix}" not in SUFFIXES:
        raise NotFound(
            f"no form of the ontology ends in .{suffix}; use one of {', '.join(SUFFIXES)}"
        )
    media = negotiated(request, f".{suffix}" if suffix else None)
    headers = _headers("/def", media, f".{suffix}" if suffix else None)
    state = state_of(request)
    fmt = FORMATS[media]
    if fmt is None:
        terms = await run_in_threadpool(nodehtml.ontology_terms, state.store, state.settings)
        return HTMLResponse(nodehtml.ontology_html(terms), headers=headers)
    chunks = await run_in_threadpool(lambda: list(state.store.dump(fmt, graph=str(ONTOLOGY_GRAPH))))
    return StreamingResponse(iter(chunks), media_type=fmt.media_type, headers=headers)


async def graph_page(request: Request) -> Response:
    """``https://w3id.org/aikg/graph/{name}``: the graph itself, from ``/export``."""
    iri = check_iri(f"{GRAPH}{request.path_params['name']}")
    return RedirectResponse(f"/export?graph={quote(iri, safe='')}", status_code=303)
