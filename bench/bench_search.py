"""Benchmark: full-text search (``search(text:)``, kg/writes/search.py) beside a look-up, same
server.

For each size, the synthetic graph (``bench.generate``, seed 0) and the ontology are bulk-loaded
into an on-disk store and served by ``kg serve`` (one worker, write token set); with
``--remote`` the same store is served by ``oxigraph serve`` and kg reads it over HTTP. Measured
over HTTP, one request at a time, on that one server:

* the anchor: a look-up of one organisation (``node(id:)``, 3 fields and its kinds);
* the first search after the server starts (it builds the index from the store);
* ``search(text:, first: 20)`` for words that match one node, ~2,350 nodes and every node;
* a validated mutation (a new description with a new word) followed by the search that
  finds it (the index follows the store's history before answering).

    .venv/bin/python -m bench.bench_search                          # 200k and 1M triples
    .venv/bin/python -m bench.bench_search --sizes 200000 --remote  # kg over oxigraph serve
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.bench_graphql import build_store, free_port, questions, wait_until_up
from bench.generate import generate
from bench.measure import summary, timed

ID = "https://w3id.org/aikg/id/"
TOKEN = "bench-search-token"
MUTATION = """mutation($id: ID!, $source: ID!, $text: String!) {
  updateOrganisation(id: $id, source: $source, patch: {description: $text}) { __typename } }"""


def searches(blocks: int) -> dict[str, str]:
    """Search requests by how many nodes match."""
    middle = blocks // 2
    return {
        "1 match": f'{{ search(text: "{middle} lab") {{ ... on Node {{ id }} }} }}',
        "~2,350 matches": '{ search(text: "lab organisation") { ... on Node { id } } }',
        "every node": '{ search(text: "synthetic") { ... on Node { id } } }',
        "prefix, kind": '{ search(text: "synth", kinds: ["Unit"]) { ... on Node { id } } }',
    }


def serve(store_dir: Path, remote: bool) -> tuple[str, list[subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_PORT=str(port), KG_LOAD_ARTICLE="false", KG_QUERY_TIMEOUT="120")
    env.update(KG_WRITE_TOKEN=TOKEN, KG_STORE=str(store_dir))
    procs: list[subprocess.Popen[bytes]] = []
    if remote:
        ox_port = free_port()
        oxigraph = str(Path(sys.executable).parent / "oxigraph")
        procs.append(
            subprocess.Popen(
                [oxigraph, "serve", "--location", str(store_dir), "--bind", f"127.0.0.1:{ox_port}"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_until_up(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", procs[0])
        env["KG_STORE"] = f"http://127.0.0.1:{ox_port}/query"
    procs.append(
        subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", procs[-1])
    return url, procs


def measure(size: int, work: Path, requests: int, remote: bool) -> dict[str, Any]:
    data = work / f"synthetic-{size}.nq"
    if not data.exists():
        generate(str(data), triples=size, seed=0)
    store_dir = work / f"search-{size}"
    if not store_dir.exists():
        build_store(data, store_dir)
    blocks = max(1, size // 426)
    url, procs = serve(store_dir, remote)
    http = httpx.Client(timeout=300)
    out: dict[str, Any] = {"size": size}

    def ask(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = http.post(
            f"{url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {TOKEN}"},
        ).json()
        assert not body.get("errors"), body
        return body

    try:
        started = time.perf_counter()
        ask(searches(blocks)["1 match"])
        out["first search (builds the index) s"] = time.perf_counter() - started
        lookup = questions(f"org/s{blocks // 2}-lab")["look-up"][0]
        out["look-up"] = summary(timed(lambda: ask(lookup), requests))
        for name, query in searches(blocks).items():
            out[name] = summary(timed(lambda q=query: ask(q), requests))  # type: ignore[misc]
        found = len(ask(searches(blocks)["1 match"])["data"]["search"])
        assert found >= 1, "the one-match search found nothing"
        after_write: list[float] = []
        for i in range(max(5, requests // 10)):
            b = (i * 7919) % blocks
            word = f"zq{i}x{size}"
            variables = {"id": f"{ID}org/s{b}-lab", "source": f"{ID}source/s{b}", "text": word}
            result = ask(MUTATION, variables)["data"]["updateOrganisation"]
            assert result["__typename"] == "WriteSuccess", result
            started = time.perf_counter()
            hits = ask(f'{{ search(text: "{word}") {{ ... on Node {{ id }} }} }}')
            after_write.append(time.perf_counter() - started)
            assert hits["data"]["search"] == [{"id": f"org/s{b}-lab"}], hits
        out["search right after a write"] = summary(after_write)
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=60)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=200, help="Requests per figure.")
    parser.add_argument("--remote", action="store_true", help="kg over oxigraph serve.")
    parser.add_argument("--workdir", type=Path, help="Keep data and stores here (reused).")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-search-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"# load average {os.getloadavg()[0]:.1f}; store: {'remote' if args.remote else 'embedded'}"
    )
    for size in args.sizes:
        fig = measure(size, work, args.requests, args.remote)
        anchor = fig["look-up"]["p50_ms"]
        print(
            f"\n{size:,} triples; first search (builds the index): "
            f"{fig['first search (builds the index) s']:.2f} s"
        )
        print(f"{'request':28} {'p50 ms':>8} {'p99 ms':>8} {'/ look-up p50':>14}")
        for name, value in fig.items():
            if isinstance(value, dict):
                print(
                    f"{name:28} {value['p50_ms']:8.2f} {value['p99_ms']:8.2f} "
                    f"{value['p50_ms'] / anchor:13.1f}x"
                )
    print(f"# load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
