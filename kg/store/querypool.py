"""Timed queries on the embedded store: a supervised pool of query worker processes.

pyoxigraph evaluates a query in Rust with no way to cancel it, and a query may ask for any
amount of memory. So a query with a time limit runs in one of at most ``query_workers`` worker
processes (``kg.store.workers``: spawned, never forked from the threaded server; each in the
sandbox, ``kg.store.sandbox``, with no network, its address space capped at ``query_memory``
MiB over its start-up size). At the deadline, or when the client goes away (``cancelled_by``),
the worker is killed, so the work really stops and its memory is returned, and a new one is
started in the background. GraphQL and SPARQL reach it the same way (``EmbeddedStore.evaluate``
and ``select`` with a ``timeout``).

A worker cannot open the store this process writes to: pyoxigraph (RocksDB) opened read-only
while another process writes to it is undefined behaviour. It opens a **snapshot** instead: a
RocksDB checkpoint of the store (``Store.backup``: hard links to its immutable files) that no
one writes to. ``Snapshots`` takes one when a timed query comes after a write (not at each
write: a burst of writes costs one snapshot), so a query sees every write committed before it
began. A worker keeps the snapshot it opened last and opens the newest one when a query names
it; a snapshot is removed once a newer one exists and no query runs on it.

Cost, at one million triples on the 2-core development machine: a snapshot 20-30 ms, opening it
in a worker about 25 ms, both only after a write; a cheap query about 0.5 ms more than in
process (``python -m bench.bench_querypool``).
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreUnavailable
from kg.store import sandbox, workers
from kg.store.protocol import has_own_dataset
from kg.store.results import Result, releasing

#: A pyoxigraph query result: freed only on the thread that made it (``releasing``).
Outcome = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

SNAPSHOT_PREFIX = "snap-"


def outcome(
    store: ox.Store,
    query: str,
    default_graph_uris: list[str] | None,
    named_graph_uris: list[str] | None,
) -> Outcome:
    """``query`` on ``store``: the union of the named graphs is the default graph unless the
    caller (``*_graph_uris``, as the SPARQL protocol names them) or the query names a dataset."""
    kwargs: dict[str, Any] = {}
    if default_graph_uris is None and named_graph_uris is None:
        # pyoxigraph's union flag would override the query's own FROM clauses.
        kwargs["use_default_graph_as_union"] = not has_own_dataset(query)
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph_uris or []]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graph_uris or []]
    try:
        return store.query(query, **kwargs)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the query failed: {exc}") from exc


@releasing
def _captured(found: Outcome, max_results: int | None) -> Result:
    try:
        return Result.of(found, max_results)
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"the query failed: {exc}") from exc


def evaluate(
    store: ox.Store,
    query: str,
    default_graph_uris: list[str] | None,
    named_graph_uris: list[str] | None,
    max_results: int | None,
) -> Result:
    """``query`` on ``store``, its answer captured (``Result``), in this process."""
    return _captured(outcome(store, query, default_graph_uris, named_graph_uris), max_results)


# -- in the worker ----------------------------------------------------------------------------

#: The snapshot this worker opened last (its path, its store).
_opened: list[tuple[str, ox.Store]] = []


def _in_worker(
    path: str,
    memory_mib: int,
    query: str,
    default_graph_uris: list[str] | None,
    named_graph_uris: list[str] | None,
    max_results: int | None,
) -> tuple[str, bytes]:  # pragma: no cover - in the worker
    if not _opened or _opened[0][0] != path:
        _opened.clear()  # close the one before first: its snapshot may be gone already
        # Opening starts RocksDB's threads and caches: outside the query's memory bound, which
        # is set again over the worker's size with the store open.
        sandbox.unlimit_memory()
        try:
            _opened.append((path, ox.Store.read_only(path)))
        except OSError as exc:
            raise StoreUnavailable(
                f"the query worker could not open the store's snapshot: {exc}"
            ) from None
        finally:
            sandbox.limit_memory(memory_mib)
    result = evaluate(_opened[0][1], query, default_graph_uris, named_graph_uris, max_results)
    return result.kind, result.data


# -- in the server ----------------------------------------------------------------------------


class Snapshot:
    """One snapshot: its directory, the store's write count it holds, the queries on it."""

    def __init__(self, path: Path, version: int) -> None:
        self.path = path
        self.version = version
        self.users = 0
        self.superseded = False


class Snapshots:
    """The snapshots of one on-disk store, in ``root`` (on the store's file system, so a
    snapshot is hard links, not a copy). Leftovers of a process that was killed are removed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for left in root.glob(f"{SNAPSHOT_PREFIX}*"):
            shutil.rmtree(left, ignore_errors=True)
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._numbers = itertools.count(1)
        #: Snapshots taken since start.
        self.taken = 0

    @contextlib.contextmanager
    def use(self, version: int, take: Callable[[Path], None]) -> Iterator[Snapshot]:
        """A snapshot holding at least ``version`` writes, kept while the block runs;
        ``take(path)`` makes a new one when the newest is older."""
        with self._lock:
            current = self._current
            if current is None or current.version < version:
                path = self.root / f"{SNAPSHOT_PREFIX}{next(self._numbers):06d}"
                try:
                    take(path)
                except BaseException:
                    shutil.rmtree(path, ignore_errors=True)
                    raise
                self.taken += 1
                if current is not None:
                    current.superseded = True
                    self._remove_unused(current)
                current = self._current = Snapshot(path, version)
            current.users += 1
        try:
            yield current
        finally:
            with self._lock:
                current.users -= 1
                self._remove_unused(current)

    def _remove_unused(self, snapshot: Snapshot) -> None:
        if snapshot.superseded and snapshot.users == 0:
            shutil.rmtree(snapshot.path, ignore_errors=True)

    def close(self) -> None:
        """Remove every snapshot (the store is closing)."""
        with self._lock:
            self._current = None
            shutil.rmtree(self.root, ignore_errors=True)


class _Bounds:
    def __init__(self, memory_mib: int, concurrency: int) -> None:
        self.memory_mib = memory_mib
        self.concurrency = max(1, concurrency)
        self.pool = workers.Pool(self.concurrency, memory_mib, preload=(__name__,), noun="query")


_bounds = _Bounds(2048, 4)
_bounds_lock = threading.Lock()


def configure(*, memory_mib: int, concurrency: int) -> None:
    """Set the bounds on the query workers (settings ``query_memory`` and ``query_workers``)."""
    global _bounds
    with _bounds_lock:
        if (_bounds.memory_mib, _bounds.concurrency) != (memory_mib, max(1, concurrency)):
            old, _bounds = _bounds, _Bounds(memory_mib, concurrency)
            old.pool.close()


def pool() -> workers.Pool:
    """The pool of query workers in force."""
    return _bounds.pool


def run(
    snapshot: Snapshot,
    query: str,
    *,
    default_graph_uris: list[str] | None,
    named_graph_uris: list[str] | None,
    max_results: int | None,
    timeout: float,
) -> Result:
    """``query`` evaluated on ``snapshot`` by a query worker, stopped after ``timeout`` s."""
    workers_now = pool()
    kind, data = workers_now.call(
        _in_worker,
        str(snapshot.path),
        workers_now.memory_mib,
        query,
        default_graph_uris,
        named_graph_uris,
        max_results,
        timeout=timeout,
        cancelled=workers.cancel_event(),
    )
    return Result(kind, data)  # type: ignore[arg-type]
