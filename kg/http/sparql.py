"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, and its service description.

* Queries: GET ``?query=``, POST form-encoded ``query=``, POST ``application/sparql-query``;
  ``default-graph-uri`` and ``named-graph-uri`` choose the dataset. SELECT and ASK answer in
  SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle, N-Triples, RDF/XML or
  JSON-LD, by ``Accept`` (or ``?format=``).
* Updates: POST form-encoded ``update=`` or ``application/sparql-update``, only with the write
  token (``kg.writes.auth``); ``using-graph-uri``/``using-named-graph-uri`` choose the dataset
  of their ``WHERE`` (``kg.http.sparql_dataset``).
* Relative IRIs are read against the endpoint's URL; bodies in another charset than UTF-8 are
  refused (400).
* Refused before the store sees them (``kg.http.guard``, which fails closed): federated
  ``SERVICE``, ``LOAD``, texts the guard cannot parse within ``parse_timeout`` or over
  ``max_query_length``, updates naming the reserved graphs; bad ``default-graph-uri`` and
  ``named-graph-uri`` IRIs (400).
* Limits: the query timeout and the row cap (``query_timeout``, ``max_results``), enforced by
  the store; the request body size by the app (``max_body``); requests at work and waiting
  (``query_workers``, ``max_queued``: 503 with ``Retry-After`` beyond). A query on the
  embedded store stops when the client disconnects.
* GET with no query: a description of the service (SPARQL 1.1 Service Description) in Turtle,
  N-Triples, RDF/XML or JSON-LD.
* Every answer to a query, and the description, carries ``Link: <store>; rel="<the Graph Store
  Protocol>"`` (``kg.store.engines.GRAPH_STORE_REL``): where the dataset is read graph by graph
  or whole, so that a client (kg's own remote store, ``kg export``) need not guess.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from kg.errors import InputError, QueryError
from kg.http import guard
from kg.http.negotiate import choose
from kg.http.sparql_dataset import with_base, with_using
from kg.http.state import AppState, require_writer, state_of
from kg.metrics import record_write
from kg.model.namespaces import check_iri
from kg.store import workers
from kg.store.engines import GRAPH_STORE_REL
from kg.store.results import GRAPH_FORMATS, SOLUTION_FORMATS, format_name
from kg.writes import search

#: Headers of every answer to a query: the Vary, and where the Graph Store is (relative to
#: ``/sparql``, so it holds behind a proxy that adds a path prefix).
ANSWER_HEADERS = {"Vary": "Accept", "Link": f'<store>; rel="{GRAPH_STORE_REL}"'}

#: Media types offered for SELECT and ASK results, the default first.
RESULT_TYPES = [
    *(f.media_type.split(";")[0] for f in SOLUTION_FORMATS.values()),
    "application/json",
    "application/xml",
    "text/xml",
]
#: Media types offered for CONSTRUCT and DESCRIBE results and the service description.
GRAPH_TYPES = [*(f.media_type for f in GRAPH_FORMATS.values()), "text/plain"]

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"


class Params:
    """The protocol parameters of a request, from its URL and (for a form POST) its body."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def get(self, name: str) -> str | None:
        values = self.all(name)
        if len(values) > 1:
            raise InputError(f"the '{name}' parameter was given {len(values)} times")
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [v for k, v in self.pairs if k == name]


async def read_params(request: Request) -> tuple[Params, str | None, str | None]:
    """``(params, query, update)`` of a SPARQL protocol request."""
    pairs = list(request.query_params.multi_items())
    if request.method == "GET":
        params = Params(pairs)
        if params.all("update"):
            raise InputError("a SPARQL update must be sent with POST")
        return params, params.get("query"), None
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";")[0].strip().lower()
    charset = _charset(content_type)
    if charset not in (None, "utf-8", "utf8"):
        raise InputError(f"the request body must be UTF-8, not {charset}")
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"the request body is not UTF-8: {exc}") from exc
    if media == _FORM:
        params = Params(pairs + parse_qsl(text, keep_blank_values=True))
        return params, params.get("query"), params.get("update")
    params = Params(pairs)
    if media == _QUERY:
        return params, text, None
    if media == _UPDATE:
        return params, None, text
    raise InputError(
        f"unsupported request content type {media or '(none)'!r}: send {_FORM}, "
        f"{_QUERY} or {_UPDATE}"
    )


def _charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, in lower case."""
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def endpoint_of(request: Request) -> str:
    """The endpoint's own URL: the base IRI of the queries and updates sent to it."""
    return str(request.url.replace(query="", fragment=""))


def result_format(form: guard.Form, accept: str | None, formats: list[str]) -> str:
    """The media type to answer a query of ``form`` in.

    ``formats`` are the values of the ``format`` (or ``output``) parameter, a convenience for
    browsers; clients such as SPARQLWrapper send several, so the first that names a format
    for this query form wins, and values that do not fit are left to ``Accept``."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    table: dict[str, ox.RdfFormat] | dict[str, ox.QueryResultsFormat]
    table = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    for fmt in formats:
        try:
            name = format_name(fmt)
        except QueryError:
            continue
        if name in table:
            return table[name].media_type
    offers = GRAPH_TYPES if graph else RESULT_TYPES
    chosen = choose(accept, offers)
    if chosen is None and graph and accept and "xml" in accept.lower():
        # A client that asks only for XML (some send the SPARQL XML results type whatever the
        # query form) gets the graph in the XML syntax of RDF rather than Turtle.
        chosen = ox.RdfFormat.RDF_XML.media_type
    return chosen or offers[0]


async def sparql(request: Request) -> Response:
    state = state_of(request)
    params, query, update = await read_params(request)
    if query is not None and update is not None:
        raise InputError("send either a query or an update, not both")
    if update is not None:
        return await _update(request, params, update)
    if query is None:
        return await service_description(request)
    defaults = [check_iri(g, "default-graph-uri") for g in params.all("default-graph-uri")]
    named = [check_iri(g, "named-graph-uri") for g in params.all("named-graph-uri")]
    query = with_base(query, endpoint_of(request))
    with state.sparql_admission.slot("SPARQL"):
        return await _query(request, state, params, query, defaults, named)


async def _query(
    request: Request,
    state: AppState,
    params: Params,
    query: str,
    defaults: list[str],
    named: list[str],
) -> Response:
    checked = await watched(request, lambda: guard.inspect_query(query, limits_of(state)))
    assert checked.form is not None
    media = result_format(
        checked.form,
        request.headers.get("accept"),
        params.all("format") + params.all("output"),
    )
    settings = state.settings

    def run() -> tuple[str, bytes]:
        raw = state.store.query_raw(
            checked.text,
            result_format=media,
            default_graph_uris=defaults or None,
            named_graph_uris=named or None,
            timeout=settings.query_timeout,
            max_results=settings.max_results,
        )
        # Results are capped at max_results rows, so they are read whole: an error found
        # while producing them still gets its own status instead of a cut-off 200.
        return raw.media_type, b"".join(raw.chunks)

    media_type, body = await watched(request, run)
    return Response(body, media_type=media_type, headers=ANSWER_HEADERS)


def limits_of(state: AppState) -> guard.Limits:
    """The guard's bounds from the settings."""
    return guard.Limits.of(state.settings)


T = TypeVar("T")


async def watched(request: Request, work: Callable[[], T]) -> T:
    """``work()`` in a worker thread; the query processes it starts are stopped when the
    client disconnects before the answer is ready."""
    cancelled = threading.Event()

    def run() -> T:
        with workers.cancelled_by(cancelled):
            return work()

    task = asyncio.ensure_future(run_in_threadpool(run))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=0.1)
            if done:
                return task.result()
            if await request.is_disconnected():
                cancelled.set()
    finally:
        if not task.done():
            cancelled.set()


async def _update(request: Request, params: Params, update: str) -> Response:
    state = state_of(request)
    require_writer(request)
    update = with_using(
        with_base(update, endpoint_of(request)),
        params.all("using-graph-uri"),
        params.all("using-named-graph-uri"),
    )
    with state.sparql_admission.slot("SPARQL"):
        checked = await watched(request, lambda: guard.inspect_update(update, limits_of(state)))
        try:
            await run_in_threadpool(state.store.update, checked.text)
        finally:
            # Whatever it changed is searchable on the next request (kg.writes.search).
            search.invalidate(state.store)
    record_write("sparqlUpdate", "committed")  # unvalidated: counted apart from mutations
    return Response(status_code=204)


# --- service description -------------------------------------------------------------------

_SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_DCT_DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
_FORMAT_IRIS = [
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "RDF_XML",
    "JSON-LD",
]


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(_SD + name)


def description_triples(
    endpoint: str, graphs: list[str], timeout: float, cap: int
) -> list[ox.Triple]:
    """The service description of the endpoint at ``endpoint`` over named ``graphs``."""
    service = ox.NamedNode(endpoint)
    dataset, default = ox.BlankNode(), ox.BlankNode()
    out = [
        ox.Triple(service, _RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), service),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Update")),
        # Without a dataset in the request, the default graph is the union of the named graphs.
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        *(
            ox.Triple(service, _sd("resultFormat"), ox.NamedNode(_FORMATS + f))
            for f in _FORMAT_IRIS
        ),
        ox.Triple(
            service,
            _DCT_DESCRIPTION,
            ox.Literal(
                f"kg SPARQL endpoint. Read-only without the write token; SERVICE and LOAD are "
                f"refused; queries stop after {timeout:g} s and return at most {cap} rows.",
                language="en",
            ),
        ),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, _sd("Graph")),
    ]
    for iri in graphs:
        node = ox.BlankNode()
        out += [
            ox.Triple(dataset, _sd("namedGraph"), node),
            ox.Triple(node, _RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(node, _sd("name"), ox.NamedNode(iri)),
        ]
    return out


async def service_description(request: Request) -> Response:
    state = state_of(request)
    fmt = request.query_params.get("format")
    if fmt:
        name = format_name(fmt)
        if name not in GRAPH_FORMATS:
            raise QueryError(
                f"the service description is RDF; use one of {', '.join(GRAPH_FORMATS)}"
            )
        rdf = GRAPH_FORMATS[name]
    else:
        media = choose(request.headers.get("accept"), GRAPH_TYPES) or GRAPH_TYPES[0]
        rdf = GRAPH_FORMATS[format_name(media)]
    graphs = await run_in_threadpool(state.store.named_graphs)
    endpoint = str(request.url.replace(query=""))
    triples = description_triples(
        endpoint, graphs, state.settings.query_timeout, state.settings.max_results
    )
    body = (
        ox.serialize(
            triples,
            None,
            rdf,
            prefixes={"sd": _SD, "formats": _FORMATS, "dct": "http://purl.org/dc/terms/"},
        )
        or b""
    )
    return Response(body, media_type=rdf.media_type, headers=ANSWER_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route("/sparql", sparql, methods=["GET", "POST"])]
