"""Latency of one validated write, on a small and on a ~1M-triple graph, in the same run.

For each size the synthetic graph (``bench.generate``) and the ontology are bulk-loaded into an
on-disk pyoxigraph store; then a real ``kg serve`` (one worker, 127.0.0.1) takes a stream of
``updateOrganisation`` mutations over HTTP, one at a time, each changing the description of a
different synthetic organisation (validated with pySHACL on the nodes it touches, committed as
one SPARQL Update with its history record). The same write is then timed in-process
(``kg.writes.commit.write``, no HTTP). Last, for comparison, the whole 1M graph is validated with
``pyshacl.validate`` (what a write would cost if it validated everything).

    .venv/bin/python -m bench.bench_write                      # 10k and 1M, full validation
    .venv/bin/python -m bench.bench_write --sizes 10000 --requests 100 --no-full
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox

from bench.generate import generate

TOKEN = "bench-write-token"
ID = "https://w3id.org/aikg/id/"
MUTATION = """mutation($id: ID!, $source: ID!, $text: String!) {
  updateOrganisation(id: $id, source: $source, patch: {description: $text}) {
    __typename ... on ValidationFailed { violations { message } }
  }
}"""


def load(nquads: Path, location: Path) -> None:
    from kg.model import paths
    from kg.model.namespaces import ONTOLOGY_GRAPH

    store = ox.Store(str(location))
    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(
        path=str(paths.ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ONTOLOGY_GRAPH)
    )
    store.flush()
    del store


def serve(location: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env |= {
        "KG_STORE": str(location),
        "KG_PORT": str(port),
        "KG_HOST": "127.0.0.1",
        "KG_WRITE_TOKEN": TOKEN,
        "KG_LOAD_ARTICLE": "false",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve"], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"kg serve did not start:\n{log.read_text()}")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def blocks(triples: int) -> int:
    return max(1, triples // 426)


def variables(i: int, size: int) -> dict[str, Any]:
    b = (i * 7919) % blocks(size)
    return {"id": f"{ID}org/s{b}-lab", "source": f"{ID}source/s{b}", "text": f"Synthetic {i}"}


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "n": len(ordered),
    }


def over_http(locations: dict[int, Path], requests: int, workdir: Path) -> dict[int, Any]:
    """One server per size; requests alternate between them, so load noise hits all alike."""
    ports = {size: free_port() for size in locations}
    servers = {
        size: serve(location, ports[size], workdir / f"serve-{size}.log")
        for size, location in locations.items()
    }
    samples: dict[int, list[float]] = {size: [] for size in locations}
    headers = {"Authorization": f"Bearer {TOKEN}"}
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(requests + 20):
                for size in locations:
                    url = f"http://127.0.0.1:{ports[size]}/graphql"
                    body = {"query": MUTATION, "variables": variables(i, size)}
                    start = time.perf_counter()
                    response = client.post(url, json=body, headers=headers)
                    elapsed = time.perf_counter() - start
                    result = response.json()["data"]["updateOrganisation"]
                    assert result["__typename"] == "WriteSuccess", result
                    if i >= 20:  # warm-up
                        samples[size].append(elapsed)
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    return {size: percentiles(found) for size, found in samples.items()}


def in_process(locations: dict[int, Path], requests: int) -> dict[int, Any]:
    """The same writes through ``kg.writes.commit.write`` directly, alternating between the
    sizes."""
    from strawberry import UNSET

    from kg.graphql import write_plans as plans
    from kg.store.opening import open_store
    from kg.writes import commit
    from kg.writes.draft import Draft

    stores = {size: open_store(str(location)) for size, location in locations.items()}
    kind = plans.KINDS["Organisation"]
    samples: dict[int, list[float]] = {size: [] for size in locations}
    try:
        for i in range(requests + 20):
            for size, store in stores.items():
                v = variables(requests + 100 + i, size)

                class Patch:
                    description = v["text"]
                    kinds = funders = unnamed = UNSET

                def plan(draft: Draft, v: dict[str, Any] = v) -> ox.NamedNode:
                    node = ox.NamedNode(v["id"])
                    return plans.update(draft, kind, node, UNSET, Patch, None)

                start = time.perf_counter()
                commit.write(store, "updateOrganisation", plan, source=ox.NamedNode(v["source"]))
                if i >= 20:
                    samples[size].append(time.perf_counter() - start)
    finally:
        for store in stores.values():
            store.close()
    return {size: percentiles(found) for size, found in samples.items()}


def full_validation(nquads: Path) -> float:
    from kg.model import rdf
    from kg.validation.validate import union_graph, validate_graph

    graph = union_graph(rdf.parse_file(nquads))
    start = time.perf_counter()
    report = validate_graph(graph)
    assert report.conforms, report.to_text()[:2000]
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--full", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kg-bench-write-") as tmp:
        work = Path(tmp)
        locations: dict[int, Path] = {}
        for size in args.sizes:
            nquads = work / f"syn-{size}.nq"
            stats = generate(nquads, triples=size, seed=0)
            locations[size] = work / f"store-{size}"
            start = time.perf_counter()
            load(nquads, locations[size])
            print(f"{stats.triples} triples loaded in {time.perf_counter() - start:.1f} s")
        http = over_http(locations, args.requests, work)
        local = in_process(locations, args.requests)
        for size in args.sizes:
            print(
                f"{size:>9} triples: one validated mutation over HTTP "
                f"p50 {http[size]['p50']:.2f} ms p99 {http[size]['p99']:.2f} ms | "
                f"in-process p50 {local[size]['p50']:.2f} ms p99 {local[size]['p99']:.2f} ms"
            )
        if len(args.sizes) > 1:
            small, large = min(args.sizes), max(args.sizes)
            ratio = http[large]["p50"] / http[small]["p50"]
            print(f"HTTP p50 ratio {large} / {small} triples: {ratio:.2f}")
        if args.full:
            biggest = max(args.sizes)
            seconds = full_validation(work / f"syn-{biggest}.nq")
            print(f"full pyshacl.validate of the {biggest}-triple graph: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
