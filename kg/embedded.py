"""The embedded store: pyoxigraph, on disk (transactional) or in memory.

* Queries see the union of all named graphs as their default graph, unless the caller names the
  dataset (``default_graph_uris`` / ``named_graph_uris``, as the SPARQL protocol does).
* A query with a time limit runs in a forked child that is killed at the deadline
  (``kg.isolate``), because pyoxigraph cannot cancel a running query; without a limit it runs
  in this process.
* Every write is one pyoxigraph transaction: all of it or none of it. Large loads into an
  on-disk store go through ``kg.load``, which uses pyoxigraph's bulk loader where that is safe.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import isolate
from kg.errors import QueryError, StoreUnavailable
from kg.namespaces import PREFIXES
from kg.results import Result
from kg.store import RawResult, Row, replace_update, rows_of

_CHUNK = 256 * 1024


class EmbeddedStore:
    """A pyoxigraph store at ``path`` (a directory), or in memory when ``path`` is None."""

    def __init__(self, path: str | None, *, isolate_queries: bool = True) -> None:
        self.path = path
        self.isolate_queries = isolate_queries and isolate.available()
        self._write_lock = threading.Lock()
        self._store = self._open(path)

    @staticmethod
    def _open(path: str | None) -> ox.Store:
        if path is None:
            return ox.Store()
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
            return ox.Store(path)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot open the store at {path}: {exc} "
                "(is another kg process using it? stop it or use its HTTP endpoint)",
                location=path,
            ) from exc

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for kg.load's bulk path and in-process tools)."""
        return self._store

    # -- queries ---------------------------------------------------------------------------

    def _outcome(
        self,
        query: str,
        default_graph_uris: list[str] | None,
        named_graph_uris: list[str] | None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        kwargs: dict[str, Any] = {}
        if default_graph_uris is None and named_graph_uris is None:
            kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph_uris or []]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graph_uris or []]
        try:
            return self._store.query(query, **kwargs)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        except (OSError, ValueError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from exc

    def evaluate(
        self,
        query: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> Result:
        """Run a read query (in a killable child when ``timeout`` is set) into a Result."""

        def work() -> Result:
            outcome = self._outcome(query, default_graph_uris, named_graph_uris)
            try:
                return Result.of(outcome, max_results)
            except (OSError, ValueError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from exc

        if timeout is None or not self.isolate_queries:
            return work()
        kinds = {b"s": "solutions", b"b": "boolean", b"g": "graph"}

        def encoded() -> bytes:
            result = work()
            return result.kind[0].encode() + result.data

        data = isolate.run(encoded, timeout)
        return Result(kinds[data[:1]], data[1:])  # type: ignore[arg-type]

    def select(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[Row]:
        return rows_of(self.evaluate(query, timeout=timeout, max_results=max_results).solutions())

    def ask(self, query: str, *, timeout: float | None = None) -> bool:
        return self.evaluate(query, timeout=timeout).boolean()

    def construct(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[ox.Triple]:
        return self.evaluate(query, timeout=timeout, max_results=max_results).triples()

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
        result = self.evaluate(
            query,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            timeout=timeout,
            max_results=max_results,
        )
        media_type, body = result.render(result_format)
        return RawResult(media_type, iter([body]))

    # -- writes ----------------------------------------------------------------------------

    def update(self, update: str) -> None:
        with self._write_lock:
            try:
                self._store.update(update)
            except SyntaxError as exc:
                raise QueryError(f"SPARQL Update syntax error: {exc}") from exc
            except (ValueError, RuntimeError) as exc:
                raise QueryError(f"the update failed: {exc}") from exc
            except OSError as exc:
                raise StoreUnavailable(f"the update failed: {exc}") from exc

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        items = list(quads)
        with self._write_lock:
            existing = [g for g in replace_graphs if self._has_graph(g)]
            try:
                if not existing:
                    self._store.extend(items)  # one transaction
                else:
                    # One update is one transaction: the drops and the insert commit together.
                    self._store.update(replace_update(items, existing))
            except OSError as exc:
                raise StoreUnavailable(f"the write failed: {exc}") from exc
        return len(items)

    def _has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    # -- reading the whole store -------------------------------------------------------------

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        store = self._store
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None

        def write(sink: Any) -> None:
            if graph is None and fmt.supports_datasets:
                store.dump(sink, fmt, prefixes=prefixes)
            elif graph is None:
                triples = (q.triple for q in store.quads_for_pattern(None, None, None, None))
                ox.serialize(triples, sink, fmt, prefixes=prefixes)
            else:
                name: ox.NamedNode | ox.DefaultGraph = (
                    ox.DefaultGraph() if graph == "default" else ox.NamedNode(graph)
                )
                if fmt.supports_datasets:
                    quads = store.quads_for_pattern(None, None, None, name)
                    ox.serialize(quads, sink, fmt, prefixes=prefixes)
                else:
                    store.dump(sink, fmt, from_graph=name, prefixes=prefixes)

        return stream_writer(write)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    def count(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self._store.flush()
        self._store = ox.Store()  # drop the on-disk handle so the directory can be reopened


class _Stopped(Exception):
    pass


def stream_writer(write: Callable[[Any], None]) -> Iterator[bytes]:
    """Chunks of what ``write(sink)`` writes, produced in a thread with bounded memory.

    At most a few chunks wait in the queue; the writer blocks until they are consumed, and stops
    when the consumer closes the iterator early.
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    stop = threading.Event()

    def put(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise _Stopped

    class Sink:
        def __init__(self) -> None:
            self.buf = bytearray()

        def write(self, data: bytes) -> int:
            self.buf += data
            if len(self.buf) >= _CHUNK:
                put(bytes(self.buf))
                self.buf.clear()
            return len(data)

        def flush(self) -> None:
            return None

    def run() -> None:
        sink = Sink()
        try:
            write(sink)
            if sink.buf:
                put(bytes(sink.buf))
            put(None)
        except _Stopped:
            return
        except BaseException as exc:  # handed to the consumer
            try:
                put(exc)
            except _Stopped:
                return

    thread = threading.Thread(target=run, name="kg-dump", daemon=True)
    thread.start()

    def consume() -> Iterator[bytes]:
        try:
            while True:
                item = chunks.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    if isinstance(item, _Stopped):
                        return
                    raise StoreUnavailable(f"the export failed: {item}") from item
                yield item
        finally:
            stop.set()

    return consume()
