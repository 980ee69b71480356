"""Clients that leave: one that hangs up mid-body is no error of kg's (499, no traceback, nothing
done); an abandoned /export stops its dump at once; /export has an admission bound. Over a real
``kg serve`` (the hang-ups need sockets), on an embedded store holding a large graph."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kg.store.opening import open_store
from tests.plugins.server import Server

TOKEN = "client-gone-test-token-9d2e"
BIG = "https://example.org/graph/big"
#: About 40 MB of N-Quads: more than the dump's queue and the sockets' buffers hold.
LITERALS, LITERAL_SIZE = 200, 200_000
MAX_EXPORTS = 12


@pytest.fixture(scope="module")
def server(
    kg_server_factory: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory
) -> Server:
    location = tmp_path_factory.mktemp("big") / "store"
    store = open_store(str(location))
    try:
        graph = ox.NamedNode(BIG)
        store.add_quads(
            ox.Quad(
                ox.NamedNode(f"https://example.org/big/{i}"),
                ox.NamedNode("https://example.org/text"),
                ox.Literal(f"{i}" + "x" * LITERAL_SIZE),
                graph,
            )
            for i in range(LITERALS)
        )
    finally:
        store.close()
    return kg_server_factory(
        env={"KG_STORE": str(location), "KG_WRITE_TOKEN": TOKEN, "KG_MAX_EXPORTS": str(MAX_EXPORTS)}
    )


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def samples(server: Server, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    return {
        tuple(sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == name
    }


def requests_with(server: Server, status: str) -> float:
    found = samples(server, "kg_http_requests_total")
    return sum(v for labels, v in found.items() if ("status", status) in labels)


def dump_threads(server: Server) -> float:
    return sum(samples(server, "kg_dump_threads").values())


def eventually(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def hang_up_mid_body(server: Server, path: str, content_type: str, body: bytes) -> None:
    """Send a request announcing 1,000 bytes more than ``body``, then close the connection."""
    sock = connect(server)
    sock.sendall(
        f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body) + 1000}\r\n\r\n".encode()
        + body
    )
    time.sleep(0.2)  # the request reaches the app, which waits for the rest of the body
    sock.close()


def test_a_client_gone_mid_body_is_counted_499_without_a_traceback(server: Server) -> None:
    errors, gone = requests_with(server, "500"), requests_with(server, "499")
    insert = b"update=INSERT+DATA+%7B+%3Curn%3Ax%3Agone%3E+%3Curn%3Ax%3Ap%3E+%3Curn%3Ax%3Ao%3E+%7D"
    hang_up_mid_body(server, "/sparql", "application/x-www-form-urlencoded", insert)
    hang_up_mid_body(server, "/graphql", "application/json", b'{"query": "{ organisations')
    assert eventually(lambda: requests_with(server, "499") == gone + 2), server.log()[-3000:]
    assert requests_with(server, "500") == errors
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    assert "the client closed the connection before its whole request was sent" in log
    assert '"status": 499' in log
    # Nothing was done for it: the update never ran.
    ask = {"query": "ASK { <urn:x:gone> ?p ?o }"}
    assert httpx.get(f"{server.url}/sparql", params=ask, timeout=10).json()["boolean"] is False


def test_abandoned_downloads_end_their_dump_threads(server: Server) -> None:
    before = dump_threads(server)
    downloads = [connect(server) for _ in range(10)]
    for sock in downloads:
        sock.sendall(b"GET /export?format=nquads HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert dump_threads(server) == before + 10
    for sock in downloads:
        sock.close()
    assert eventually(lambda: dump_threads(server) == before), dump_threads(server)
    # Their places are free again: as many downloads as max_exports go through at once.
    with contextlib.ExitStack() as stack:
        for _ in range(MAX_EXPORTS):
            r = stack.enter_context(httpx.stream("GET", f"{server.url}/export", timeout=10))
            assert r.status_code == 200
        refused = httpx.get(f"{server.url}/store", timeout=10)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
        assert "max_exports" in refused.json()["error"]["message"]
    assert eventually(lambda: dump_threads(server) == before)
    whole = httpx.get(f"{server.url}/export", params={"format": "nquads"}, timeout=30)
    assert whole.status_code == 200 and len(whole.content) > LITERALS * LITERAL_SIZE


def test_the_graph_store_is_named_by_the_sparql_endpoint(server: Server) -> None:
    answer = httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=10)
    assert answer.links["http://www.w3.org/TR/sparql11-http-rdf-update/"]["url"] == "store"
    assert Path(str(answer.url.join("store").path)) == Path("/store")
