"""Concurrency: 8 writers and 32 readers at once against a real ``kg serve``, for a bounded time.

Writers record batches (``recordSource`` with several facts); every fourth batch (the second of
each writer first) breaks a shape on purpose and must come back as ``ValidationFailed``. Readers
count, over SPARQL, the facts of every batch they can see, and read the history over GraphQL.
Expected: no error but those validation failures, every acknowledged batch present (no lost
write), no refused batch present, and every reader only ever sees whole batches.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.graphql_client import LiveClient
from tests.plugins.server import start_server

pytestmark = pytest.mark.slow

ID = "https://w3id.org/aikg/id/"
WRITERS = 8
READERS = 32
SECONDS = 12.0
FACTS = 4

BATCH = """mutation($input: SourceInput!) {
  recordSource(input: $input) {
    __typename
    ... on WriteSuccess { id }
    ... on ValidationFailed { violations { focusNode message } }
  }
}"""
COUNTS = (
    "SELECT ?s (COUNT(?p) AS ?n) WHERE { GRAPH ?g { "
    "?s <http://purl.org/dc/terms/title> ?t "
    'FILTER(STRSTARTS(?t, "Concurrency report")) '
    "OPTIONAL { ?p a <https://schema.org/Person> } } } GROUP BY ?s"
)


class Outcome:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acked: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.partial: list[dict[str, int]] = []
        self.reads = 0


def writer(url: str, w: int, out: Outcome, deadline: float) -> None:
    client = LiveClient(url)
    i = 0
    try:
        while time.monotonic() < deadline:
            tag = f"w{w}-{i}"
            bad = i % 4 == 1
            facts = [
                {"person": {"label": "" if bad and k == 0 else f"Concurrency {tag} person {k}"}}
                for k in range(FACTS)
            ]
            title = f"Concurrency report {tag}"
            try:
                result = client.graphql(
                    BATCH,
                    input={"title": title, "publisher": f"{ID}org/seemless", "facts": facts},
                )["recordSource"]
            except Exception as exc:  # any failure is an error of the test's subject
                with out.lock:
                    out.errors.append(f"writer {tag}: {exc!r}")
                continue
            with out.lock:
                if result["__typename"] == "WriteSuccess" and not bad:
                    out.acked.append(result["id"])
                elif result["__typename"] == "ValidationFailed" and bad:
                    out.refused.append(title)
                else:
                    out.errors.append(f"writer {tag}: unexpected {result}")
            i += 1
    finally:
        client.close()


def reader(url: str, r: int, out: Outcome, deadline: float) -> None:
    client = LiveClient(url, token=None)
    try:
        while time.monotonic() < deadline:
            try:
                counts: dict[str, Any] = {row["s"]: int(row["n"]) for row in client.select(COUNTS)}
                if r % 4 == 0:
                    client.graphql("{ changes(limit: 5) { id operation } }")
            except Exception as exc:  # any failure is an error of the test's subject
                with out.lock:
                    out.errors.append(f"reader {r}: {exc!r}")
                continue
            with out.lock:
                out.reads += 1
                if any(n != FACTS for n in counts.values()):
                    out.partial.append(counts)
    finally:
        client.close()


@pytest.mark.timeout(240)
def test_eight_writers_and_thirty_two_readers(tmp_path: Path, writer_env: dict[str, str]) -> None:
    server = start_server(tmp_path, writer_env)
    out = Outcome()
    deadline = time.monotonic() + SECONDS
    threads = [
        threading.Thread(target=writer, args=(server.url, w, out, deadline)) for w in range(WRITERS)
    ] + [
        threading.Thread(target=reader, args=(server.url, r, out, deadline)) for r in range(READERS)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        check = LiveClient(server.url)
        final = {row["s"]: int(row["n"]) for row in check.select(COUNTS)}
        history = check.all_changes("operation")
        check.close()
    finally:
        server.stop()

    print(f"{len(out.acked)} batches written, {len(out.refused)} refused, {out.reads} reads")
    assert out.errors == []
    assert out.partial == []
    assert len(out.acked) >= WRITERS and len(out.refused) >= 1 and out.reads >= READERS
    assert sorted(final) == sorted(out.acked)  # no lost write, no refused batch
    assert set(final.values()) == {FACTS}
    recorded = [c for c in history if c["operation"] == "recordSource"]
    assert len(recorded) == len(out.acked)
