"""Benchmark: where a GraphQL page is cut, in Python or in the store (ORDER BY and LIMIT).

kg reads a root list's page by asking the store for every matching node with its sort key and
sorting them in Python (``kg.graphql.compile.page_query``, ``Page.order_rows``). The other
design cuts the page in the store: ``ORDER BY`` the key, ``LIMIT`` one more than the page, and
a keyset ``FILTER`` for the pages after the first. This benchmark times both, in one run, over
the same on-disk pyoxigraph store (the graph of ``bench.generate`` plus the ontology), the
union of the named graphs as the default graph as kg queries it:

* **keys, sorted in Python** (the anchor): kg's page query, its rows read, sorted and cut;
* **ORDER BY + LIMIT, DISTINCT**: the page cut by the store (DISTINCT, because a fact stated
  by several sources is in several graphs, and the union default graph gives it once for each);
* **ORDER BY + LIMIT**: the same without DISTINCT (what the store costs when no node repeats);
* **a later page (keyset)**: ORDER BY + LIMIT, DISTINCT, after a cursor in the middle of the list.

Two lists: the first 1,000 leadership appointments by date (the 1,000 x 10 page of
``bench.bench_graphql``) and the first 20 organisations by name (the longest list).

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
    return {"1,000 events by date": (events, 1000), "20 organisations by name": (organisations, 20)}


def store_side(page: Any, size: int, *, distinct: bool, after: tuple[str, str] | None) -> str:
    """The page cut by the store: ORDER BY the key then the IRI, LIMIT, keyset FILTER."""
    key = 'COALESCE(STR(?date), "~")' if page.by_date else 'COALESCE(LCASE(STR(?name)), "")'
    keyset = ""
    if after is not None:
        k, s = after
        keyset = f'FILTER(?k > "{k}" || (?k = "{k}" && STR(?s) > "{s}"))'
    return (
        f"SELECT {'DISTINCT ' if distinct else ''}?s ?k WHERE {{ {page.where()} "
        f"BIND({key} AS ?k) {keyset} }} ORDER BY ?k STR(?s) LIMIT {size + 1}"
    )


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

    print(f"{args.triples:,} triples, median of {args.repeat} runs each, in one process")
    for name, (page, size) in lists().items():
        everything = page.order_rows(select(page_query(page)))
        middle = everything[len(everything) // 2] if everything else None
        middle_key = None
        if middle is not None:
            rows = select(store_side(page, len(everything), distinct=True, after=None))
            middle_key = next((r["k"].value, middle) for r in rows if r["s"].value == middle)
        ways = {
            "ORDER BY + LIMIT, DISTINCT": store_side(page, size, distinct=True, after=None),
            "ORDER BY + LIMIT": store_side(page, size, distinct=False, after=None),
            "a later page (keyset)": store_side(page, size, distinct=True, after=middle_key),
        }
        print(f"\n{name}: {len(everything):,} matching nodes")
        keys = page_query(page)
        anchor = median_ms(lambda q=keys, p=page: p.order_rows(select(q)), args.repeat)
        print(f"  {'keys, sorted in Python (kg)':<30} {anchor:9.1f} ms  {1:5.2f}x")
        for label, query in ways.items():
            ms = median_ms(lambda q=query: select(q), args.repeat)
            print(f"  {label:<30} {ms:9.1f} ms  {ms / anchor:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
