"""Does one ``oxigraph serve`` let two guarded compare-and-swap updates both commit?

kg's update precondition is the history head: ``DELETE { head } INSERT { new head, record }
WHERE { head = X }``. If the server ran updates one at a time, of two updates guarded on the
same head only one could match. This starts ``oxigraph serve`` on 127.0.0.1 over a temporary
directory; ``--clients`` threads each loop: read the head, send the update guarded on it (the
same SPARQL kg sends, ``kg.writes.history.head_guard``), then ask whether its record was committed.
A committed record names the head it was guarded on; two committed records naming the same
head are two updates that both matched, each on a snapshot without the other (a fork).

    .venv/bin/python -m bench.bench_forks --clients 4 --rounds 200
"""

from __future__ import annotations

import argparse
import collections
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

G, LOG, LATEST, PREV = "<urn:g>", "<urn:log>", "<urn:latest>", "<urn:prev>"
RESULTS = {"Accept": "application/sparql-results+json"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def client(base: str, rounds: int, committed: list[tuple[str, str | None]]) -> None:
    with httpx.Client(timeout=30) as http:
        for _ in range(rounds):
            rows = http.post(
                f"{base}/query",
                data={"query": f"SELECT ?h WHERE {{ GRAPH {G} {{ {LOG} {LATEST} ?h }} }}"},
                headers=RESULTS,
            ).json()["results"]["bindings"]
            head = rows[0]["h"]["value"] if rows else None
            me = f"urn:change:{uuid.uuid4().hex}"
            if head is None:
                where, prev = f"FILTER NOT EXISTS {{ GRAPH {G} {{ {LOG} {LATEST} ?any }} }}", ""
            else:
                where = f"GRAPH {G} {{ {LOG} {LATEST} <{head}> . {LOG} {LATEST} ?head }}"
                prev = f"<{me}> {PREV} <{head}> ."
            update = (
                f"DELETE {{ GRAPH {G} {{ {LOG} {LATEST} ?head }} }} "
                f"INSERT {{ GRAPH {G} {{ {LOG} {LATEST} <{me}> . "
                f"<{me}> a <urn:Change> . {prev} }} }} "
                f"WHERE {{ {where} }}"
            )
            http.post(f"{base}/update", data={"update": update}).raise_for_status()
            ask = f"ASK {{ GRAPH {G} {{ <{me}> a <urn:Change> }} }}"
            if http.post(f"{base}/query", data={"query": ask}, headers=RESULTS).json()["boolean"]:
                committed.append((me, head))  # list.append is atomic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=200, help="updates per client")
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as location:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "oxigraph"), "serve", "--location", location,
             "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    httpx.get(f"{base}/")
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            committed: list[tuple[str, str | None]] = []
            threads = [
                threading.Thread(target=client, args=(base, args.rounds, committed))
                for _ in range(args.clients)
            ]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=10)
    followers = collections.Counter(head for _, head in committed)
    forks = sum(1 for n in followers.values() if n > 1)
    print(
        f"{args.clients} clients x {args.rounds} guarded updates in {seconds:.1f} s: "
        f"{len(committed)} committed, {forks} heads followed by more than one committed update"
    )


if __name__ == "__main__":
    main()
