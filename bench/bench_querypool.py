"""Cheap timed queries (each run by a query worker of ``kg.store.querypool``, reading a snapshot
of the store) against an on-disk store, beside the anchor of the same query in process.

The store holds the shared generator's synthetic graph (``--triples``, about 1M by default; 0
for none) plus 200 triples the query counts. Counts timeouts of queries that take a few ms,
optionally with a thread writing into a scratch graph meanwhile (``--writes``, one ``INSERT
DATA`` of ``--batch`` triples every ``--pause`` ms: each query after a write waits for a new
snapshot, and its worker opens it), in-process queries from other threads and busy CPU
processes, and reports the latency, the snapshots taken and the
pool's counters. ``--sandbox none|seccomp|netns`` chooses the workers' sandbox (default: what
``kg.store.sandbox`` finds).

    python -m bench.bench_querypool -n 2000 --threads 2 --writes --pause 100 --cpu 2
    python -m bench.bench_querypool --triples 0 -n 500   # a store of 200 triples
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_graphql import build_store
from bench.generate import generate
from kg.errors import QueryTimeout
from kg.store import querypool, sandbox
from kg.store.embedded import EmbeddedStore

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:kg:p> ?o }"


def main() -> int:
    """Run the benchmark; exit 1 when a query timed out."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="timed queries in all")
    parser.add_argument("--threads", type=int, default=2, help="threads sending timed queries")
    parser.add_argument("--writes", action="store_true", help="a thread inserting meanwhile")
    parser.add_argument("--batch", type=int, default=50, help="triples per INSERT DATA")
    parser.add_argument("--pause", type=float, default=100.0, help="ms between two writes")
    parser.add_argument("--inproc", type=int, default=0, help="threads querying in process")
    parser.add_argument("--cpu", type=int, default=0, help="busy processes for CPU load")
    parser.add_argument("--timeout", type=float, default=2.0, help="query time limit (s)")
    parser.add_argument("--triples", type=int, default=1_000_000, help="synthetic triples")
    parser.add_argument("--workdir", default=None, help="keep the generated graph here")
    parser.add_argument("--sandbox", choices=["found", "none", "seccomp", "netns"], default="found")
    args = parser.parse_args()
    sandbox.probe()
    if args.sandbox != "found":
        sandbox.method = None if args.sandbox == "none" else args.sandbox

    where = tempfile.mkdtemp(prefix="kg-bench-querypool-")
    if args.triples:
        workdir = Path(args.workdir or where)
        workdir.mkdir(parents=True, exist_ok=True)
        data = workdir / f"graph-{args.triples}.nq"
        if not data.exists():
            generate(data, args.triples)
        build_store(data, Path(where) / "store")
    store = EmbeddedStore(str(Path(where) / "store"))
    triples = " ".join(f"<urn:kg:s{i}> <urn:kg:p> {i} ." for i in range(200))
    store.update(f"INSERT DATA {{ GRAPH <urn:kg:g> {{ {triples} }} }}")
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        i = 0
        while not stop.is_set():
            body = " ".join(f'<urn:kg:w{i}x{j}> <urn:kg:q> "{j}" .' for j in range(args.batch))
            store.update(f"INSERT DATA {{ GRAPH <urn:kg:scratch> {{ {body} }} }}")
            i += 1
            written[0] = i
            stop.wait(args.pause / 1000)

    def in_process() -> None:
        while not stop.is_set():
            store.select(QUERY)

    burners = []
    for _ in range(args.cpu):
        pid = os.fork()
        if pid == 0:  # a busy child, killed at the end
            while True:
                pass
        burners.append(pid)
    helpers = [threading.Thread(target=writer, daemon=True)] if args.writes else []
    helpers += [threading.Thread(target=in_process, daemon=True) for _ in range(args.inproc)]
    for thread in helpers:
        thread.start()

    latencies: list[float] = []
    timeouts = [0]
    sent = [0]
    lock = threading.Lock()

    def querier() -> None:
        while True:
            with lock:
                if sent[0] >= args.n:
                    return
                sent[0] += 1
            started = time.perf_counter()
            try:
                store.select(QUERY, timeout=args.timeout)
            except QueryTimeout:
                with lock:
                    timeouts[0] += 1
                continue
            latencies.append(time.perf_counter() - started)

    anchor = []
    for _ in range(min(args.n, 200)):
        started = time.perf_counter()
        store.select(QUERY)
        anchor.append(time.perf_counter() - started)
    began = time.time()
    try:
        queriers = [threading.Thread(target=querier) for _ in range(args.threads)]
        for thread in queriers:
            thread.start()
        for thread in queriers:
            thread.join()
    finally:
        stop.set()
        for pid in burners:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    for thread in helpers:
        thread.join()
    snapshots = store.snapshots.taken if store.snapshots else 0
    triples = store.count()
    store.close()
    shutil.rmtree(where, ignore_errors=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else float("nan")
    base = statistics.median(anchor)
    median = statistics.median(latencies)
    print(
        f"triples={triples} queries={args.n} threads={args.threads} writes={args.writes} "
        f"inproc={args.inproc} "
        f"cpu={args.cpu} timeout={args.timeout:g}s sandbox={sandbox.method} "
        f"timeouts={timeouts[0]} in-process median={base * 1000:.2f}ms (anchor) "
        f"in a worker median={median * 1000:.2f}ms ({median / base:.1f}x) "
        f"p99={p99 * 1000:.2f}ms wall={time.time() - began:.1f}s writes={written[0]} "
        f"snapshots={snapshots} pool={querypool.pool().stats}"
    )
    return 1 if timeouts[0] else 0


if __name__ == "__main__":
    sys.exit(main())
