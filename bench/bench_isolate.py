"""Cheap timed queries (each in a forked, sandboxed child, ``kg.store.isolate``) against an on-disk
store, beside the anchor of the same query in process.

Counts spurious timeouts of queries that take a few ms, optionally with concurrent writes into a
scratch graph, in-process queries from other threads and busy CPU processes, and reports the
latency and ``kg.store.isolate.stats`` (children found deadlocked after fork and restarted).
``--sandbox none|seccomp|netns`` chooses the children's sandbox (default: what ``kg.store.sandbox``
finds).

    python -m bench.bench_isolate -n 2000 --threads 2 --writes --cpu 2 --timeout 2
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

from kg.errors import QueryTimeout
from kg.store import isolate, sandbox
from kg.store.embedded import EmbeddedStore

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:kg:p> ?o }"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="timed queries in all")
    parser.add_argument("--threads", type=int, default=2, help="threads sending timed queries")
    parser.add_argument("--writes", action="store_true", help="a thread inserting meanwhile")
    parser.add_argument("--batch", type=int, default=50, help="triples per INSERT DATA")
    parser.add_argument("--inproc", type=int, default=0, help="threads querying in process")
    parser.add_argument("--cpu", type=int, default=0, help="busy processes for CPU load")
    parser.add_argument("--timeout", type=float, default=2.0, help="query time limit (s)")
    parser.add_argument("--sandbox", choices=["found", "none", "seccomp", "netns"], default="found")
    args = parser.parse_args()
    sandbox.probe()
    if args.sandbox != "found":
        sandbox.method = None if args.sandbox == "none" else args.sandbox

    where = tempfile.mkdtemp(prefix="kg-bench-isolate-")
    store = EmbeddedStore(where)
    triples = " ".join(f"<urn:kg:s{i}> <urn:kg:p> {i} ." for i in range(200))
    store.update(f"INSERT DATA {{ GRAPH <urn:kg:g> {{ {triples} }} }}")
    stop = threading.Event()

    def writer() -> None:
        i = 0
        while not stop.is_set():
            body = " ".join(f'<urn:kg:w{i}x{j}> <urn:kg:q> "{j}" .' for j in range(args.batch))
            store.update(f"INSERT DATA {{ GRAPH <urn:kg:scratch> {{ {body} }} }}")
            i += 1

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
    store.close()
    shutil.rmtree(where, ignore_errors=True)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else float("nan")
    base = statistics.median(anchor)
    median = statistics.median(latencies)
    print(
        f"queries={args.n} threads={args.threads} writes={args.writes} inproc={args.inproc} "
        f"cpu={args.cpu} timeout={args.timeout:g}s sandbox={sandbox.method} "
        f"timeouts={timeouts[0]} in-process median={base * 1000:.2f}ms (anchor) "
        f"isolated median={median * 1000:.2f}ms ({median / base:.1f}x) p99={p99 * 1000:.2f}ms "
        f"wall={time.time() - began:.1f}s isolate={isolate.stats}"
    )
    return 1 if timeouts[0] else 0


if __name__ == "__main__":
    sys.exit(main())
