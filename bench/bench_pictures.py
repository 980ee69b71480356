"""Benchmark: the organisation chart of the shipped graph, its data and its drawing, beside an
anchor measured in the same run.

On an in-memory store seeded like ``kg serve``:

* anchor: the chart's GraphQL query without the citations (``ORGCHART_QUERY`` with the
  provenance fields removed): the units, posts and reorganisations alone;
* the chart's data as the pictures fetch it (``fetch_orgchart``: with every drawn node's
  citations, for the editorial and hedge marks, and the unnamed groups that report);
* the SVG of the chart, with Graphviz ``dot`` (when installed) and with grandalf.

It prints the median of each figure and its multiple of the anchor.

    nice -n 10 .venv/bin/python -m bench.bench_pictures [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

from kg.model.namespaces import ID
from kg.pictures.data import ORGCHART_QUERY, fetch_orgchart, run
from kg.pictures.draw import dot_available
from kg.pictures.orgchart import orgchart_svg
from kg.pictures.provenance import CITATIONS
from kg.settings import Settings
from kg.store.opening import ensure_seeded, store_for


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="Runs per figure.")
    args = parser.parse_args(argv)
    settings = Settings(store="memory")
    store = store_for(settings)
    ensure_seeded(store)
    org = f"{ID}org/openai"
    bare = ORGCHART_QUERY.replace(CITATIONS, "")
    anchor = median_ms(lambda: run(store, settings, bare, {"iri": org}), args.repeat)
    chart = fetch_orgchart(store, settings, org)
    figures = {
        "chart data (with citations and groups)": median_ms(
            lambda: fetch_orgchart(store, settings, org), args.repeat
        ),
        "SVG, grandalf": median_ms(lambda: orgchart_svg(chart, engine="grandalf"), args.repeat),
    }
    if dot_available():
        figures["SVG, dot"] = median_ms(lambda: orgchart_svg(chart, engine="dot"), args.repeat)
    print(f"anchor: chart query without citations  {anchor:8.1f} ms")
    for name, value in figures.items():
        print(f"{name:<40} {value:8.1f} ms  {value / anchor:5.1f}x anchor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
