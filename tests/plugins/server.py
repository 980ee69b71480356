"""A real ``kg serve`` process on 127.0.0.1, for tests that talk HTTP to the service.

* ``kg_server``: one read-only server for the session over a temporary on-disk store (seeded
  with the ontology and the article graph at its first start); yields its base URL.
* ``kg_server_factory``: ``start(env={...}, args=[...]) -> Server`` starts another server with
  extra environment (``KG_WRITE_TOKEN``, ``KG_STORE=http://...`` for a remote store,
  ``KG_QUERY_TIMEOUT``...). Every server it started is stopped at the end of the session.

A ``Server`` has ``url``, ``process``, ``store`` (its KG_STORE) and ``log()`` (its output).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    store: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(
    workdir: Path,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    port: int | None = None,
) -> Server:
    """Start ``kg serve`` with a fresh store under ``workdir`` (on ``port``, else a free one);
    wait until /healthz answers."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    full_env.update(
        {"KG_STORE": str(workdir / "store"), "KG_HOST": "127.0.0.1", "KG_PORT": str(port)}
    )
    full_env.update(env or {})
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=workdir,
        )
    server = Server(f"http://127.0.0.1:{port}", process, full_env["KG_STORE"], log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kg serve exited with {process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return server
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"kg serve did not answer /healthz in {START_TIMEOUT} s:\n{server.log()}")


@pytest.fixture(scope="session")
def kg_server_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(env: Mapping[str, str] | None = None, args: Sequence[str] = ()) -> Server:
        server = start_server(tmp_path_factory.mktemp("kg-serve"), env, args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def kg_server(kg_server_factory: Callable[..., Server]) -> str:
    """The base URL of a read-only ``kg serve`` over the seeded article graph."""
    server: Server = kg_server_factory()
    return server.url
