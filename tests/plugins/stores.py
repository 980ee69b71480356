"""Store fixtures: real SPARQL server processes of two engines, and fresh stores of each kind.

* ``oxigraph_server``: one ``oxigraph serve`` process for the session, on 127.0.0.1 and a free
  port, over a temporary directory, with a server-side query limit (``--timeout-s``). Its
  ``.url`` is the query endpoint (``http://127.0.0.1:<port>/query``).
* ``virtuoso_server``: one Virtuoso 7 for the session (``tests/plugins/virtuoso.py``); ``.url``
  is ``http://127.0.0.1:<port>/sparql``.
* ``remote_server``: parametrized over both engines (``REMOTE_ENGINES``), emptied for the test;
  ``.url``, ``.base``, ``.engine``.
* ``store``: parametrized ``["embedded", "oxigraph", "virtuoso"]``: an empty on-disk pyoxigraph
  store in a temporary directory, or a server emptied (``DROP ALL``) for the test.
* ``article_store``: the same, holding the ontology graph and the shipped article graphs.
* ``store_kind``: which of them the current test runs on.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.errors import QueryTimeout
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import Store
from tests.plugins.virtuoso import VirtuosoServer, start_virtuoso, virtuoso_missing

#: The SPARQL engines every remote-store test runs over.
REMOTE_ENGINES = ["oxigraph", "virtuoso"]
STORE_KINDS = ["embedded", *REMOTE_ENGINES]

#: The server stops any query after this many seconds (its own limit, not just the client's).
SERVER_TIMEOUT_S = 5


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def oxigraph_binary() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph command is missing: pip install oxigraph")
    return found


@dataclass
class OxigraphServer:
    process: subprocess.Popen[bytes]
    port: int
    location: Path

    engine = "oxigraph"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/query"


def start_oxigraph(location: Path, *, timeout_s: int = SERVER_TIMEOUT_S) -> OxigraphServer:
    """Start ``oxigraph serve`` on loopback and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout-s",
            str(timeout_s),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = OxigraphServer(process, port, location)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            raise RuntimeError(f"oxigraph serve exited with {process.returncode}: {err}")
        try:
            httpx.get(f"{server.base}/query", params={"query": "ASK {}"}, timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("oxigraph serve did not answer within 30 s")


def stop_oxigraph(server: OxigraphServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.process.stderr:
        server.process.stderr.close()


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[OxigraphServer]:
    with tempfile.TemporaryDirectory(prefix="kg-oxigraph-") as tmp:
        server = start_oxigraph(Path(tmp) / "data")
        try:
            yield server
        finally:
            stop_oxigraph(server)


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[VirtuosoServer]:
    missing = virtuoso_missing()
    if missing is not None:
        raise RuntimeError(missing)
    with tempfile.TemporaryDirectory(prefix="kg-virtuoso-") as tmp:
        server = start_virtuoso(Path(tmp), free_port(), free_port())
        try:
            yield server
        finally:
            server.stop()


SparqlServer = OxigraphServer | VirtuosoServer


def empty(url: str) -> None:
    """Remove every graph kg's dataset holds from the server at ``url``.

    Virtuoso answers "Transaction timed out" while the locks of an update whose client was
    killed (the durability tests kill kg serve mid-write) are still held: tried again then."""
    store = open_store(url)
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                store.update("DROP ALL")
                return
            except QueryTimeout:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
    finally:
        store.close()


@pytest.fixture(params=REMOTE_ENGINES)
def remote_server(request: pytest.FixtureRequest) -> SparqlServer:
    """A SPARQL server of each engine, emptied for the test."""
    server: SparqlServer = request.getfixturevalue(f"{request.param}_server")
    empty(server.url)
    return server


def _fresh(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    if kind == "embedded":
        return open_store(str(tmp_path / "store"))
    server: SparqlServer = request.getfixturevalue(f"{kind}_server")
    empty(server.url)
    return open_store(server.url)


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def store(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh, empty store of each kind."""
    opened = _fresh(store_kind, tmp_path, request)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def article_store(store: Store) -> Store:
    """A fresh store of each kind holding the ontology and the shipped article graphs."""
    ensure_seeded(store)
    return store


XSD = "http://www.w3.org/2001/XMLSchema#"


def as_virtuoso_keeps(quads: list[ox.Quad]) -> list[ox.Quad]:
    """``quads`` as a dump of a Virtuoso 7.2 store gives them back (docs/sparql.md, "SPARQL
    engines"): a whole ``xsd:decimal`` as an ``xsd:integer`` ("40"^^xsd:decimal reads
    "40"^^xsd:integer); the rest unchanged (booleans survive a dump; only SELECT answers give them
    as 1 and 0)."""

    def kept(term: ox.Term) -> ox.Term:
        if (
            isinstance(term, ox.Literal)
            and term.datatype == ox.NamedNode(XSD + "decimal")
            and float(term.value).is_integer()
        ):
            return ox.Literal(str(int(float(term.value))), datatype=ox.NamedNode(XSD + "integer"))
        return term

    return [ox.Quad(q.subject, q.predicate, kept(q.object), q.graph_name) for q in quads]
