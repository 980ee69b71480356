"""What an operator counts: the Prometheus metrics kg keeps (prometheus-client), all ``kg_``:

* ``http_requests_total{method, route, status}`` and ``http_request_duration_seconds{method,
  route}``: ``route`` is the route's template (``/id/{path:path}``), never the raw path, so the
  number of series stays bounded; a path no route matches counts as ``unmatched``;
* ``store_queries_per_request{route}``: how many store calls a request made;
  ``store_calls_total{method}``: every call to the store, by method (select, update...);
* ``writes_total{operation, result}``: writes by outcome (committed, validation_failed,
  not_found, conflict, error), SPARQL updates as ``operation="sparqlUpdate"``;
  ``validation_failures_total``;
* ``searches_total`` (GraphQL ``search``) and ``loads_total`` / ``loaded_quads_total``
  (quads added to the store in bulk: the seed load at start, ``kg load``);
* ``dump_threads``: threads writing a dump of the store now (``/export`` downloads, ``kg
  export``); each ends when its reader is done or gone.

This module sits at the base of the layers (beside ``kg.settings``), so every layer can count
what it does: the writes (``kg.writes``), searches (``kg.graphql``), requests (``kg.http.access``
reads the counts and serves ``/metrics``, with the access log). The store calls are counted by
``kg.store.counting.CountingStore``, which the app puts around its store.

Each process keeps its own counts. ``kg serve --workers N`` (N > 1) gives the workers one
directory for prometheus-client's multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``), so
``/metrics`` answers the sum over all workers whichever worker answers the scrape.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter(
    "kg_http_requests", "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)  # fmt: skip
LATENCY = Histogram(
    "kg_http_request_duration_seconds", "Time to answer a request, by route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)  # fmt: skip
STORE_PER_REQUEST = Histogram(
    "kg_store_queries_per_request", "Store calls (queries, updates) one request made.",
    ["route"], buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89),
)  # fmt: skip
STORE_CALLS = Counter("kg_store_calls", "Calls to the store, by method.", ["method"])
WRITES = Counter("kg_writes", "Writes, by operation and result.", ["operation", "result"])
VALIDATION_FAILURES = Counter(
    "kg_validation_failures", "Writes and loads refused because they break the shapes."
)
SEARCHES = Counter("kg_searches", "GraphQL search requests.")
LOADS = Counter("kg_loads", "Bulk additions of quads to the store (seed load, kg load).")
LOADED_QUADS = Counter("kg_loaded_quads", "Quads added to the store by loads.")
DUMP_THREADS = Gauge(
    "kg_dump_threads", "Threads writing a dump of the store (exports) now.",
    multiprocess_mode="livesum",
)  # fmt: skip


@dataclass
class RequestStats:
    store_calls: int = 0


_current: ContextVar[RequestStats | None] = ContextVar("kg_request_stats", default=None)


def start_request() -> tuple[RequestStats, Any]:
    """Count the store calls of the request now starting: (its stats, the token to end it)."""
    stats = RequestStats()
    return stats, _current.set(stats)


def end_request(token: Any) -> None:
    _current.reset(token)


def count_store_call(method: str) -> None:
    STORE_CALLS.labels(method).inc()
    stats = _current.get()
    if stats is not None:
        stats.store_calls += 1


def record_write(operation: str, result: str) -> None:
    WRITES.labels(operation, result).inc()
    if result == "validation_failed":
        VALIDATION_FAILURES.inc()


def exposition() -> tuple[bytes, str]:
    """The metrics in the Prometheus text format: this process's, or every worker's when
    ``PROMETHEUS_MULTIPROC_DIR`` is set."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
