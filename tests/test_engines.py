"""The remote store over engines kg was not built on: Virtuoso's ways, credentials, deadlines.

Each check runs against a real server process: Virtuoso 7 (``virtuoso_server``), Oxigraph
(``oxigraph_server``), or a small loopback HTTP server where a third party's behaviour is the
point (a Bearer token arriving).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import httpx
import pyoxigraph as ox
import pytest

from kg.errors import QueryTimeout, ResultTooLarge, StoreUnavailable
from kg.settings import Settings
from kg.store import engines
from kg.store.opening import open_store, store_for
from kg.store.remote import RemoteStore
from kg.store.remote_auth import auth_for
from tests.plugins.stores import OxigraphServer, empty
from tests.plugins.virtuoso import MAX_ROWS, VirtuosoServer

EX = "http://example.org/"


def test_each_engine_is_recognised(
    oxigraph_server: OxigraphServer, virtuoso_server: VirtuosoServer
) -> None:
    for url, engine in (
        (oxigraph_server.url, engines.OXIGRAPH),
        (virtuoso_server.url, engines.VIRTUOSO),
    ):
        store = RemoteStore(url)
        try:
            assert store.engine == engine
        finally:
            store.close()
    virtuoso = RemoteStore(virtuoso_server.url)
    assert virtuoso.gsp_url == f"{virtuoso_server.base}/sparql-graph-crud"
    assert virtuoso.update_url == virtuoso_server.url
    virtuoso.close()


def test_virtuoso_blank_nodes_and_literals_come_back_as_rdf(
    virtuoso_server: VirtuosoServer,
) -> None:
    empty(virtuoso_server.url)
    store = open_store(virtuoso_server.url)
    try:
        g = ox.NamedNode(f"{EX}g")
        node = ox.BlankNode()
        quads = [
            ox.Quad(ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), node, g),
            ox.Quad(node, ox.NamedNode(f"{EX}q"), ox.Literal("two words", language="en"), g),
        ]
        store.add_quads(quads, replace_graphs=[g.value])
        rows = store.select(f"SELECT ?b ?l WHERE {{ <{EX}s> <{EX}p> ?b . ?b <{EX}q> ?l }}")
        assert len(rows) == 1 and isinstance(rows[0]["b"], ox.BlankNode)
        assert rows[0]["l"] == ox.Literal("two words", language="en")
        triples = store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}"
        )
        assert len(triples) == 2
    finally:
        store.close()


def test_virtuoso_cut_at_its_row_limit_is_refused(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso answers at most ResultSetMaxRows rows and says so only in a header: kg refuses
    the cut answer instead of passing it on as complete."""
    empty(virtuoso_server.url)
    store = open_store(virtuoso_server.url)
    try:
        g = ox.NamedNode(f"{EX}many")
        quads = [
            ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(i)), g)
            for i in range(MAX_ROWS + 1)
        ]
        store.add_quads(quads, replace_graphs=[g.value])
        with pytest.raises(ResultTooLarge) as caught:
            store.select(f"SELECT ?s WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }}")
        assert f"{MAX_ROWS} rows" in caught.value.message
        assert store.count() == MAX_ROWS + 1
        assert (
            len(store.select(f"SELECT ?s WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }} LIMIT 10"))
            == 10
        )
    finally:
        empty(virtuoso_server.url)
        store.close()


def test_the_deadline_goes_to_virtuoso(virtuoso_server: VirtuosoServer) -> None:
    """Virtuoso takes the deadline as its timeout parameter; what it answers when it stops
    there (part of the result, flagged in a header) is refused as a timeout."""
    store = open_store(virtuoso_server.url)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STR(?c) < STR(?f)) }"
    try:
        with pytest.raises(QueryTimeout):
            store.select(slow, timeout=0.5)
        assert store.ask("ASK { ?s ?p ?o }", timeout=5)
    finally:
        store.close()


def test_digest_credentials_reach_virtuoso_and_are_never_shown(
    virtuoso_server: VirtuosoServer,
) -> None:
    url = f"{virtuoso_server.base}/sparql-auth"
    good = Settings(store=url, store_user="dba", store_password="dba", store_auth="digest")
    store = store_for(good)
    try:
        assert store.ask("ASK {}")
    finally:
        store.close()
    bad = Settings(store=url, store_user="dba", store_password="wrong-Pa55", store_auth="digest")
    store = store_for(bad)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            store.ask("ASK {}")
        assert "credentials" in caught.value.message and "wrong-Pa55" not in caught.value.message
    finally:
        store.close()
    assert "wrong-Pa55" not in repr(bad) and "wrong-Pa55" not in repr(auth_for(bad))


class _TokenChecker(BaseHTTPRequestHandler):
    """Answers ASK with true and SELECT with no rows, to a request with the right token."""

    seen: ClassVar[list[str | None]] = []

    def do_POST(self) -> None:
        query = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _TokenChecker.seen.append(self.headers.get("Authorization"))
        ok = self.headers.get("Authorization") == "Bearer t0ken"
        answer: dict[str, object] = {"head": {}, "boolean": True}
        if b"SELECT" in query:
            answer = {"head": {"vars": ["s"]}, "results": {"bindings": []}}
        body = json.dumps(answer).encode() if ok else b"no"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/sparql-results+json" if ok else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def token_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TokenChecker)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()
    server.server_close()


def test_a_bearer_token_goes_with_every_request(token_server: str) -> None:
    _TokenChecker.seen.clear()
    store = store_for(Settings(store=token_server, store_token="t0ken"))
    try:
        assert store.ask("ASK {}")
    finally:
        store.close()
    assert _TokenChecker.seen and set(_TokenChecker.seen) == {"Bearer t0ken"}
    store = store_for(Settings(store=token_server))
    try:
        with pytest.raises(StoreUnavailable, match="credentials"):
            store.ask("ASK {}")
    finally:
        store.close()


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(ValueError, match="store_user"):
        RemoteStore("http://user:secret@127.0.0.1:1/sparql")


def test_a_server_without_a_union_default_graph_gets_the_graphs_listed(
    oxigraph_server: OxigraphServer,
) -> None:
    """An unknown engine: the probe finds Oxigraph's default graph is not the union (without
    its parameter), so the store names the graphs; past the bound it refuses clearly."""
    empty(oxigraph_server.url)
    plain = RemoteStore(oxigraph_server.url)
    plain._engine, plain._settled = None, False  # as if the Server header said nothing
    probe = RemoteStore(oxigraph_server.url)
    try:
        quads = [
            ox.Quad(
                ox.NamedNode(f"{EX}s"),
                ox.NamedNode(f"{EX}p"),
                ox.Literal(str(i)),
                ox.NamedNode(f"{EX}g{i}"),
            )
            for i in range(engines.MAX_LISTED_GRAPHS + 1)
        ]
        probe.add_quads(quads[:3], replace_graphs=[q.graph_name.value for q in quads[:3]])
        listed = RemoteStore(oxigraph_server.url, engine=engines.generic("graphs"))
        assert len(listed.select(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}")) == 3
        probe.add_quads(quads, replace_graphs=[q.graph_name.value for q in quads])
        with pytest.raises(StoreUnavailable, match="union"):
            listed.select(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o }}")
        listed.close()
    finally:
        empty(oxigraph_server.url)
        plain.close()
        probe.close()
    assert httpx.get(oxigraph_server.url, params={"query": "ASK {}"}).status_code == 200
