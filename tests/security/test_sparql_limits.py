"""Bounded, fail-closed SPARQL: no network in query evaluation, bounded parse, memory,
concurrency, client disconnects, bad IRIs, reserved graphs, and ``kg sparql``'s guard."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError, KgError, ServiceBusy
from kg.http import guard
from kg.http.app import create_app
from kg.http.limits import Admission
from kg.model.namespaces import check_iri
from kg.settings import Settings
from kg.store import sandbox
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.listener import Listener
from tests.plugins.server import Server

TOKEN = "test-token-0123456789"
CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?i ?f"


def client_for(store: Store, **settings: object) -> AppClient:
    return AppClient(create_app(Settings(**settings), store=store))  # type: ignore[arg-type]


# --- no network where queries are evaluated --------------------------------------------------


def test_a_sandbox_works_on_this_machine() -> None:
    assert sandbox.probe() in ("netns", "seccomp")


@pytest.mark.parametrize("method", ["netns", "seccomp"])
def test_each_sandbox_stops_a_connection_to_loopback(method: sandbox.Method) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        blocked = sandbox._blocked(method, server.getsockname()[1])
    if blocked is None:  # e.g. no network namespaces without privileges: the other one serves
        pytest.skip(f"{method} cannot be set up on this machine")
    assert blocked is True


def test_the_embedded_store_makes_no_request_even_past_the_guard(
    tmp_path: os.PathLike[str], listener: Listener
) -> None:
    # Straight to the store, as if the guard had missed it: the query child and the update
    # thread have no network.
    store = open_store(str(tmp_path) + "/store")
    try:
        target = f"http://127.0.0.1:{listener.port}"
        with pytest.raises(KgError):
            store.evaluate(f"SELECT * {{ SERVICE <{target}/s> {{ ?s ?p ?o }} }}", timeout=10)
        with pytest.raises(KgError):
            store.update(f"LOAD <{target}/x.ttl> INTO GRAPH <urn:test:g>")
        store.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> 1 } }")
        assert store.count() == 1
    finally:
        store.close()
    assert listener.close() == 0


# --- bounded cost -----------------------------------------------------------------------------


def test_a_slow_to_parse_query_is_refused_within_the_parse_timeout() -> None:
    slow = "SELECT * WHERE { FILTER(1 IN (" + ", ".join(["1"] * 6000) + ")) }"
    assert len(slow) < guard.MAX_QUERY_LENGTH
    started = time.monotonic()
    with pytest.raises(InputError, match="could not be checked within 1 s"):
        guard.inspect_query(slow, guard.Limits(parse_timeout=1.0))
    assert time.monotonic() - started < 4


def test_a_query_over_its_memory_limit_is_stopped_with_a_clear_error(
    tmp_path: os.PathLike[str],
) -> None:
    store = open_store(str(tmp_path) + "/store")
    ensure_seeded(store)
    try:
        with client_for(store, query_memory=256, query_timeout=60) as c:
            r = c.get("/sparql", params={"query": CARTESIAN})
            assert r.status_code == 503, r.text
            error = r.json()["error"]
            assert error["code"] == "query_out_of_memory"
            assert "256 MiB (setting query_memory)" in error["message"]
            assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]
    finally:
        store.close()


def test_admission_refuses_past_running_plus_queued() -> None:
    gate = Admission(running=1, queued=1)
    with gate.slot("SPARQL"), gate.slot("SPARQL"):
        with pytest.raises(ServiceBusy, match="max_queued") as caught, gate.slot("SPARQL"):
            pass
        assert caught.value.status == 503 and caught.value.headers["Retry-After"]
    with gate.slot("SPARQL"):  # free again
        pass


def _slow_request(url: str, seconds: float) -> Callable[[], None]:
    """Send CARTESIAN over a raw socket and hang up after ``seconds``."""

    def run() -> None:
        host, port = url.removeprefix("http://").split(":")
        body = httpx.QueryParams({"query": CARTESIAN})
        with socket.create_connection((host, int(port))) as conn:
            conn.sendall(f"GET /sparql?{body} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(seconds)

    return run


@pytest.fixture(scope="module")
def one_worker(kg_server_factory: Callable[..., Server]) -> Server:
    return kg_server_factory(
        env={
            "KG_QUERY_WORKERS": "1",
            "KG_MAX_QUEUED": "0",
            "KG_QUERY_TIMEOUT": "60",
            "KG_QUERY_MEMORY": "0",
        }
    )


def test_a_query_stops_when_its_client_goes_away(one_worker: Server) -> None:
    # One query process at a time: while the abandoned query ran, nothing else could.
    hang_up = threading.Thread(target=_slow_request(one_worker.url, 1.0))
    hang_up.start()
    hang_up.join()
    # Had it run on, the one query process would stay taken for the 60 s time limit.
    answers = []
    for _ in range(50):
        r = httpx.get(f"{one_worker.url}/sparql", params={"query": "ASK { ?s ?p ?o }"})
        answers.append(r.status_code)
        if r.status_code == 200:
            break
        assert r.json()["error"]["code"] == "busy"
        time.sleep(0.1)
    assert answers[-1] == 200 and len(answers) < 50, answers


def test_concurrent_sparql_past_the_bound_gets_503_with_retry_after(one_worker: Server) -> None:
    busy = threading.Thread(target=_slow_request(one_worker.url, 3.0))
    busy.start()
    try:
        time.sleep(1.0)
        r = httpx.get(f"{one_worker.url}/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "busy" and r.headers["Retry-After"]
    finally:
        busy.join()


# --- bad IRIs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "says"),
    [
        ("not an iri", "not a valid absolute IRI"),
        ("http://a\x00b", "control character (U+0000)"),
        ("http://a/%zz", "percent encoding"),
        ("http://[::1/", "host"),
        ("http://a/\ud800", "lone surrogate"),
    ],
)
def test_a_bad_iri_says_what_is_wrong(iri: str, says: str) -> None:
    with pytest.raises(InputError, match=r"default-graph-uri .* is not a valid") as caught:
        check_iri(iri, "default-graph-uri")
    assert says in caught.value.message


@pytest.mark.parametrize("value", ["not an iri", "http://a\x00b", "http://a/%zz", "http://[::1/"])
def test_bad_dataset_iris_get_400(article_store: Store, value: str) -> None:
    with client_for(article_store) as c:
        for param in ("default-graph-uri", "named-graph-uri"):
            r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }", param: value})
            assert r.status_code == 400, r.text
            assert f"{param} " in r.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/export", "/store"])
def test_a_bad_graph_iri_in_the_graph_store_protocol_gets_400(
    article_store: Store, path: str
) -> None:
    with client_for(article_store) as c:
        r = c.get(path, params={"graph": "http://a/%zz"})
        assert r.status_code == 400 and "graph " in r.json()["error"]["message"]


# --- reserved graphs through SPARQL Update ---------------------------------------------------


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/history> { <urn:a> <urn:b> 1 } }",
        "DROP GRAPH <https://w3id.org/aikg/graph/ontology>",
        "PREFIX g: <https://w3id.org/aikg/graph/> CLEAR GRAPH g:history",
        "ADD <urn:test:x> TO <https://w3id.org/aikg/graph/ontology>",
    ],
)
def test_updates_may_not_touch_the_reserved_graphs(article_store: Store, update: str) -> None:
    with client_for(article_store, write_token=TOKEN) as c:
        before = article_store.count()
        r = c.post("/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 400, r.text
        assert "reserved" in r.json()["error"]["message"]
        assert article_store.count() == before


# --- kg sparql applies the same guard --------------------------------------------------------


def test_kg_sparql_applies_the_guard(listener: Listener) -> None:
    target = f"http://127.0.0.1:{listener.port}"
    result = CliRunner().invoke(
        main,
        [
            "sparql",
            f"SELECT * WHERE {{ #\rSERVICE <{target}/x> {{ ?s ?p ?o }}\n}}",
            "--store",
            "memory",
        ],
    )
    assert result.exit_code == 2 and "carriage return" in result.output
    result = CliRunner().invoke(
        main, ["sparql", f"SELECT * {{ SERVICE <{target}/x> {{ ?s ?p ?o }} }}", "--store", "memory"]
    )
    assert result.exit_code == 2 and "SERVICE is not allowed" in result.output
    assert listener.close() == 0
