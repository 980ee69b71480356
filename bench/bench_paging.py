"""Benchmark: where a GraphQL page is cut, in Python or in the store (ORDER BY and LIMIT).

A root list's page is cut by the store (``ORDER BY`` the key, ``LIMIT`` one more than the
page, a keyset ``FILTER`` for the pages after the first) or, where the engine cannot be trusted
with that, by kg from every node's key (``kg.graphql.compile.page_query``). This benchmark
times both with kg's own queries and code, in one run, over
the same on-disk pyoxigraph store (the graph of ``bench.generate`` plus the ontology), the
union of the named graphs as the default graph as kg queries it:

* **every key read, kg cuts** (the anchor; what kg does where the engine cannot be trusted
  with the cut, ``Engine.sorts_pages``): every node of the list with its name or date, keyed,
  sorted and cut in Python;
* **the store cuts (kg)**: what kg asks the embedded store and Oxigraph: ORDER BY the key,
  LIMIT one more than the page (DISTINCT, because a fact stated by several sources is in
  several graphs, and the union default graph gives it once for each);
* **the store cuts, no DISTINCT**: the same without DISTINCT (what DISTINCT costs);
* **a middle page**: the page after a cursor in the middle of the list, cut both ways.

Two lists, each in pages of several sizes: the leadership appointments by date (1,000 is the
1,000 x 10 page of ``bench.bench_graphql``) and the organisations by name (the longest list).

    .venv/bin/python -m bench.bench_paging                     # 1M triples
    .venv/bin/python -m bench.bench_paging --triples 10000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.bench_graphql import build_store
from bench.generate import generate


def lists() -> dict[str, tuple[Any, int]]:
    """Each list as (kg's ``Page`` of it, page size)."""
    import kg.graphql.query  # noqa: F401  (declares the node types RDF_CLASSES maps)
    from kg.graphql.compile import Page
    from kg.graphql.mapping import RDF_CLASSES
    from kg.model.namespaces import KG

    events = Page(RDF_CLASSES["StrategyEvent"], order="DATE_ASC", date_path=str(KG.date))
    events.patterns.append(f"?s <{KG.eventKind}> <{KG.LeadershipAppointment}> .")
    organisations = Page(RDF_CLASSES["Organisation"], order="NAME_ASC")
    return {
        "1,000 events by date": (events, 1000),
        "100 events by date": (events, 100),
        "20 events by date": (events, 20),
        "1,000 organisations by name": (organisations, 1000),
        "20 organisations by name": (organisations, 20),
    }


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--workdir", help="keep the generated graph and store here")
    args = parser.parse_args(argv)

    import pyoxigraph as ox

    from kg.graphql.compile import page_query
    from kg.graphql.connections import Window
    from kg.store.results import rows_of

    work = Path(args.workdir or tempfile.mkdtemp(prefix="kg-bench-paging-"))
    work.mkdir(parents=True, exist_ok=True)
    data, location = work / f"synthetic-{args.triples}.nq", work / f"store-{args.triples}"
    if not data.exists():
        generate(str(data), triples=args.triples, seed=0)
    if not location.exists():
        build_store(data, location)
    store = ox.Store(str(location))

    def select(query: str) -> list[Any]:
        return rows_of(store.query(query, use_default_graph_as_union=True))

    def cut(page: Any, window: Window, *, in_store: bool, distinct: bool = True) -> list[Any]:
        query = page_query(page, window, in_store=in_store)
        if not distinct:
            query = query.replace("SELECT DISTINCT", "SELECT", 1)
        return window.cut(page.positions(select(query), window, in_store=in_store)).items

    print(f"{args.triples:,} triples, median of {args.repeat} runs each, in one process")
    for name, (page, size) in lists().items():
        everything = page.positions(
            select(page_query(page, Window(page.order, None, None, 10**9, None), in_store=False)),
            Window(page.order, None, None, 10**9, None),
            in_store=False,
        )
        first = Window(page.order, None, None, size, None)
        middle = Window(page.order, everything[len(everything) // 2], None, size, None)
        ways = {
            "the store cuts (kg)": lambda p=page, w=first: cut(p, w, in_store=True),
            "the store cuts, no DISTINCT": lambda p=page, w=first: cut(
                p, w, in_store=True, distinct=False
            ),
            "a middle page, kg cuts": lambda p=page, w=middle: cut(p, w, in_store=False),
            "a middle page, the store cuts": lambda p=page, w=middle: cut(p, w, in_store=True),
        }
        print(f"\n{name}: {len(everything):,} matching nodes")
        anchor = median_ms(lambda p=page, w=first: cut(p, w, in_store=False), args.repeat)
        print(f"  {'every key read, kg cuts':<30} {anchor:9.1f} ms  {1:5.2f}x")
        for label, run in ways.items():
            ms = median_ms(run, args.repeat)
            print(f"  {label:<30} {ms:9.1f} ms  {ms / anchor:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
