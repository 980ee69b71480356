"""Benchmark: the pages for people (front page, node pages, /def) and /metrics over HTTP, on a
~1M-triple synthetic graph, beside anchors measured in the same run.

``kg serve`` (embedded on-disk store, one worker) answers, one request at a time:

* anchors: ``/healthz`` (one ASK) and a GraphQL look-up of the same organisation;
* a node page (HTML and Turtle) of an organisation, and of a concept many nodes refer to
  (``/def/AILab``: the list of referring nodes is cut at 500);
* the front page (counts by kind over the whole graph, the sources, the last change);
* ``/metrics``.

It prints p50/p99 per request and each figure as a multiple of the GraphQL look-up.

    nice -n 10 .venv/bin/python -m bench.bench_pages                 # 1M triples
    nice -n 10 .venv/bin/python -m bench.bench_pages --triples 100000 --requests 50
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx

from bench.bench_graphql import build_store, start_kg, summary, timed, wait_until_up
from bench.generate import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100, help="Requests per figure.")
    parser.add_argument("--workdir", type=Path, help="Keep data and stores here (reused).")
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-pages-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"synthetic-{args.triples}.nq"
    if not data.exists():
        generate(str(data), triples=args.triples, seed=0)
    store = work / f"kg-{args.triples}"
    if not store.exists():
        build_store(data, store)
    org = f"org/s{max(1, args.triples // 426) // 2}-lab"

    server, url = start_kg(str(store))
    lookup = {"query": f'{{ node(id: "{org}") {{ id ... on Organisation {{ name }} }} }}'}
    requests = {
        "/healthz (anchor)": ("GET", "/healthz", None, None),
        "GraphQL look-up (anchor)": ("POST", "/graphql", lookup, None),
        f"/id/{org} HTML": ("GET", f"/id/{org}", None, "text/html"),
        f"/id/{org} Turtle": ("GET", f"/id/{org}", None, "text/turtle"),
        "/def/AILab HTML": ("GET", "/def/AILab", None, "text/html"),
        "/ front page": ("GET", "/", None, "text/html"),
        "/metrics": ("GET", "/metrics", None, None),
    }
    try:
        wait_until_up(f"{url}/healthz", server)
        http = httpx.Client(timeout=120)
        figures = {}
        for name, (method, path, body, accept) in requests.items():
            headers = {"accept": accept} if accept else {}

            def call(
                method: str = method,
                path: str = path,
                body: object = body,
                headers: dict[str, str] = headers,
            ) -> None:
                response = http.request(method, f"{url}{path}", json=body, headers=headers)
                response.raise_for_status()

            figures[name] = summary(timed(call, args.requests))
        http.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    anchor = figures["GraphQL look-up (anchor)"]["p50_ms"]
    print(f"# {args.triples} triples, {args.requests} requests per figure, one client")
    print(f"{'request':<40} {'p50 ms':>9} {'p99 ms':>9} {'x look-up':>10}")
    for name, f in figures.items():
        ratio = f["p50_ms"] / anchor
        print(f"{name:<40} {f['p50_ms']:>9.1f} {f['p99_ms']:>9.1f} {ratio:>10.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
