"""GraphQL documents cost a bounded time and memory to check: fragment fan-out, size, caches.

A chain of N fragments, each spreading the next twice, has 2^N paths; kg measures it in one
pass (each fragment once), off the event loop, so the server stays responsive and stops on
SIGTERM while such requests are in flight.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kg.graphql.checks import PARSED
from kg.graphql.schema import build_schema
from tests.plugins.graphql_api import GraphQL
from tests.plugins.server import Server


def fan_out(n: int) -> str:
    """``query { ...F0 }``, each fragment spreading the next one twice, N levels deep."""
    lines = ["query { ...F0 }"]
    lines += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)]
    lines.append(f"fragment F{n} on Query {{ __typename }}")
    return "\n".join(lines)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(kg_server_factory: Callable[..., Server]) -> Server:
    return kg_server_factory()


def health_times(http: httpx.Client, until: Callable[[], bool], least: int = 10) -> list[float]:
    """Seconds each ``GET /healthz`` took, asked one after another until ``until()``."""
    times: list[float] = []
    while not until() or len(times) < least:
        started = time.monotonic()
        assert http.get("/healthz").status_code == 200
        times.append(time.monotonic() - started)
    return times


def fan_out_round(server: Server, n: int) -> tuple[list[float], list[float]]:
    """Five fan-out requests one after another, and /healthz asked meanwhile: the seconds
    each fan-out request took (checking its answer), and each /healthz."""
    answers: list[float] = []

    def send() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(5):
                started = time.monotonic()
                response = http.post("/graphql", json={"query": fan_out(n)})
                answers.append(time.monotonic() - started)
                assert response.status_code == 200
                assert response.json() == {"data": {"__typename": "Query"}}

    thread = threading.Thread(target=send)
    with httpx.Client(base_url=server.url, timeout=10) as http:
        thread.start()
        during = health_times(http, lambda: not thread.is_alive())
    thread.join()
    assert len(answers) == 5
    return answers, during


@pytest.mark.parametrize("n", [30, 60])
def test_fragment_fan_out_is_answered_fast_and_healthz_stays_fast(server: Server, n: int) -> None:
    """Each fan-out request is answered in under a second, and /healthz answers in under
    100 ms meanwhile (the document once held the event loop for 8 s at N=21, for minutes at
    N=40). On a shared, loaded machine a process may wait for a core now and then: in every
    round no /healthz may take half a second, and in one of three rounds at least 9 in 10
    must answer in under 100 ms."""
    rounds = []
    for _ in range(3):
        answers, during = fan_out_round(server, n)
        assert max(answers) < 1.0, answers
        assert max(during) < 0.5, during
        rounds.append(sorted(during)[len(during) * 9 // 10 - 1])
        if rounds[-1] < 0.1:
            break
    assert min(rounds) < 0.1, rounds


def test_sigterm_stops_the_server_while_fan_out_requests_are_in_flight(
    kg_server_factory: Callable[..., Server],
) -> None:
    server = kg_server_factory()
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(timeout=30) as http:
            while not stop.is_set():
                try:
                    http.post(f"{server.url}/graphql", json={"query": fan_out(60)})
                except httpx.HTTPError:
                    return

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    server.process.send_signal(signal.SIGTERM)
    try:
        assert server.process.wait(timeout=15) is not None
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def test_documents_over_the_size_limit_are_refused_before_parsing(graphql: GraphQL) -> None:
    query = "{ organisations { totalCount } }" + " " * 200
    assert graphql.with_settings(max_document=100).errors(query) == [
        f"the document is {len(query)} characters long, more than the limit of 100 "
        "(setting max_document)"
    ]
    assert graphql.with_settings(max_document=len(query)).data(query)["organisations"]


def test_huge_whitespace_documents_do_not_grow_the_server(server: Server) -> None:
    """40 documents of 10 MB of whitespace each (they once grew the server by 440 MB, kept):
    refused before parsing, and nothing keeps them, so the server's size stays flat."""
    pid = server.process.pid
    sizes = []
    with httpx.Client(base_url=server.url, timeout=60) as http:
        http.post("/graphql", json={"query": "{ __typename }"})
        before = rss_kib(pid)
        for i in range(40):
            query = "{ __typename }" + " " * (10_000_000 - 20) + str(i)
            response = http.post("/graphql", json={"query": query})
            assert response.status_code == 200
            assert "more than the limit of 100000 (setting max_document)" in response.text
            sizes.append(rss_kib(pid))
    assert max(sizes) - before < 48 * 1024, (before, sizes)


def test_the_parsed_document_cache_is_bounded(graphql: GraphQL) -> None:
    client = graphql.with_settings()
    checks = build_schema(client.settings).checks
    for i in range(PARSED + 10):
        assert client.data(f"{{ a{i}: __typename }}") == {f"a{i}": "Query"}
        assert checks.cached <= PARSED
    assert checks.cached == PARSED
