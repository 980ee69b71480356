"""Benchmark: whole-graph validation inside the store (kg.validation.fastvalidate) beside pySHACL.

For a valid synthetic graph and the same graph with a fraction of its nodes broken, it measures
in the same run, each in a fresh child process (so peak memory is that of one path alone):

* **in-store**: pyoxigraph loads the N-Quads into an in-memory store, then
  ``kg.validation.fastvalidate.validate_store`` validates the union of its graphs;
* **pySHACL**: the file is parsed (pyoxigraph) into one rdflib graph, then ``pyshacl.validate``
  (what ``kg validate FILE`` does).

Both reports are compared result by result (``Violation.key()``, blank node labels aside: the
store relabels blank nodes) and the run fails if they differ.

    .venv/bin/python -m bench.bench_validate                  # 1M triples, 1% broken
    .venv/bin/python -m bench.bench_validate --triples 200000 --skip-pyshacl
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.generate import generate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, data: Path, keys_out: Path) -> dict[str, Any]:
    """Run one validation path in this (fresh) process; write its result keys."""
    import pyoxigraph as ox

    started = time.perf_counter()
    if mode == "store":
        from kg.store.embedded import EmbeddedStore
        from kg.validation.fastvalidate import Timing, validate_store

        store = EmbeddedStore(None)
        store.oxigraph.load(path=str(data), format=ox.RdfFormat.N_QUADS)
        loaded = time.perf_counter()
        timing = Timing()
        report = validate_store(store, timing=timing)
        extra: dict[str, Any] = {"queries": timing.queries}
    else:
        from kg.model import rdf
        from kg.validation.validate import union_graph, validate_graph

        graph = union_graph(rdf.iter_file(data, ox.RdfFormat.N_QUADS))
        loaded = time.perf_counter()
        report = validate_graph(graph)
        extra = {}
    done = time.perf_counter()
    keys_out.write_text(json.dumps(sorted((list(v.key()) for v in report.violations), key=str)))
    return {
        "mode": mode,
        "load_s": round(loaded - started, 2),
        "validate_s": round(done - loaded, 2),
        "total_s": round(done - started, 2),
        "peak_mb": round(_peak_mb()),
        "violations": len(report.violations),
        "conforms": report.conforms,
        **extra,
    }


def _run_child(mode: str, data: Path, keys_out: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_validate", "--child", mode, str(data), str(keys_out)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _keys(path: Path) -> Counter[tuple[Any, ...]]:
    """The result keys of a run; blank node labels (the store relabels them) become ``_:``."""

    def label(part: Any) -> Any:
        return "_:" if isinstance(part, str) and part.startswith("_:") else part

    return Counter(tuple(label(p) for p in k) for k in json.loads(path.read_text()))


def run(triples: int, broken: float, seed: int, skip_pyshacl: bool, workdir: Path) -> bool:
    agree = True
    for fraction in (0.0, broken):
        data = workdir / f"synthetic-{triples}-{fraction}.nq"
        stats = generate(data, triples=triples, seed=seed, broken_fraction=fraction)
        print(
            f"\n{stats.triples:,} triples, {stats.graphs:,} graphs, {stats.nodes:,} nodes, "
            f"{stats.broken_nodes:,} broken ({fraction:.0%}); generated in {stats.seconds:.1f} s"
        )
        results = {}
        for mode in ("store", *(() if skip_pyshacl else ("pyshacl",))):
            keys_out = workdir / f"keys-{mode}-{fraction}.json"
            r = _run_child(mode, data, keys_out)
            results[mode] = keys_out
            name = (
                "in-store (pyoxigraph + kg.validation.fastvalidate)"
                if mode == "store"
                else "pySHACL"
            )
            print(
                f"  {name:40} load {r['load_s']:6.2f} s  validate {r['validate_s']:6.2f} s  "
                f"total {r['total_s']:6.2f} s  peak {r['peak_mb']:5d} MB  "
                f"violations {r['violations']:,}"
            )
        if "pyshacl" in results:
            same = _keys(results["store"]) == _keys(results["pyshacl"])
            agree = agree and same
            print(f"  reports equal result by result: {same}")
    return agree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_validate")
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--broken", type=float, default=0.01, help="fraction of nodes broken")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-pyshacl", action="store_true", help="only the in-store path")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "DATA", "KEYS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        mode, data, keys = args.child
        print(json.dumps(_child(mode, Path(data), Path(keys))))
        return 0
    with tempfile.TemporaryDirectory(prefix="kg-bench-validate-") as tmp:
        agree = run(args.triples, args.broken, args.seed, args.skip_pyshacl, Path(tmp))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
