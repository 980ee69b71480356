"""``python -m bench.bench_documents``: checking GraphQL documents whose fragments fan out.

``query { ...F0 } fragment F0 on Query { ...F1 ...F1 } ... fragment FN on Query { __typename }``
has 2^N paths. The anchor is strawberry's ``QueryDepthLimiter`` (which kg used before), timed on
small N in the same run; then kg's checks (``kg.graphql.checks``: GraphQL's rules, depth,
aliases and cost, each fragment measured once) on the same documents and on N up to 60.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from graphql import parse, validate
from strawberry.extensions import QueryDepthLimiter

from kg.graphql.schema import build_schema
from kg.settings import Settings


def fan_out(n: int) -> str:
    lines = ["query { ...F0 }"]
    lines += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)]
    lines.append(f"fragment F{n} on Query {{ __typename }}")
    return "\n".join(lines)


def seconds(work: Callable[..., object], *args: object) -> float:
    started = time.perf_counter()
    work(*args)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--anchor", type=int, nargs="+", default=[12, 14, 16])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 60])
    args = parser.parse_args()
    settings = Settings()
    schema = build_schema(settings)
    rules = QueryDepthLimiter(max_depth=settings.max_depth).validation_rules
    print(f"{'N':>4} {'bytes':>6} {'strawberry depth limiter':>26} {'kg checks':>12} {'ratio':>8}")
    for n in [*args.anchor, *args.sizes]:
        query = fan_out(n)
        document = parse(query)
        ours = seconds(schema.checks.validate, schema._schema, query, document, {}, None)
        if n in args.anchor:
            theirs = seconds(lambda d=document: validate(schema._schema, d, rules))
            print(f"{n:>4} {len(query):>6} {theirs * 1000:>23.1f} ms {ours * 1000:>9.2f} ms "
                  f"{theirs / ours:>7.0f}x")  # fmt: skip
        else:
            print(f"{n:>4} {len(query):>6} {'(2^N paths: not run)':>26} {ours * 1000:>9.2f} ms")


if __name__ == "__main__":
    main()
