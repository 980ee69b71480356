"""Every input is capped at the door, before it is parsed: request heads, ``Accept``, GraphQL
variables (also on a reader replica, which parses documents to find mutations), search text
and SPARQL nesting. Past a cap the answer is a clear 4xx naming the setting, never a 5xx, and
the event loop never does the work."""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kg.graphql.loader import Loader
from kg.http import forward, guard
from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Store
from kg.writes.search import SearchIndex
from tests.asgi import AppClient
from tests.plugins.listener import Listener
from tests.plugins.server import Server


def client(store: Store, **settings: Any) -> AppClient:
    return AppClient(create_app(Settings(**settings), store=store))


def graphql(c: AppClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    return c.post("/graphql", json={"query": query, "variables": variables or {}})


def error_of(response: Any) -> str:
    """The message of an error answer: kg's JSON shape, or GraphQL's on /graphql."""
    body = response.json()
    if "error" in body:
        return str(body["error"]["message"])
    return " ".join(e["message"] for e in body.get("errors") or [])


SEARCH = "query($t: String!) { search(text: $t, first: 5) { __typename } }"


# --- 1. search text ---------------------------------------------------------------------------


def test_a_search_text_over_its_length_is_refused_before_it_is_read(article_store: Store) -> None:
    c = client(article_store)
    started = time.monotonic()
    answer = graphql(c, SEARCH, {"t": "word " * 1_000_000})
    assert time.monotonic() - started < 2
    assert answer.json()["data"] is None
    assert "5,000,000 characters long, more than the limit of 1,000 (setting max_search_text)" in (
        error_of(answer)
    )


def test_a_search_text_of_too_many_words_is_refused(article_store: Store) -> None:
    answer = graphql(client(article_store), SEARCH, {"t": "open " * 33})
    assert "33 words, more than the limit of 32 (setting max_search_words)" in error_of(answer)
    small = graphql(client(article_store, max_search_words=40), SEARCH, {"t": "open " * 33})
    assert small.json()["data"] is not None and not small.json().get("errors")


@pytest.fixture
def store_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that load nodes or search the index."""
    seen: list[str] = []
    load, search = Loader.load, SearchIndex.search

    def record(original: Callable[..., Any]) -> Callable[..., Any]:
        def recorded(*args: Any, **kwargs: Any) -> Any:
            seen.append(threading.current_thread().name)
            return original(*args, **kwargs)

        return recorded

    monkeypatch.setattr(Loader, "load", record(load))
    monkeypatch.setattr(SearchIndex, "search", record(search))
    return seen


def test_look_ups_and_searches_run_off_the_event_loop(
    article_store: Store, store_threads: list[str]
) -> None:
    c = client(article_store)
    for _ in range(2):  # the second search finds the index built
        found = graphql(c, 'query { search(text: "openai", first: 5) { ... on Node { id } } }')
        assert found.json()["data"]["search"], found.text
    node_id = found.json()["data"]["search"][0]["id"]
    assert graphql(c, f'{{ node(id: "{node_id}") {{ id }} }}').json()["data"]["node"]
    looked = graphql(c, f'{{ lookup(id: "{node_id}") {{ __typename }} }}').json()
    assert looked["data"]["lookup"]["__typename"] != "NodeNotFound"
    assert len(store_threads) >= 6
    assert threading.main_thread().name not in store_threads  # the event loop's thread


# --- 2. GraphQL variables, and a reader replica's parse ----------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_variables(c: AppClient, variables: str, query: str = SEARCH) -> Any:
    body = '{"query": ' + json.dumps(query) + ', "variables": {"t": ' + variables + "}}"
    return c.post("/graphql", content=body, headers={"content-type": "application/json"})


@pytest.fixture
def reader(article_store: Store, listener: Listener) -> Iterator[AppClient]:
    """A reader replica whose writer does not answer."""
    listener.close()
    yield client(article_store, writer_url=f"http://127.0.0.1:{listener.port}", writer_timeout=2)


@pytest.mark.parametrize("replica", ["writer", "reader"])
def test_deeply_nested_variables_are_refused_with_400(
    article_store: Store, listener: Listener, replica: str
) -> None:
    settings: dict[str, Any] = {}
    if replica == "reader":
        listener.close()
        settings = {"writer_url": f"http://127.0.0.1:{listener.port}", "writer_timeout": 2}
    c = client(article_store, **settings)
    too_deep = post_variables(c, nested(200_000))
    assert too_deep.status_code == 400, too_deep.text
    assert error_of(too_deep) == "the request body is JSON nested too deeply"
    deep = post_variables(c, nested(500))
    assert deep.status_code == 400, deep.text
    assert error_of(deep) == (
        "the variables are nested more than 32 deep (setting max_variable_depth)"
    )
    many = post_variables(c, json.dumps(list(range(20_000))))
    assert many.status_code == 400, many.text
    assert "more than 10000 values (setting max_variable_values)" in error_of(many)
    fine = post_variables(c, '"openai"')
    assert fine.status_code == 200 and fine.json()["data"]["search"]


def test_a_reader_parses_documents_off_the_loop_and_within_the_caps(
    reader: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[tuple[int, str]] = []
    parse = forward.parse

    def recorded(text: str, **kwargs: Any) -> Any:
        parsed.append((kwargs.get("max_tokens", -1), threading.current_thread().name))
        return parse(text, **kwargs)

    monkeypatch.setattr(forward, "parse", recorded)
    huge = "{" + " " * 6_000_000 + "units { totalCount } }"
    answer = reader.post("/graphql", content=huge, headers={"content-type": "application/graphql"})
    assert answer.status_code == 400  # the reader's own endpoint answers: no such content type
    assert parsed == []  # over max_document: never parsed
    many = "{ " + "a " * 3000 + "}"
    answer = reader.post("/graphql", json={"query": many})
    assert "Syntax Error: Document contains more than 2000 tokens" in error_of(answer)
    assert parsed and all(tokens == 2000 for tokens, _ in parsed)
    assert threading.main_thread().name not in {name for _, name in parsed}


# --- 3. request heads ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(kg_server_factory: Callable[..., Server]) -> Iterator[Server]:
    server = kg_server_factory()
    yield server
    server.stop()


def send_huge_head(server: Server) -> bytes:
    """A request whose head grows by 1 MB headers (256 at most) until the server answers."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        header = b"X-Big: " + b"a" * (1 << 20) + b"\r\n"
        for _ in range(256):
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(header)
            except OSError:
                break
        answer = b""
        while chunk := sock.recv(262144):
            answer += chunk
        return answer


def test_a_huge_request_head_is_answered_431_as_it_arrives(server: Server) -> None:
    started = time.monotonic()
    answers = [send_huge_head(server) for _ in range(4)]
    assert time.monotonic() - started < 2
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer[:200]
        assert answer.endswith(
            b'{"error": {"code": "headers_too_large", "message": "the request head is larger '
            b'than the limit of 262144 bytes (setting max_header_bytes)", "max_header_bytes": '
            b"262144}}"
        )


def test_too_many_or_too_large_headers_are_answered_431(article_store: Store) -> None:
    c = client(article_store)
    many = c.get("/healthz", headers={f"x-h{i}": "1" for i in range(96)})  # and httpx's 5
    assert many.status_code == 431
    assert many.json()["error"]["message"] == (
        "the request has 101 header fields, more than the limit of 100 (setting max_headers)"
    )
    assert many.headers["x-content-type-options"] == "nosniff"
    large = c.get("/healthz", headers={"x-big": "a" * 300_000})
    assert large.status_code == 431 and "setting max_header_bytes" in error_of(large)
    assert c.get("/healthz", headers={f"x-h{i}": "1" for i in range(90)}).status_code == 200


# --- 4. Accept ---------------------------------------------------------------------------------


def test_an_accept_header_past_its_caps_is_refused_before_negotiation(
    article_store: Store,
) -> None:
    c = client(article_store)
    query = {"query": "ASK { ?s ?p ?o }"}
    ranges = c.get("/sparql", params=query, headers={"accept": "a/b," * 64 + "*/*"})
    assert ranges.status_code == 400
    assert ranges.json()["error"]["message"] == (
        "the Accept header lists 65 media ranges, more than the limit of 64 "
        "(setting max_accept_ranges)"
    )
    long = c.get("/sparql", params=query, headers={"accept": "a/" + "b" * 5000})
    assert long.status_code == 400
    assert "5002 bytes long, more than the limit of 4096 (setting max_accept)" in error_of(long)
    fine = "application/sparql-results+json;q=0.9," + "a/b," * 60 + "*/*;q=0.1"
    assert c.get("/sparql", params=query, headers={"accept": fine}).status_code == 200


# --- 5. SPARQL nesting ---------------------------------------------------------------------------


def test_deeply_nested_sparql_is_refused_with_400_without_a_parse(store: Store) -> None:
    c = client(store, write_token="t")
    before = {key: dict(pool.stats) for key, pool in guard._pools.items()}
    bangs = "SELECT * WHERE { FILTER(" + "!" * 45_000 + "true) }"
    answer = c.post("/sparql", data={"query": bangs})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["message"] == (
        "the query nests brackets and operators 45,002 deep; the limit is 64 "
        "(setting max_query_nesting)"
    )
    parens = "SELECT * WHERE { FILTER(" + "(" * 100 + "true" + ")" * 100 + ") }"
    assert "(setting max_query_nesting)" in error_of(c.get("/sparql", params={"query": parens}))
    update = "DELETE WHERE { ?s ?p " + "[ <p> " * 70 + "1" + " ]" * 70 + " }"
    refused = c.post("/sparql", data={"update": update}, headers={"authorization": "Bearer t"})
    assert refused.status_code == 400 and "(setting max_query_nesting)" in error_of(refused)
    after = {key: dict(pool.stats) for key, pool in guard._pools.items()}
    assert after == before  # no parse was sent to a worker, none was started
    ok = c.get("/sparql", params={"query": "ASK { FILTER(!(1 = -1) && ((1 - -1) > 0)) }"})
    assert ok.status_code == 200 and ok.json()["boolean"] is True
