"""Slow clients cannot hold connections forever: request heads and bodies have deadlines,
and past ``max_connections`` the server answers 503 instead of queueing without end."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.plugins.server import Server


@pytest.fixture(scope="module")
def server(kg_server_factory: Callable[..., Server]) -> Iterator[Server]:
    env = {"KG_HEADER_TIMEOUT": "2", "KG_BODY_TIMEOUT": "2", "KG_MAX_CONNECTIONS": "4"}
    server = kg_server_factory(env=env)
    yield server
    server.stop()


def connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closed ``sock`` (reading what it sent meanwhile)."""
    started = time.monotonic()
    sock.settimeout(seconds)
    while sock.recv(65536):
        pass
    return time.monotonic() - started


def test_a_request_head_sent_slowly_is_cut_off(server: Server) -> None:
    sock = connect(server)
    started = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    with pytest.raises(OSError):  # the server closes it: sending fails at last
        for i in range(20):
            time.sleep(0.5)
            sock.sendall(b"X-Slow-%d: 1\r\n" % i)
    assert time.monotonic() - started < 6
    sock.close()


def test_a_connection_that_sends_nothing_is_closed(server: Server) -> None:
    sock = connect(server)
    assert closed_within(sock, 8) < 6
    sock.close()


def test_a_body_sent_slowly_gets_408(server: Server) -> None:
    sock = connect(server)
    started = time.monotonic()
    sock.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"query"'
    )
    sock.settimeout(10)
    answer = b""
    while b"\r\n\r\n" not in answer or b"}}]}" not in answer:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer += chunk
    assert time.monotonic() - started < 6
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert (
        b'{"errors":[{"message":"the request body did not arrive within 2 s' in answer
        and b'"extensions":{"code":"BODY_TIMEOUT"}' in answer
    )
    sock.close()


def test_past_max_connections_the_server_answers_503_and_recovers(server: Server) -> None:
    idle = [connect(server) for _ in range(4)]
    time.sleep(0.3)
    busy = httpx.get(f"{server.url}/healthz", timeout=10)
    assert busy.status_code == 503
    for sock in idle:
        sock.close()
    time.sleep(0.5)
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
