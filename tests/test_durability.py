"""Durability: a real ``kg serve`` killed with SIGKILL in the middle of a stream of writes keeps
every write it acknowledged, and no write only in part.

Four clients send batches (``recordSource`` with several facts) and single writes; after a few
seconds the server is killed without warning, restarted over the same store, and the store is
read back. On the remote store the kill hits kg while the Oxigraph server keeps running.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.plugins.graphql_client import TOKEN, LiveClient
from tests.plugins.server import Server, start_server

pytestmark = pytest.mark.slow

ID = "https://w3id.org/aikg/id/"
FACTS = 6
STREAM_SECONDS = 6.0
WRITERS = 4

BATCH = """mutation($input: SourceInput!) {
  recordSource(input: $input) { __typename ... on WriteSuccess { id created } }
}"""
SINGLE = """mutation($source: ID!, $label: String!) {
  createPerson(source: $source, input: {label: $label}) { __typename ... on WriteSuccess { id } }
}"""


def batch(tag: str) -> dict[str, object]:
    return {
        "title": f"Durability report {tag}",
        "publisher": f"{ID}org/seemless",
        "facts": [{"person": {"label": f"Durability {tag} person {k}"}} for k in range(FACTS)],
    }


def stream(
    server: Server, writer: int, acked: list[tuple[str, str]], stop: threading.Event
) -> None:
    client = LiveClient(server.url)
    i = 0
    try:
        while not stop.is_set():
            tag = f"w{writer}-{i}"
            try:
                if i % 2 == 0:
                    result = client.graphql(BATCH, input=batch(tag))["recordSource"]
                    kind = "batch"
                else:
                    result = client.graphql(
                        SINGLE,
                        source=f"{ID}source/seemless-article",
                        label=f"Durability single {tag}",
                    )["createPerson"]
                    kind = "single"
            except (httpx.HTTPError, ValueError):
                return  # the server is gone: this write was never acknowledged
            assert result["__typename"] == "WriteSuccess", result
            acked.append((kind, result["id"]))
            i += 1
    finally:
        client.close()


@pytest.mark.timeout(180)
def test_sigkill_mid_stream_keeps_every_acknowledged_write_whole(
    tmp_path: Path, writer_env: dict[str, str]
) -> None:
    server = start_server(tmp_path, writer_env)
    acked: list[tuple[str, str]] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=stream, args=(server, w, acked, stop)) for w in range(WRITERS)
    ]
    for t in threads:
        t.start()
    time.sleep(STREAM_SECONDS)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert len(acked) > 10, "too few writes were acknowledged to test anything"
    print(f"{len(acked)} writes acknowledged before SIGKILL")

    restarted = start_server(tmp_path, writer_env)
    client = LiveClient(restarted.url)
    try:
        persons = {
            r["p"]
            for r in client.select(
                "SELECT ?p WHERE { GRAPH ?g { ?p a <https://schema.org/Person> ; "
                "<http://www.w3.org/2000/01/rdf-schema#label> ?l } "
                'FILTER(STRSTARTS(?l, "Durability")) }'
            )
        }
        per_source = {
            r["s"]: int(r["n"])
            for r in client.select(
                "SELECT ?s (COUNT(?p) AS ?n) WHERE { GRAPH ?g { "
                "?s <http://purl.org/dc/terms/title> ?t "
                'FILTER(STRSTARTS(?t, "Durability report")) '
                "OPTIONAL { ?p a <https://schema.org/Person> } } } GROUP BY ?s"
            )
        }
        changes = client.all_changes()
    finally:
        client.close()
        restarted.stop()

    # every acknowledged write is there, whole
    for kind, node in acked:
        if kind == "single":
            assert node in persons, f"acknowledged {node} is missing after the restart"
        else:
            assert per_source.get(node) == FACTS, f"batch {node} is not whole"
    # and no write is there in part, acknowledged or not
    assert set(per_source.values()) <= {FACTS}, per_source
    assert len(changes) >= len(acked)
    assert TOKEN not in server.log() + restarted.log()
