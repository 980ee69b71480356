"""Benchmark: ``kg load`` of a ~1M-triple synthetic graph into the on-disk store.

In the same run, each in a fresh child process (so peak memory is that of one path alone):

* **kg load**: ``kg.writes.load.load`` into a new on-disk embedded store, large-load path:
  parse with pyoxigraph's bulk loader into the next generation, validate in the store
  (``kg.validation.fastvalidate``), publish (one rename). *Load* = parse + commit; validation apart.
* **pyoxigraph bulk_load**: ``Store.bulk_load`` of the same file into a new on-disk store, no
  validation: the ceiling for the load on this machine at this moment.
* **rdflib + pySHACL**: ``rdflib.Dataset.parse`` of the same file (N-Quads need the dataset
  parser), its union as one graph, then ``pyshacl.validate`` with the shipped shapes.

The graph comes from ``bench.generate`` (deterministic: the same arguments give the same bytes).

    .venv/bin/python -m bench.bench_load                     # 1M triples
    .venv/bin/python -m bench.bench_load --triples 200000 --skip-baseline
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.generate import generate


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, data: Path, work: Path) -> dict[str, Any]:
    """Run one path in this (fresh) process and return its figures."""
    import pyoxigraph as ox

    if mode == "kg":
        from kg.store.opening import open_store
        from kg.writes.load import load

        store = open_store(str(work / "kg-store"))
        result = load(store, [data], bulk=True)
        count = store.count()
        store.close()
        if not result.report.conforms:
            raise SystemExit(f"the synthetic graph does not conform: {result.report.to_text()}")
        return {
            "mode": mode,
            "triples": count,
            "parse_s": result.parse_seconds,
            "commit_s": result.commit_seconds,
            "load_s": result.parse_seconds + result.commit_seconds,
            "validate_s": result.validate_seconds,
            "total_s": result.seconds,
            "peak_mb": _peak_mb(),
        }
    if mode == "oxigraph":
        target = work / "oxigraph-store"
        target.mkdir()
        started = time.perf_counter()
        raw = ox.Store(str(target))
        raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        raw.flush()
        load_s = time.perf_counter() - started
        return {
            "mode": mode,
            "triples": len(raw),
            "load_s": load_s,
            "total_s": load_s,
            "peak_mb": _peak_mb(),
        }
    import pyshacl
    from rdflib import Dataset, Graph

    from kg.validation.validate import shapes_graph

    shapes = shapes_graph()
    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(data), format="nquads")
    union = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    parsed = time.perf_counter()
    del dataset
    conforms, _, _ = pyshacl.validate(
        union, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    done = time.perf_counter()
    return {
        "mode": mode,
        "triples": len(union),
        "load_s": parsed - started,
        "validate_s": done - parsed,
        "total_s": done - started,
        "conforms": bool(conforms),
        "peak_mb": _peak_mb(),
    }


def _run_child(mode: str, data: Path, work: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_load", "--child", mode, str(data), str(work)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def _rate(figures: dict[str, Any], key: str) -> str:
    seconds = figures.get(key)
    if not seconds:
        return "-"
    return f"{figures['triples'] / seconds:,.0f}"


def _line(name: str, f: dict[str, Any]) -> str:
    validate = f"{f['validate_s']:8.2f}" if "validate_s" in f else "       -"
    return (
        f"{name:<26} {f['load_s']:8.2f} {_rate(f, 'load_s'):>12} {validate} "
        f"{f['total_s']:8.2f} {_rate(f, 'total_s'):>12} {f['peak_mb']:9,.0f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-baseline", action="store_true", help="No rdflib + pySHACL run.")
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "DATA", "WORK"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.child:
        mode, data, work = args.child
        print(json.dumps(_child(mode, Path(data), Path(work))))
        return 0

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kg-bench-load-") as tmp:
        work = Path(tmp)
        data = work / "synthetic.nq"
        stats = generate(str(data), triples=args.triples, seed=args.seed, broken_fraction=0.0)
        size_mb = data.stat().st_size / 1e6
        print(f"{stats.triples:,} triples in {stats.graphs:,} graphs ({size_mb:.0f} MB N-Quads)")
        rows = [("kg load (bulk, on disk)", _run_child("kg", data, work))]
        rows.append(("pyoxigraph bulk_load", _run_child("oxigraph", data, work)))
        if not args.skip_baseline:
            rows.append(("rdflib parse + pySHACL", _run_child("rdflib", data, work)))
        print(
            f"{'':<26} {'load s':>8} {'load t/s':>12} {'valid. s':>8} "
            f"{'total s':>8} {'total t/s':>12} {'peak MB':>9}"
        )
        for name, figures in rows:
            print(_line(name, figures))
        kg = rows[0][1]
        print(
            f"kg load: parse {kg['parse_s']:.2f} s + commit {kg['commit_s']:.2f} s; "
            f"{kg['triples']:,} triples in the store"
        )
        print(
            f"kg load, validated, over pyoxigraph's bare bulk_load: "
            f"{kg['total_s'] / rows[1][1]['total_s']:.2f}x; load average "
            f"{os.getloadavg()[0]:.1f} at the end ({load_before:.1f} at the start)"
        )
        if len(rows) > 2:
            base = rows[2][1]
            print(
                f"load speed-up over rdflib parse: {base['load_s'] / kg['load_s']:.1f}x; "
                f"load + validation over rdflib + pySHACL: {base['total_s'] / kg['total_s']:.1f}x"
                f" (pySHACL conforms: {base['conforms']})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
