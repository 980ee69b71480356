"""Timing helpers shared by the benchmarks: repeated timings and their percentiles."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(fn: Callable[[], Any], repeat: int, budget: float = 30.0) -> list[float]:
    """``repeat`` timings of ``fn`` (after two warm-up calls), fewer (at least 5) past
    ``budget`` seconds."""
    fn()
    fn()  # warm caches
    out: list[float] = []
    stop = time.monotonic() + budget
    while len(out) < repeat and (len(out) < 5 or time.monotonic() < stop):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000, "n": len(times)}
