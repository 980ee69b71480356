"""Readers and one writer: real ``kg serve`` replicas over one SPARQL server of each engine.

Two readers (``KG_WRITER_URL`` set) and one writer (``KG_WRITE_TOKEN``) over Oxigraph and over
Virtuoso. Writes are sent through every replica at once; each acknowledged write
(``WriteSuccess``) must be in the store exactly once and read by every replica, also when a
reader is killed (SIGKILL) in the middle of the stream, and when the writer is killed and
started again (writes sent meanwhile are refused with ``WRITER_UNAVAILABLE``, never lost
silently once acknowledged).
"""

from __future__ import annotations

import itertools
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kg.store.opening import open_store
from kg.writes import history
from tests.plugins.graphql_client import TOKEN
from tests.plugins.server import Server, free_port, start_server
from tests.plugins.stores import SparqlServer

pytestmark = pytest.mark.slow

ID = "https://w3id.org/aikg/id/"
SOURCE = f"{ID}source/seemless-article"
CREATE = """mutation($label: String!, $source: ID!) {
  createOrganisation(source: $source, input: {label: $label, kinds: [AI_LAB]}) {
    __typename ... on WriteSuccess { id }
  }
}"""
LABELS = """SELECT ?label (COUNT(?o) AS ?n) WHERE {
  ?o a <http://www.w3.org/ns/org#FormalOrganization> ;
     <http://www.w3.org/2000/01/rdf-schema#label> ?label
  FILTER(STRSTARTS(?label, "Topology lab")) } GROUP BY ?label"""
TRIPLE = '<http://example.org/s> <http://example.org/p> "via reader"'


@dataclass
class Topology:
    writer: Server
    readers: list[Server]
    writer_port: int
    env: dict[str, str]
    workdir: Path
    acknowledged: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=itertools.count)

    @property
    def replicas(self) -> list[Server]:
        return [*self.readers, self.writer]

    def write_through(self, server: Server, http: httpx.Client) -> str:
        """One createOrganisation sent to ``server``: its outcome (the typename or an error
        code); an acknowledged label is remembered."""
        label = f"Topology lab {next(self.counter)}"
        try:
            response = http.post(
                f"{server.url}/graphql",
                json={"query": CREATE, "variables": {"label": label, "source": SOURCE}},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        except httpx.TransportError:
            return "no answer"
        if response.status_code != 200:  # GraphQL's shape, as WRITER_UNAVAILABLE...
            errors = response.json().get("errors") or [{}]
            return str(errors[0].get("extensions", {}).get("code", response.status_code))
        body = response.json()
        assert not body.get("errors"), body
        outcome = str(body["data"]["createOrganisation"]["__typename"])
        if outcome == "WriteSuccess":
            with self.lock:
                self.acknowledged.add(label)
        return outcome

    def labels_seen_by(self, server: Server) -> dict[str, int]:
        response = httpx.post(
            f"{server.url}/sparql",
            data={"query": LABELS},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        response.raise_for_status()
        rows = response.json()["results"]["bindings"]
        return {r["label"]["value"]: int(r["n"]["value"]) for r in rows}

    def restart_writer(self) -> None:
        self.writer = start_server(self.workdir / "writer-again", self.env, port=self.writer_port)


@pytest.fixture
def topology(remote_server: SparqlServer, tmp_path: Path) -> Iterator[Topology]:
    port = free_port()
    env = {"KG_STORE": remote_server.url, "KG_WRITE_TOKEN": TOKEN}
    writer = start_server(tmp_path / "writer", env, port=port)
    reader_env = {"KG_STORE": remote_server.url, "KG_WRITER_URL": f"http://127.0.0.1:{port}"}
    readers = [start_server(tmp_path / f"reader{i}", reader_env) for i in (1, 2)]
    topo = Topology(writer, readers, port, env, tmp_path)
    yield topo
    for server in topo.replicas:
        server.stop()
    assert all(TOKEN not in server.log() for server in topo.replicas)


def stream(
    topo: Topology, servers: list[Server], count: int, during: Callable[[int], None] | None = None
) -> list[str]:
    """``count`` writes per server, sent from one thread per server; ``during(i)`` is called by
    the first thread before its i-th write."""
    outcomes: list[str] = []

    def run(server: Server, first: bool) -> None:
        with httpx.Client(timeout=60) as http:
            for i in range(count):
                if first and during is not None:
                    during(i)
                outcome = topo.write_through(server, http)
                with topo.lock:
                    outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(s, n == 0)) for n, s in enumerate(servers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return outcomes


def assert_every_acknowledged_write_once(topo: Topology, servers: list[Server]) -> None:
    for server in servers:
        seen = topo.labels_seen_by(server)
        assert topo.acknowledged <= set(seen), sorted(topo.acknowledged - set(seen))[:5]
        assert all(n == 1 for n in seen.values()), {k: n for k, n in seen.items() if n != 1}


@pytest.mark.timeout(900)
def test_writes_through_any_replica_land_once_and_every_replica_reads_them(
    topology: Topology, remote_server: SparqlServer
) -> None:
    outcomes = stream(topology, topology.replicas, 6)
    assert outcomes.count("WriteSuccess") == 18, outcomes
    assert_every_acknowledged_write_once(topology, topology.replicas)
    # a SPARQL Update sent to a reader is applied by the writer, with the caller's token
    update = f"INSERT DATA {{ GRAPH <http://example.org/t> {{ {TRIPLE} }} }}"
    reader = topology.readers[0]
    refused = httpx.post(f"{reader.url}/sparql", data={"update": update}, timeout=60)
    assert refused.status_code == 401
    sent = httpx.post(
        f"{reader.url}/sparql",
        data={"update": update},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=60,
    )
    assert sent.status_code == 204, sent.text
    for server in topology.replicas:
        rows = httpx.get(
            f"{server.url}/sparql",
            params={"query": f"ASK {{ {TRIPLE} }}"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        assert rows["boolean"] is True
    store = open_store(remote_server.url)
    try:
        report = history.validate(store)
    finally:
        store.close()
    assert report.conforms, report.to_text()
    assert "reader: mutations and SPARQL Updates go to the writer" in topology.readers[0].log()


@pytest.mark.timeout(900)
def test_killing_a_reader_mid_stream_loses_no_acknowledged_write(topology: Topology) -> None:
    victim = topology.readers[0]

    def kill(i: int) -> None:
        if i == 3:
            victim.process.send_signal(signal.SIGKILL)
            victim.process.wait(timeout=30)

    outcomes = stream(topology, [victim, topology.readers[1], topology.writer], 8, kill)
    assert "no answer" in outcomes  # the killed reader stopped answering
    assert outcomes.count("WriteSuccess") >= 16, outcomes
    assert_every_acknowledged_write_once(topology, [topology.readers[1], topology.writer])


@pytest.mark.timeout(900)
def test_killing_the_writer_mid_stream_loses_no_acknowledged_write(topology: Topology) -> None:
    def kill_and_restart(i: int) -> None:
        if i == 3:
            topology.writer.process.send_signal(signal.SIGKILL)
            topology.writer.process.wait(timeout=30)
        if i == 6:
            topology.restart_writer()

    outcomes = stream(topology, topology.readers, 10, kill_and_restart)
    assert "WRITER_UNAVAILABLE" in outcomes, outcomes  # refused while it was down
    assert outcomes.count("WriteSuccess") >= 8, outcomes  # before the kill and after the restart
    assert_every_acknowledged_write_once(topology, topology.replicas)
    # writes go on through the readers once the writer is back
    with httpx.Client(timeout=60) as http:
        assert topology.write_through(topology.readers[1], http) == "WriteSuccess"
