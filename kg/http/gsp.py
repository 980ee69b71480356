"""``/export`` and the SPARQL 1.1 Graph Store Protocol at ``/store``.

* ``GET /export``: the whole dataset (TriG by default; N-Quads, JSON-LD; a single-graph format
  such as Turtle gives the union of the graphs, without their names);
* ``GET /export?default``: the default graph; ``GET /export?graph=IRI``: one named graph
  (Turtle by default; N-Triples, RDF/XML, JSON-LD, or the quad formats).

The format comes from ``?format=`` (a short name or a media type) or ``Accept``. The body is
streamed from the store's ``dump``, so memory stays bounded however large the store is, and
gzip-compressed on the fly when the client sends ``Accept-Encoding: gzip``.

At most ``max_exports`` downloads stream at once (503 ``busy`` with ``Retry-After`` past that);
when one ends, finished or abandoned by its client, its dump is closed at once, so the thread
writing it and the store's iterator end with it (``DumpResponse``).

Writes, with the write token, go through the writer as a mutation does (``kg.writes.load``:
validated against the shapes on the nodes they touch, recorded in the history):

* ``PUT /store?graph=IRI``: the body (any RDF format, by ``Content-Type``) replaces the graph;
* ``POST /store?graph=IRI``: the body is added to the graph;
* without ``graph``, a quad format (TriG, N-Quads, JSON-LD) keeps its named graphs: PUT
  replaces each graph it names (as ``kg load`` does), POST adds to them.

The answer is a JSON summary: the statements and graphs written and the history record
(``change``). The body is capped by ``max_body``; a reader replica forwards these to the writer.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from kg.errors import InputError, NotFound
from kg.http.negotiate import choose
from kg.http.state import require_writer, state_of
from kg.model import paths, rdf
from kg.model.namespaces import check_iri
from kg.store.export import close
from kg.writes.load import load_data

_DATASET_OFFERS = [
    "application/trig",
    "application/n-quads",
    "application/ld+json",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "text/plain",
]
_GRAPH_OFFERS = [
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
    "text/plain",
]


def export_format(fmt: str | None, accept: str | None, *, whole: bool) -> ox.RdfFormat:
    """The format to export in: from ``?format=``, else from ``Accept``.

    The whole dataset defaults to TriG; a single-graph format (Turtle, N-Triples, RDF/XML)
    asked for explicitly gets the union of all graphs, without graph names."""
    if fmt:
        return rdf.format_named(fmt, what="export format")
    offers = _DATASET_OFFERS if whole else _GRAPH_OFFERS
    return rdf.format_named(choose(accept, offers) or offers[0])


def gzip_stream(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` compressed as one gzip member, chunk by chunk."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = compressor.compress(chunk)
        if out:
            yield out
    yield compressor.flush()


def _wants_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class DumpResponse(StreamingResponse):
    """A streamed export; ``done()`` runs when the response ends, however it ends (sent whole,
    the client gone, an error), with no thread then reading the stream."""

    def __init__(
        self,
        content: Iterator[bytes],
        done: Callable[[], None],
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.done = done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.done()


async def export(request: Request) -> Response:
    state = state_of(request)
    params = request.query_params
    graph_iri = params.get("graph")
    default = "default" in params
    if graph_iri is not None and default:
        raise InputError("ask for ?default or ?graph=IRI, not both")
    if graph_iri is not None:
        check_iri(graph_iri, "graph")
    graph = "default" if default else graph_iri
    rdf = export_format(params.get("format"), request.headers.get("accept"), whole=graph is None)
    store = state.store

    def first() -> tuple[Iterator[bytes], bytes]:
        if graph_iri is not None and graph_iri not in store.named_graphs():
            raise NotFound(f"there is no graph <{graph_iri}> in the store", graph=graph_iri)
        chunks = iter(store.dump(rdf, graph=graph))
        try:
            # The first chunk is produced before answering, so a failure gets its own status.
            return chunks, next(chunks, b"")
        except BaseException:
            close(chunks)
            raise

    admission = state.export_admission
    admission.enter("export")
    try:
        chunks, head = await run_in_threadpool(first)
    except BaseException:
        admission.leave()
        raise

    def body() -> Iterator[bytes]:
        yield head
        yield from chunks

    name = "dataset" if graph is None else "default-graph" if default else "graph"
    headers = {
        "Vary": "Accept, Accept-Encoding",
        "Content-Disposition": f'inline; filename="{name}.{rdf.file_extension}"',
    }
    stream: Iterator[bytes] = body()
    if _wants_gzip(request):
        stream = gzip_stream(stream)
        headers["Content-Encoding"] = "gzip"

    def done() -> None:
        close(stream)
        close(chunks)
        admission.leave()

    return DumpResponse(stream, done, rdf.media_type, headers)


async def load(request: Request) -> Response:
    """``PUT``/``POST /store[?graph=IRI]``: a validated write of the body (see the module docs)."""
    state = state_of(request)
    require_writer(request)
    params = request.query_params
    if "default" in params:
        raise InputError("kg keeps every statement in a named graph: use ?graph=IRI")
    graph = params.get("graph")
    if graph is not None:
        check_iri(graph, "graph")
    media = request.headers.get("content-type", "")
    if not media:
        raise InputError("send the body's RDF media type as Content-Type (e.g. text/turtle)")
    fmt = rdf.format_named(media, what="Content-Type")
    body = await request.body()
    result = await run_in_threadpool(
        load_data, state.store, body, fmt, graph=graph, replace=request.method == "PUT"
    )
    return JSONResponse(
        {
            "triples": result.triples,
            "graphs": result.graphs,
            "change": result.change,
            "seconds": round(result.seconds, 3),
        }
    )


async def ontology(request: Request) -> Response:
    """The OWL ontology, as shipped (Turtle)."""
    return FileResponse(
        paths.ONTOLOGY,
        media_type="text/turtle",
        filename="kg.ttl",
        content_disposition_type="inline",
    )


async def shapes(request: Request) -> Response:
    """The SHACL shapes every write is validated against, as shipped (Turtle)."""
    return FileResponse(
        paths.SHAPES,
        media_type="text/turtle",
        filename="shapes.ttl",
        content_disposition_type="inline",
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/export", export, methods=["GET"]),
        Route("/store", export, methods=["GET"]),
        Route("/store", load, methods=["PUT", "POST"]),
        Route("/ontology", ontology, methods=["GET"]),
        Route("/shapes", shapes, methods=["GET"]),
    ]
