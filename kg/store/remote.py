"""The remote store: any SPARQL 1.1 server over HTTP (httpx).

* Queries: SPARQL 1.1 Protocol, ``POST`` of an URL-encoded form to the query endpoint.
* Updates: SPARQL 1.1 Protocol, one request per write; SPARQL 1.1 servers apply one request
  atomically (Oxigraph does).
* Loads and dumps: SPARQL 1.1 Graph Store Protocol (``PUT``/``POST``/``GET ?graph=``); a load
  touching several graphs is one SPARQL Update (``DROP`` + ``INSERT DATA``) so it stays atomic.

Default graph: kg's queries read the union of all named graphs. The standard way to ask any
SPARQL 1.1 server for that is the protocol's ``default-graph-uri`` parameter, repeated once for
each named graph (their merge is the default graph), with ``named-graph-uri`` for each as well
so that ``GRAPH`` patterns still see every graph; the store lists the graphs
(``SELECT ?g { GRAPH ?g {} }``) before each query that does not name its own dataset. The
server's own default graph (unnamed triples) is therefore not part of that union; kg writes
every triple into a named graph. That costs a request and a dataset as long as the list of
graphs, so when the server says it is Oxigraph (its ``Server`` header) the store sends
Oxigraph's own ``union-default-graph`` parameter instead (same answers, one request, any
number of graphs). ``union="standard"`` forces the standard way, ``union="oxigraph"`` the other.

Time limit: the HTTP request is abandoned at the deadline (``QueryTimeout``). That alone does not
stop the server's work, so run the server with its own limit as well (``oxigraph serve
--timeout-s N``, as the tests do); a server that answers its own timeout is reported as
``QueryTimeout`` too.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

import httpx
import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeout, ResultTooLarge, StoreUnavailable
from kg.store.embedded import stream_writer
from kg.store.protocol import ResultQueries, has_own_dataset, replace_update, rows_of
from kg.store.results import Result

#: What a query asks for: one format per query form, each lossless and counted by lines.
_ACCEPT = (
    "text/tab-separated-values, application/n-triples;q=0.9, application/sparql-results+json;q=0.8"
)
#: What Oxigraph server appends to a result it stops at its --timeout-s limit.
_CANCELLED = b"operation has been cancelled"
_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"


def _unavailable(url: str, exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(f"the SPARQL server at {url} does not answer: {exc}", url=url)


def _derive(url: str, tail: str) -> str:
    return url[: -len("/query")] + tail if url.endswith("/query") else url


class RemoteStore(ResultQueries):
    """A SPARQL 1.1 server: ``url`` is its query endpoint."""

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout: float | None = None,
        union: str = "auto",
    ) -> None:
        if union not in ("auto", "standard", "oxigraph"):
            raise ValueError(f"union must be auto, standard or oxigraph, not {union!r}")
        self.union = union
        self.url = url
        self.update_url = update_url or _derive(url, "/update")
        self.gsp_url = gsp_url or _derive(url, "/store")
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0))

    # -- HTTP ------------------------------------------------------------------------------

    def _fail(self, response: httpx.Response, what: str) -> None:
        if response.is_success:
            return
        response.read()
        text = response.text.strip()[:2000]
        if response.status_code in (400, 422):
            raise QueryError(f"{what} rejected by the SPARQL server: {text}")
        if "timeout" in text.lower() or response.status_code in (408, 504):
            raise QueryTimeout(f"the SPARQL server stopped the query at its time limit: {text}")
        raise StoreUnavailable(
            f"{what} failed: the SPARQL server answered {response.status_code}: {text}",
            status=response.status_code,
        )

    def _dataset(self, query: str) -> list[tuple[str, str]]:
        if has_own_dataset(query):
            return []
        if self.union == "auto":
            server = self._server_name()
            self.union = "oxigraph" if server.startswith("Oxigraph/") else "standard"
        if self.union == "oxigraph":
            return [("union-default-graph", "")]
        graphs = self.named_graphs()
        if not graphs:  # an empty union: a graph no one uses keeps the default graph empty
            return [("default-graph-uri", "urn:kg:empty")]
        # Named too: a protocol dataset with no named-graph-uri has no named graphs.
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    def _server_name(self) -> str:
        try:
            response = self._client.post(
                self.url, data={"query": "ASK {}"}, headers={"Accept": _ACCEPT}
            )
        except httpx.TransportError as exc:
            raise _unavailable(self.url, exc) from exc
        return str(response.headers.get("server", ""))

    def evaluate(
        self,
        query: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
        union: bool = True,
    ) -> Result:
        """Send a read query; the answer as a Result, capped at ``max_results``."""
        form: list[tuple[str, str]] = [("query", query)]
        if default_graph_uris is not None or named_graph_uris is not None:
            form += [("default-graph-uri", g) for g in default_graph_uris or []]
            form += [("named-graph-uri", g) for g in named_graph_uris or []]
        elif union:
            form += self._dataset(query)
        limit = httpx.Timeout(timeout, connect=10.0) if timeout is not None else None
        try:
            with self._client.stream(
                "POST",
                self.url,
                data=dict_list(form),
                headers={"Accept": _ACCEPT},
                timeout=limit or httpx.USE_CLIENT_DEFAULT,
            ) as response:
                self._fail(response, "the query")
                media_type = response.headers.get("content-type", "text/tab-separated-values")
                body = _read_capped(response.iter_bytes(), max_results)
        except httpx.TimeoutException as exc:
            raise QueryTimeout(
                f"the query ran past the time limit of {timeout:g} s and was stopped",
                timeout=timeout,
            ) from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(
                f"the SPARQL server at {self.url} does not answer: {exc}"
            ) from exc
        if body.rstrip().endswith(_CANCELLED):
            raise QueryTimeout("the SPARQL server stopped the query at its time limit")
        try:
            return Result.from_wire(body, media_type, max_results)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailable(f"the SPARQL server sent an unreadable result: {exc}") from exc

    # -- writes ----------------------------------------------------------------------------

    def update(self, update: str) -> None:
        self._send("POST", self.update_url, "the update", data={"update": update})

    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> None:
        try:
            response = self._client.request(method, url, timeout=None, **kwargs)
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"the SPARQL server at {url} does not answer: {exc}") from exc
        self._fail(response, what)

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        items = list(quads)
        replace = list(replace_graphs)
        graphs = {q.graph_name for q in items}
        if len(graphs) == 1:
            (name,) = graphs
            if isinstance(name, ox.NamedNode) and set(replace) <= {name.value}:
                # Graph Store Protocol: PUT replaces the graph, POST adds to it; one request.
                body = ox.serialize((q.triple for q in items), None, ox.RdfFormat.N_TRIPLES)
                self._send(
                    "PUT" if replace else "POST",
                    self.gsp_url,
                    "the load",
                    params={"graph": name.value},
                    content=body or b"",
                    headers={"Content-Type": ox.RdfFormat.N_TRIPLES.media_type},
                )
                return len(items)
        if not items and not replace:
            return 0
        self.update(replace_update(items, replace))
        return len(items)

    # -- reading the whole store -------------------------------------------------------------

    def _get(self, params: dict[str, str] | None, fmt: ox.RdfFormat) -> Iterator[bytes]:
        try:
            with self._client.stream(
                "GET",
                self.gsp_url,
                params=params,
                headers={"Accept": fmt.media_type},
                timeout=httpx.Timeout(None, connect=10.0),
            ) as response:
                self._fail(response, "the export")
                yield from response.iter_bytes()
        except httpx.TransportError as exc:
            raise StoreUnavailable(
                f"the SPARQL server at {self.gsp_url} does not answer: {exc}"
            ) from exc

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        if graph == "default":
            return self._get({"default": ""}, fmt)
        if graph is not None:
            if not fmt.supports_datasets:
                return self._get({"graph": graph}, fmt)
            return self._requad(graph, fmt)
        if fmt.supports_datasets:
            return self._get(None, fmt)
        return self._union(fmt)

    def _requad(self, graph: str, fmt: ox.RdfFormat) -> Iterator[bytes]:
        """One graph in a dataset format, keeping its name (streamed through a parser)."""
        name = ox.NamedNode(graph)

        def write(sink: Any) -> None:
            source = _reader(self._get({"graph": graph}, ox.RdfFormat.N_TRIPLES))
            quads = ox.parse(source, ox.RdfFormat.N_TRIPLES)
            ox.serialize(
                (ox.Quad(q.subject, q.predicate, q.object, name) for q in quads), sink, fmt
            )

        return stream_writer(write)

    def _union(self, fmt: ox.RdfFormat) -> Iterator[bytes]:
        """Every triple of every graph, in a format without graphs (streamed)."""

        def write(sink: Any) -> None:
            source = _reader(self._get(None, ox.RdfFormat.N_QUADS))
            ox.serialize((q.triple for q in ox.parse(source, ox.RdfFormat.N_QUADS)), sink, fmt)

        return stream_writer(write)

    def named_graphs(self) -> list[str]:
        result = self.evaluate(_GRAPHS, union=False)
        return sorted(str(row["g"].value) for row in rows_of(result.solutions()) if "g" in row)

    def is_empty(self) -> bool:
        return not self.evaluate(
            "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", union=False
        ).boolean()

    def count(self) -> int:
        rows = rows_of(
            self.evaluate(
                "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                union=False,
            ).solutions()
        )
        return int(rows[0]["n"].value)

    def close(self) -> None:
        self._client.close()


def dict_list(form: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields with repeated keys, in the shape httpx sends as repeated parameters."""
    out: dict[str, list[str]] = {}
    for key, value in form:
        out.setdefault(key, []).append(value)
    return out


def _read_capped(chunks: Iterator[bytes], max_results: int | None) -> bytes:
    """The body; ResultTooLarge as soon as it holds more lines than header + cap rows."""
    parts: list[bytes] = []
    lines = 0
    for chunk in chunks:
        parts.append(chunk)
        lines += chunk.count(b"\n")
        if max_results is not None and lines > max_results + 2:
            raise ResultTooLarge(
                f"the result has more than {max_results} rows; add a LIMIT or narrow the query",
                max_results=max_results,
            )
    return b"".join(parts)


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterator of chunks (an HTTP body being received)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def _reader(chunks: Iterator[bytes]) -> IO[bytes]:
    return io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 16)
