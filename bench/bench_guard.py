"""The SPARQL guard's cost per request: a new text (parsed in a worker process), a cached one,
beside the anchor of rdflib parsing the same text in this process.

    python -m bench.bench_guard -n 200
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from rdflib.plugins.sparql.parser import parseQuery

from kg.http import guard

QUERY = """PREFIX kg: <https://w3id.org/aikg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?provider ?kind WHERE {{
  ?rel a kg:ProviderRelationship ; kg:customer/rdfs:label "OpenAI" ;
       kg:provider/rdfs:label ?provider ; kg:relationshipKind ?kind .
  FILTER(?provider != "n{n}")
}} ORDER BY ?provider"""


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=200, help="texts of each kind")
    args = parser.parse_args()
    limits = guard.Limits()
    guard.inspect_query(QUERY.format(n=-1), limits)  # starts the first worker

    def timed(fn: object, texts: list[str]) -> list[float]:
        out = []
        for text in texts:
            started = time.perf_counter()
            fn(text)  # type: ignore[operator]
            out.append(time.perf_counter() - started)
        return out

    fresh = [QUERY.format(n=i) for i in range(args.n)]
    anchor = timed(parseQuery, [QUERY.format(n=args.n + i) for i in range(args.n)])
    new = timed(lambda t: guard.inspect_query(t, limits), fresh)
    cached = timed(lambda t: guard.inspect_query(t, limits), fresh)
    base = _median_ms(anchor)
    print(
        f"texts={args.n} median: rdflib parse in process {base:.2f} ms (anchor); "
        f"guard, new text {_median_ms(new):.2f} ms ({_median_ms(new) / base:.2f}x); "
        f"guard, cached {_median_ms(cached):.3f} ms ({_median_ms(cached) / base:.3f}x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
