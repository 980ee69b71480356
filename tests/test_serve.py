"""``kg serve`` as a real process on 127.0.0.1: start-up, limits and refusals over real HTTP."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.model import paths
from kg.settings import Settings
from tests.plugins.listener import Listener
from tests.plugins.server import Server
from tests.plugins.stores import SparqlServer

TOKEN = "serve-test-token-4f1c9a"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def count(url: str) -> int:
    r = httpx.get(f"{url}/sparql", params={"query": COUNT}, timeout=30)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def writable(kg_server_factory: Callable[..., Server]) -> Server:
    """A server with a write token, a 1 s query limit and a 64 KiB body limit."""
    return kg_server_factory(
        env={"KG_WRITE_TOKEN": TOKEN, "KG_QUERY_TIMEOUT": "1", "KG_MAX_BODY": "65536"}
    )


def test_first_start_seeds_the_store_and_serves(kg_server: str) -> None:
    health = httpx.get(f"{kg_server}/healthz").json()
    assert health == {"status": "ok", "store": "answering"}
    expected = len(list(ox.parse(path=str(paths.ARTICLE_GRAPH))))
    assert count(kg_server) >= expected  # the article's quads plus the ontology graph
    graphs = httpx.get(f"{kg_server}/sparql").text  # the service description names them
    assert "https://w3id.org/aikg/graph/ontology" in graphs


def test_an_in_memory_store_is_seeded_in_the_serving_process(
    kg_server_factory: Callable[..., Server],
) -> None:
    server = kg_server_factory(args=["--store", "memory"])
    expected = len(list(ox.parse(path=str(paths.ARTICLE_GRAPH))))
    assert count(server.url) >= expected


def test_read_only_server_says_so_at_start(kg_server_factory: Callable[..., Server]) -> None:
    server = kg_server_factory()
    assert "writes are disabled" in server.log()
    r = httpx.post(
        f"{server.url}/sparql",
        data={"update": "CLEAR ALL"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 403


def test_ontology_and_shapes_are_served(kg_server: str) -> None:
    for route, path in (("/ontology", paths.ONTOLOGY), ("/shapes", paths.SHAPES)):
        r = httpx.get(kg_server + route)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
        assert r.content == path.read_bytes()


def test_updates_need_the_token_and_it_never_reaches_the_log(writable: Server) -> None:
    before = count(writable.url)
    update = "INSERT DATA { GRAPH <urn:serve:g> { <urn:serve:s> <urn:serve:p> 'v' } }"
    r = httpx.post(f"{writable.url}/sparql", data={"update": update})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    r = httpx.post(
        f"{writable.url}/sparql", data={"update": update}, headers={"Authorization": "Bearer x"}
    )
    assert r.status_code == 401
    assert count(writable.url) == before
    r = httpx.post(
        f"{writable.url}/sparql",
        data={"update": update},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 204 and count(writable.url) == before + 1
    assert "writes enabled" in writable.log() and TOKEN not in writable.log()


def test_service_and_load_make_no_outgoing_request(writable: Server, listener: Listener) -> None:
    before = count(writable.url)
    q = f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
    r = httpx.get(f"{writable.url}/sparql", params={"query": q})
    assert r.status_code == 400 and "SERVICE" in r.json()["error"]["message"]
    r = httpx.post(
        f"{writable.url}/sparql",
        data={"update": f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 400 and "LOAD" in r.json()["error"]["message"]
    assert listener.close() == 0
    assert count(writable.url) == before


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children still running."""
    total = 0.0
    for task in [pid, *children(pid)]:
        fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    """The query processes of server ``pid``: its children but the idle worker processes of
    the SPARQL guard's pool (``kg.store.workers``, started by multiprocessing), kept by design."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return [c for c in out if b"multiprocessing" not in _cmdline(c)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_query_past_the_timeout_is_stopped(writable: Server) -> None:
    started = time.monotonic()
    r = httpx.get(f"{writable.url}/sparql", params={"query": SLOW}, timeout=60)
    took = time.monotonic() - started
    assert r.status_code == 503 and r.json()["error"]["code"] == "query_timeout"
    assert "1 s" in r.json()["error"]["message"]
    assert took < 5
    # The work really stopped: a cheap query answers at once, no query process is left, and
    # the server burns no CPU while idle.
    started = time.monotonic()
    assert httpx.get(f"{writable.url}/healthz").status_code == 200
    assert time.monotonic() - started < 1
    time.sleep(0.5)
    assert children(writable.process.pid) == []
    cpu = cpu_seconds(writable.process.pid)
    time.sleep(2)
    assert cpu_seconds(writable.process.pid) - cpu < 0.5


def test_an_oversized_body_is_refused(writable: Server) -> None:
    before = count(writable.url)
    big = "INSERT DATA { GRAPH <urn:serve:big> { <urn:s> <urn:p> '" + "x" * 200_000 + "' } }"
    r = httpx.post(
        f"{writable.url}/sparql",
        content=big,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    assert count(writable.url) == before


def test_export_streams_gzip_over_http(kg_server: str) -> None:
    with httpx.stream("GET", f"{kg_server}/export", headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["content-encoding"] == "gzip"
        assert r.headers.get("transfer-encoding") == "chunked"
        raw = b"".join(r.iter_raw())
    quads = list(ox.parse(gzip.decompress(raw), ox.RdfFormat.TRIG))
    assert len(quads) == count(kg_server)


def test_several_workers_need_a_remote_store(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["KG_STORE"] = str(tmp_path / "store")
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--workers", "2", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert "needs a remote store" in done.stderr


def test_two_workers_over_a_remote_store_agree(
    kg_server_factory: Callable[..., Server], remote_server: SparqlServer
) -> None:
    url = remote_server.url
    server = kg_server_factory(env={"KG_STORE": url}, args=["--workers", "2"])
    answers = {
        httpx.get(
            f"{server.url}/sparql", params={"query": COUNT}, headers={"Connection": "close"}
        ).json()["results"]["bindings"][0]["n"]["value"]
        for _ in range(6)
    }
    assert len(answers) == 1 and int(answers.pop()) > 0
    # The server answers once one worker is up; the second may still be starting.
    deadline = time.monotonic() + 60
    while server.log().count("Application startup complete") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert server.log().count("Application startup complete") == 2


def test_settings_travel_to_workers_in_a_file_only_this_user_reads() -> None:
    from kg.cli.serve import read_settings, write_settings

    settings = Settings(port=9123, query_timeout=2.5, write_token="w", load_article=False)
    path = write_settings(settings)
    try:
        assert read_settings(path) == settings
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
    finally:
        path.unlink()
        path.parent.rmdir()
