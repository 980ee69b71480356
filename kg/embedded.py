"""The embedded store: pyoxigraph, on disk (transactional) or in memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.store import RawResult, Row


class EmbeddedStore:
    def __init__(self, path: str | None) -> None:
        if path is not None:
            Path(path).mkdir(parents=True, exist_ok=True)
        self._store = ox.Store(path) if path is not None else ox.Store()
        self.path = path

    def _query(self, query: str) -> object:
        try:
            return self._store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc

    def select(self, query: str, *, timeout: float | None = None) -> list[Row]:
        result = self._query(query)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("expected a SELECT query")
        names = [v.value for v in result.variables]
        return [
            {n: sol[n] for n in names if sol[n] is not None}
            for sol in result
        ]

    def ask(self, query: str, *, timeout: float | None = None) -> bool:
        result = self._query(query)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("expected an ASK query")
        return bool(result)

    def construct(self, query: str, *, timeout: float | None = None) -> list[ox.Triple]:
        result = self._query(query)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return list(result)

    def query_raw(
        self,
        query: str,
        *,
        result_format: str,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> RawResult:
        raise NotImplementedError

    def update(self, update: str) -> None:
        try:
            self._store.update(update)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL Update syntax error: {exc}") from exc

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        items = list(quads)
        # One pyoxigraph update is one transaction: a clear plus an INSERT DATA commit together.
        self._store.extend(items)
        return len(items)

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        raise NotImplementedError

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def is_empty(self) -> bool:
        return len(self._store) == 0

    def close(self) -> None:
        self._store.flush() if self.path else None
