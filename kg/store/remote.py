"""The remote store: any SPARQL 1.1 server over HTTP (httpx).

* Queries: SPARQL 1.1 Protocol, ``POST`` of an URL-encoded form to the query endpoint, asking
  for SPARQL JSON results (every engine writes them as the standard says; Virtuoso's TSV headers
  are not) and N-Triples for graphs. Virtuoso's blank nodes (``nodeID://b1``) are renamed to
  valid labels while the answer is read.
* Updates: SPARQL 1.1 Protocol, one request per write; a SPARQL 1.1 server applies one request
  atomically. Data with blank nodes is inserted with ``INSERT {...} WHERE {}`` (Virtuoso refuses
  blank nodes in ``INSERT DATA``).
* Loads and dumps: SPARQL 1.1 Graph Store Protocol; a load touching several graphs is one SPARQL
  Update (``DROP`` + ``INSERT``) so it stays atomic. Large loads (``bulk_load``) are staged and
  checked in memory, then added so (``kg.store.staging``).
* Credentials (``kg.store.remote_auth``): HTTP Basic or Digest, or a Bearer token; never in a
  message.

What differs between engines (the union default graph, the per-request deadline, the server's
own graphs, where the Graph Store Protocol is) is found by probing the server at the first
request (``kg.store.engines``).

Bounds: every answer is read as a stream and stopped past ``max_results`` rows; a server that
cut the answer at its own row limit (Virtuoso's ``ResultSetMaxRows``, said by its
``X-SPARQL-MaxRows`` header) or stopped at its time limit and answered what it had (Virtuoso's
"anytime" answers, ``X-SQL-State: S1TAT``) is refused rather than passed on as complete
(``ResultTooLarge``, ``QueryTimeout``). At the deadline the HTTP request is abandoned too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeout, ResultTooLarge, StoreUnavailable
from kg.store import engines, staging
from kg.store.embedded import EmbeddedStore
from kg.store.engines import Engine
from kg.store.export import stream_writer
from kg.store.protocol import (
    Admit,
    BulkFile,
    BulkLoaded,
    Check,
    Progress,
    ResultQueries,
    has_own_dataset,
    replace_update,
)
from kg.store.remote_wire import line_capped, reader
from kg.store.results import Result

#: What a query asks for: SPARQL JSON for solutions, N-Triples (else Turtle) for graphs.
_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
#: For CONSTRUCT and DESCRIBE: Virtuoso answers them in SPARQL JSON (as s/p/o rows) if asked.
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.8"
#: The query form, after the prologue (BASE, PREFIX, comments).
_FORM = re.compile(
    r"(?:\s+|#[^\n]*|BASE\s*<[^>]*>|PREFIX\s+[^\s:]*:\s*<[^>]*>)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
    re.IGNORECASE,
)
#: What Oxigraph server appends to a result it stops at its --timeout-s limit.
_CANCELLED = b"operation has been cancelled"


def _derive(url: str, tail: str) -> str:
    return url[: -len("/query")] + tail if url.endswith("/query") else url


class RemoteStore(ResultQueries):
    """A SPARQL 1.1 server: ``url`` is its query endpoint.

    ``engine`` skips the probe (tests, or an operator who knows the server); ``auth`` is an
    ``httpx.Auth`` (``kg.store.remote_auth.auth_for``)."""

    def __init__(
        self,
        url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        timeout: float | None = None,
        engine: Engine | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise ValueError(
                "put the SPARQL server's credentials in the store_user/store_password settings, "
                "not in the store URL"
            )
        self.url = url
        self._update_url = update_url
        self._gsp_url = gsp_url
        #: The Graph Store URL the server's answers named (``engines.GRAPH_STORE_REL``).
        self._found_gsp: str | None = None
        self._engine = engine
        self._settled = engine is not None
        self._probe_lock = threading.Lock()
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0), auth=auth)

    # -- what the server is ------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The server's engine, probed at the first use. A server kg does not know, holding no
        data yet, is probed again until data shows whether its default graph is the union."""
        if not self._settled:
            with self._probe_lock:
                if not self._settled:
                    self._engine, self._settled = self._probe()
        assert self._engine is not None
        return self._engine

    def _probe(self) -> tuple[Engine, bool]:
        response = self._post(self.url, {"query": ["ASK {}"]}, None)
        try:
            self._fail(response, "the first query")
        finally:
            response.close()
        graph_store = response.links.get(engines.GRAPH_STORE_REL, {}).get("url")
        if graph_store:  # a kg service, which says where its Graph Store is
            self._found_gsp = urljoin(str(response.url), graph_store)
            return engines.KG, True
        known = engines.from_server_header(str(response.headers.get("server", "")))
        if known is not None:
            return known, True
        rows = self._evaluate(engines.PROBE_TRIPLE, [], None, None).rows()
        if not rows:  # no data yet: any choice answers the same; decide when there is some
            return engines.generic("default"), False
        s, p, o = rows[0]["s"], rows[0]["p"], rows[0]["o"]
        found = self._evaluate(f"ASK {{ {s} {p} {o} }}", [], None, None).boolean()
        return engines.generic("default" if found else "graphs"), True

    @property
    def sorts_pages(self) -> bool:
        """Whether pages are cut by the server (``Engine.sorts_pages``)."""
        return self.engine.sorts_pages

    @property
    def answers_shape_queries(self) -> bool:
        """Whether in-store validation may run on it (``Engine.shape_queries``)."""
        return self.engine.shape_queries

    @property
    def update_url(self) -> str:
        return self._update_url or _derive(self.url, "/update")

    @property
    def gsp_url(self) -> str:
        if self._gsp_url:
            return self._gsp_url
        path = self.engine.gsp_path  # probes the server, which may name its Graph Store
        if self._found_gsp:
            return self._found_gsp
        if path is not None:
            parts = urlsplit(self.url)
            return f"{parts.scheme}://{parts.netloc}{path}"
        return _derive(self.url, "/store")

    # -- HTTP ------------------------------------------------------------------------------

    def _fail(self, response: httpx.Response, what: str) -> None:
        if response.is_success:
            return
        response.read()
        text = response.text.strip()[:2000]
        if response.status_code in (401, 403):
            raise StoreUnavailable(
                f"{what}: the SPARQL server refused kg's credentials ({response.status_code}); "
                "check the store_user, store_password and store_token settings",
                status=response.status_code,
            )
        # Virtuoso repeats the whole query after its message: the message is enough.
        text = text.split("\n\nSPARQL query:", 1)[0].strip()
        if response.status_code in (400, 422):
            raise QueryError(f"{what} rejected by the SPARQL server: {text}")
        lowered = text.lower()
        if response.status_code in (408, 504) or any(
            # Virtuoso refuses a query whose estimated time is past its limit before running it
            sign in lowered
            for sign in ("timeout", "timed out", "estimated execution time")
        ):
            raise QueryTimeout(f"the SPARQL server stopped the query at its time limit: {text}")
        raise StoreUnavailable(
            f"{what} failed: the SPARQL server answered {response.status_code}: {text}",
            status=response.status_code,
        )

    def _post(
        self, url: str, form: dict[str, list[str]], timeout: float | None, accept: str = _ACCEPT
    ) -> httpx.Response:
        limit = httpx.Timeout(timeout, connect=10.0) if timeout is not None else None
        try:
            request = self._client.build_request(
                "POST",
                url,
                data=form,
                headers={"Accept": accept},
                timeout=limit or httpx.USE_CLIENT_DEFAULT,
            )
            return self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _timeout(timeout) from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"the SPARQL server at {url} does not answer: {exc}") from exc

    def _dataset(self, query: str) -> list[tuple[str, str]]:
        if has_own_dataset(query):
            return []
        engine = self.engine
        if engine.union == "parameter":
            return [("union-default-graph", "")]
        if engine.union == "default":
            return []
        graphs = self.named_graphs()
        if len(graphs) > engines.MAX_LISTED_GRAPHS:
            raise StoreUnavailable(
                f"the SPARQL server at {self.url} does not offer the union of its "
                f"{len(graphs)} named graphs as its default graph, and kg lists at most "
                f"{engines.MAX_LISTED_GRAPHS} graphs in a request: configure the server's "
                "default graph as the union of the named graphs"
            )
        if not graphs:  # an empty union: a graph no one uses keeps the default graph empty
            return [("default-graph-uri", "urn:kg:empty")]
        # Named too: a protocol dataset with no named-graph-uri has no named graphs.
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

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
        form: list[tuple[str, str]] = []
        if default_graph_uris is not None or named_graph_uris is not None:
            form += [("default-graph-uri", g) for g in default_graph_uris or []]
            form += [("named-graph-uri", g) for g in named_graph_uris or []]
        elif union:
            form += self._dataset(query)
        return self._evaluate(query, form, timeout, max_results)

    def _evaluate(
        self,
        query: str,
        dataset: list[tuple[str, str]],
        timeout: float | None,
        max_results: int | None,
    ) -> Result:
        engine = self._engine
        form = [("query", query), *dataset]
        if timeout is not None and engine is not None and engine.timeout_parameter:
            form.append((engine.timeout_parameter, str(max(1, int(timeout * 1000)))))
        match = _FORM.match(query)
        graph = match is not None and match.group(1).upper() in ("CONSTRUCT", "DESCRIBE")
        response = self._post(
            self.url, dict_list(form), timeout, _ACCEPT_GRAPH if graph else _ACCEPT
        )
        try:
            self._fail(response, "the query")
            _refuse_partial(response)
            media_type = response.headers.get("content-type", "application/sparql-results+json")
            if "json" in media_type:
                result = Result.from_stream(reader(response.iter_bytes()), media_type, max_results)
            else:
                body = line_capped(response.iter_bytes(), max_results)
                if body.rstrip().endswith(_CANCELLED):
                    raise QueryTimeout("the SPARQL server stopped the query at its time limit")
                result = Result.from_wire(body, media_type, max_results)
        except httpx.TimeoutException as exc:
            raise _timeout(timeout) from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(
                f"the SPARQL server at {self.url} does not answer: {exc}"
            ) from exc
        except (SyntaxError, ValueError) as exc:
            if _CANCELLED.decode() in str(exc):
                raise QueryTimeout("the SPARQL server stopped the query at its time limit") from exc
            raise StoreUnavailable(f"the SPARQL server sent an unreadable result: {exc}") from exc
        finally:
            response.close()
        return result

    # -- writes ----------------------------------------------------------------------------

    def update(self, update: str) -> None:
        if self.engine.drop_all_ignored and _is_drop_all(update):
            graphs = self.named_graphs()
            if not graphs:
                return
            update = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in graphs).rstrip(" ;\n")
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
                # N-Triples sent as Turtle (it is Turtle), which every implementation reads.
                body = ox.serialize((q.triple for q in items), None, ox.RdfFormat.N_TRIPLES)
                self._send(
                    "PUT" if replace else "POST",
                    self.gsp_url,
                    "the load",
                    params={"graph": name.value},
                    content=body or b"",
                    headers={"Content-Type": "text/turtle"},
                )
                return len(items)
        if not items and not replace:
            return 0
        self.update(replace_update(items, replace))
        return len(items)

    def bulk_load(
        self,
        files: Sequence[BulkFile],
        *,
        admit: Admit,
        check: Check,
        progress: Progress | None = None,
    ) -> BulkLoaded:
        """``Store.bulk_load``: staged in memory, then one ``add_quads``."""
        return staging.load_staged(
            self, files, admit=admit, check=check, progress=progress, scratch=EmbeddedStore.wrap
        )

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
            if self.engine.union == "default":  # it is the union: kg's own triples are named
                return iter([ox.serialize([], None, fmt) or b""])
            return self._get({"default": ""}, fmt)
        if graph is not None and not fmt.supports_datasets:
            return self._get({"graph": graph}, fmt)
        if graph is None and self.engine.whole_dataset_get:
            if fmt.supports_datasets:
                return self._get(None, fmt)
            return _rewrite(
                lambda: ox.parse(
                    reader(self._get(None, ox.RdfFormat.N_QUADS)), ox.RdfFormat.N_QUADS
                ),
                fmt,
            )
        names = [graph] if graph is not None else self.named_graphs()
        return _rewrite(lambda: self._quads_of(names), fmt)

    def _quads_of(self, graphs: list[str]) -> Iterator[ox.Quad]:
        """The quads of ``graphs``, read one graph at a time (Graph Store Protocol GET)."""
        for graph in graphs:
            name = ox.NamedNode(graph)
            source = reader(self._get({"graph": graph}, ox.RdfFormat.N_TRIPLES))
            for t in ox.parse(source, ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    def named_graphs(self) -> list[str]:
        engine = self.engine
        query = (
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"
            if engine is engines.OXIGRAPH
            else "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        )
        result = self._evaluate(query, [], None, None)
        names = (str(row["g"].value) for row in result.rows() if "g" in row)
        return sorted(g for g in names if not engine.is_system(g))

    def is_empty(self) -> bool:
        if self.named_graphs():
            return False
        if self.engine.union == "default":
            return True  # the default graph is the union: nothing outside the named graphs
        return not self._evaluate("ASK { ?s ?p ?o }", [], None, None).boolean()

    def count(self, graph: str | None = None) -> int:
        if graph == "default":
            if self.engine.union == "default":  # as dump: kg's own triples are all named
                return 0
            query = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
        elif graph is not None:
            query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        else:
            query = self._count_all()
        rows = self._evaluate(query, [], None, None).rows()
        return int(rows[0]["n"].value)

    def _count_all(self) -> str:
        engine = self.engine
        if engine.union == "default" and engine.system_graphs is None:
            return "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
        if engine.union == "default":  # without the server's own graphs
            graphs = self.named_graphs()
            values = " ".join(f"<{g}>" for g in graphs) or "<urn:kg:empty>"
            return f"SELECT (COUNT(*) AS ?n) {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        return "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"

    def close(self) -> None:
        self._client.close()


def dict_list(form: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form fields with repeated keys, in the shape httpx sends as repeated parameters."""
    out: dict[str, list[str]] = {}
    for key, value in form:
        out.setdefault(key, []).append(value)
    return out


def _rewrite(quads: Callable[[], Iterator[ox.Quad]], fmt: ox.RdfFormat) -> Iterator[bytes]:
    """``quads()`` serialized in ``fmt`` (the union of their triples for a triple format),
    streamed."""

    def write(sink: Any) -> None:
        if fmt.supports_datasets:
            ox.serialize(quads(), sink, fmt)
        else:
            ox.serialize((q.triple for q in quads()), sink, fmt)

    return stream_writer(write)


def _timeout(timeout: float | None) -> QueryTimeout:
    shown = "its" if timeout is None else f"the time limit of {timeout:g} s:"
    return QueryTimeout(f"the query ran past {shown} and was stopped", timeout=timeout)


def _refuse_partial(response: httpx.Response) -> None:
    """Refuse an answer the server says is incomplete (its row cap or its time limit)."""
    cap = response.headers.get("x-sparql-maxrows")
    if cap is not None:
        raise ResultTooLarge(
            f"the SPARQL server cut the result at its own limit of {cap} rows "
            "(Virtuoso's ResultSetMaxRows); add a LIMIT or narrow the query",
            max_results=int(cap) if cap.isdigit() else None,
        )
    if response.headers.get("x-sql-state", "").upper() == "S1TAT":
        raise QueryTimeout(
            "the SPARQL server stopped the query at its time limit and answered only part of it"
        )


def _is_drop_all(update: str) -> bool:
    words = update.upper().replace(";", " ").split()
    return (
        bool(words)
        and len(words) <= 3
        and words[0] in ("DROP", "CLEAR")
        and words[-1]
        in (
            "ALL",
            "NAMED",
        )
        and words[1:2] in (["ALL"], ["NAMED"], ["SILENT"])
    )
