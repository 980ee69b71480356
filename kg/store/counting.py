"""The store wrapper that counts: every call to the store, in total and for the current request
(``kg_store_calls_total``, ``kg_store_queries_per_request``), and the quads that loads add
(``kg_loads_total``, ``kg_loaded_quads_total``). The metrics themselves are ``kg.metrics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from kg.metrics import LOADED_QUADS, LOADS, count_store_call
from kg.store.protocol import BulkFile, BulkLoaded, RawResult, Row, Store


class CountingStore:
    """A :class:`kg.store.protocol.Store` that counts every call (in total and for the current
    request) and hands it to the store it wraps."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner

    def select(self, query: str, **options: Any) -> list[Row]:
        count_store_call("select")
        return self.inner.select(query, **options)

    def ask(self, query: str, **options: Any) -> bool:
        count_store_call("ask")
        return self.inner.ask(query, **options)

    def construct(self, query: str, **options: Any) -> list[ox.Triple]:
        count_store_call("construct")
        return self.inner.construct(query, **options)

    def query_raw(self, query: str, **options: Any) -> RawResult:
        count_store_call("query")
        return self.inner.query_raw(query, **options)

    def update(self, update: str) -> None:
        count_store_call("update")
        self.inner.update(update)

    def add_quads(self, quads: Iterable[ox.Quad], **options: Any) -> int:
        count_store_call("add_quads")
        added = self.inner.add_quads(quads, **options)
        LOADS.inc()
        LOADED_QUADS.inc(added)
        return added

    def bulk_load(self, files: Sequence[BulkFile], **options: Any) -> BulkLoaded:
        count_store_call("bulk_load")
        loaded = self.inner.bulk_load(files, **options)
        LOADS.inc()
        LOADED_QUADS.inc(loaded.triples)
        return loaded

    def dump(self, fmt: ox.RdfFormat, **options: Any) -> Iterator[bytes]:
        count_store_call("dump")
        return self.inner.dump(fmt, **options)

    def named_graphs(self) -> list[str]:
        count_store_call("named_graphs")
        return self.inner.named_graphs()

    def is_empty(self) -> bool:
        count_store_call("is_empty")
        return self.inner.is_empty()

    def count(self, graph: str | None = None) -> int:
        count_store_call("count")
        return self.inner.count(graph)

    def close(self) -> None:
        self.inner.close()

    @property
    def sorts_pages(self) -> bool:
        return self.inner.sorts_pages

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
