"""Store fixtures: real SPARQL server processes of two engines, and stores of each kind.

* ``oxigraph_server``: one ``oxigraph serve`` process for the session (per xdist worker), on
  127.0.0.1 and a free port, over a temporary directory, with a server-side query limit
  (``--timeout-s``). Its ``.url`` is the query endpoint (``http://127.0.0.1:<port>/query``).
* ``virtuoso_server``: one Virtuoso 7 for the session (``tests/plugins/virtuoso.py``); ``.url``
  is ``http://127.0.0.1:<port>/sparql``.
* ``remote_server``: parametrized over both engines (``REMOTE_ENGINES``), emptied for the test;
  ``.url``, ``.base``, ``.engine``.
* ``store``: parametrized ``["embedded", "oxigraph", "virtuoso"]``: an empty on-disk pyoxigraph
  store in a temporary directory, or one of the servers above emptied (``DROP ALL``) for the test.
* ``article_store``: a store of each kind holding the ontology graph and the shipped article
  graphs: a new embedded store, or a second server of each engine kept seeded for the whole
  session (:class:`Seeded`): before each test, what it holds is compared with what it held once
  seeded, and whatever a test changed is put back, so a test may write to it freely.
* ``store_kind``: which of them the current test runs on.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.errors import KgError, QueryTimeout
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import INSERT_CHUNK, Store
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


SparqlServer = OxigraphServer | VirtuosoServer


def _start(engine: str, tmp: Path) -> SparqlServer:
    if engine == "oxigraph":
        return start_oxigraph(tmp / "data")
    missing = virtuoso_missing()
    if missing is not None:
        raise RuntimeError(missing)
    return start_virtuoso(tmp, free_port(), free_port())


def _stop(server: SparqlServer) -> None:
    if isinstance(server, OxigraphServer):
        stop_oxigraph(server)
    else:
        server.stop()


@contextlib.contextmanager
def _running(engine: str) -> Iterator[SparqlServer]:
    with tempfile.TemporaryDirectory(prefix=f"kg-{engine}-") as tmp:
        server = _start(engine, Path(tmp))
        try:
            yield server
        finally:
            _stop(server)


@pytest.fixture(scope="session")
def oxigraph_server() -> Iterator[SparqlServer]:
    with _running("oxigraph") as server:
        yield server


@pytest.fixture(scope="session")
def virtuoso_server() -> Iterator[SparqlServer]:
    with _running("virtuoso") as server:
        yield server


def empty(url: str) -> None:
    """Remove every graph kg's dataset holds from the server at ``url``.

    Virtuoso answers "Transaction timed out" while the locks of an update whose client was
    killed (the durability tests kill kg serve mid-write) are still held: tried again then."""
    store = open_store(url)
    deadline = time.monotonic() + 180
    try:
        while True:
            try:
                if not store.is_empty():
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


#: The engine's own graphs (Virtuoso keeps its settings in RDF), left out, exactly these: a
#: test's relative graph IRI resolves against the server's address (``http://localhost:8890/g``).
ENGINE_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://localhost:8890/sparql",
    "http://localhost:8890/DAV/",
    "http://www.w3.org/ns/ldp#",
)
#: Every quad a server holds but in the engine's own graphs.
HOLDINGS = (
    "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
    f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in ENGINE_GRAPHS)})) }}"
)
#: Past this many changed quads a test's changes are not undone one by one: seeded again.
MOST_PUT_BACK = 2_000


@dataclass(frozen=True)
class Holdings:
    quads: Counter[ox.Quad]
    graphs: frozenset[ox.NamedNode]


class Seeded:
    """A server of one engine holding the ontology and the article graphs for the session.

    ``ready()`` makes it hold exactly what it held right after seeding: what a test added is
    taken out (a graph the seed has none of is dropped whole), what it removed is put back, and
    the result is checked again; where that cannot be done exactly (a blank node changed, too
    many changes, an engine that rewrote a value) the server is emptied and seeded again."""

    def __init__(self, server: SparqlServer) -> None:
        self.server = server
        self._pristine: Holdings | None = None

    def holdings(self) -> Holdings:
        store = open_store(self.server.url)
        try:
            rows = store.select(HOLDINGS)
            # The graphs as kg lists them (empty ones too, which an export asks for).
            graphs = {ox.NamedNode(g) for g in store.named_graphs() if g not in ENGINE_GRAPHS}
        finally:
            store.close()
        quads = Counter(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)  # type: ignore[arg-type]
        return Holdings(quads, frozenset(graphs | {q.graph_name for q in quads}))  # type: ignore[arg-type]

    def ready(self) -> None:
        found = self.holdings()
        if found == self._pristine:
            return
        if self._pristine is not None and self._put_back(found):
            return
        empty(self.server.url)
        store = open_store(self.server.url)
        try:
            ensure_seeded(store)
        finally:
            store.close()
        self._pristine = self.holdings()

    def _put_back(self, found: Holdings) -> bool:
        pristine = self._pristine
        assert pristine is not None
        changed = (found.quads - pristine.quads) + (pristine.quads - found.quads)
        if sum(changed.values()) > MOST_PUT_BACK:
            return False
        new_graphs = sorted(str(g) for g in found.graphs - pristine.graphs)
        # Every value of each (graph, subject, property) that changed is deleted and the seed's
        # are inserted again: an engine may keep a value in another form than it was written
        # (Virtuoso a dateTime's fraction), so deleting exactly what a test wrote can miss.
        keys = {(q.graph_name, q.subject, q.predicate) for q in changed}
        keys = {k for k in keys if k[0] in pristine.graphs}
        again = [q for q in pristine.quads if (q.graph_name, q.subject, q.predicate) in keys]
        if any(isinstance(k[1], ox.BlankNode) for k in keys) or any(
            isinstance(q.object, ox.BlankNode) for q in again
        ):
            return False  # a blank node cannot be named in an update
        # Virtuoso's DROP leaves a graph it did not see created (CREATE GRAPH) as it is: cleared
        # first; Oxigraph's CLEAR keeps the graph, empty: dropped then.
        operations = [f"CLEAR SILENT GRAPH {g} ;\nDROP SILENT GRAPH {g}" for g in new_graphs]
        operations += [
            f"DELETE WHERE {{ GRAPH {g} {{ {s} {p} ?o }} }}" for g, s, p in sorted(keys, key=str)
        ]
        operations += _data("INSERT", again)
        store = open_store(self.server.url)
        try:
            store.update(" ;\n".join(operations))
        except KgError:
            return False
        finally:
            store.close()
        return self.holdings() == self._pristine


def _data(verb: str, quads: list[ox.Quad]) -> list[str]:
    """``INSERT DATA`` (or ``DELETE DATA``) operations for ``quads``, ``INSERT_CHUNK`` at most
    each."""
    return [
        f"{verb} DATA {{ "
        + " ".join(
            f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"
            for q in quads[at : at + INSERT_CHUNK]
        )
        + " }"
        for at in range(0, len(quads), INSERT_CHUNK)
    ]


def _seeded(engine: str) -> Iterator[Seeded]:
    with _running(engine) as server:
        yield Seeded(server)


@pytest.fixture(scope="session")
def seeded_oxigraph() -> Iterator[Seeded]:
    yield from _seeded("oxigraph")


@pytest.fixture(scope="session")
def seeded_virtuoso() -> Iterator[Seeded]:
    yield from _seeded("virtuoso")


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
def article_store(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Store]:
    """A store of each kind holding the ontology and the shipped article graphs (the test may
    write to it: a remote one is put back before the next test, an embedded one is new)."""
    if store_kind == "embedded":
        opened = open_store(str(tmp_path / "store"))
        ensure_seeded(opened)
    else:
        seeded: Seeded = request.getfixturevalue(f"seeded_{store_kind}")
        seeded.ready()
        opened = open_store(seeded.server.url)
    try:
        yield opened
    finally:
        opened.close()


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
