"""Timed queries on the embedded store run in the pool of query workers (``kg.store.querypool``):
killed at the deadline, reading a snapshot that holds every write committed before the query."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from kg.errors import QueryTimeout
from kg.store import querypool
from kg.store.embedded import EmbeddedStore
from kg.store.opening import open_store

#: Joins 30 copies of the whole store: never ends on any store holding a few triples.
ENDLESS = (
    "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(30)) + " }"
)


def count(store: EmbeddedStore, graph: str = "urn:kg:test") -> int:
    rows = store.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}", timeout=10.0
    )
    return int(rows[0]["n"].value)


def insert(store: EmbeddedStore, n: int, graph: str = "urn:kg:test", tag: str = "s") -> None:
    triples = " ".join(f"<urn:kg:{tag}{i}> <urn:kg:p> {i} ." for i in range(n))
    store.update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")


@pytest.fixture
def store(tmp_path: Path) -> EmbeddedStore:
    opened = EmbeddedStore(str(tmp_path / "store"))
    yield opened  # type: ignore[misc]
    opened.close()


def live_workers() -> set[int]:
    """The pids of the query workers alive now (this process's children named kg-worker)."""
    import multiprocessing

    return {
        p.pid
        for p in multiprocessing.active_children()
        if p.name == "kg-worker" and p.pid is not None
    }


def test_a_query_past_its_deadline_is_stopped_and_its_worker_killed(
    store: EmbeddedStore,
) -> None:
    insert(store, 5)
    assert count(store) == 5  # a worker is up and has opened the store
    before = live_workers()
    killed = querypool.pool().stats["killed"]
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match=r"the query ran past the time limit of 0\.5 s"):
        store.select(ENDLESS, timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert querypool.pool().stats["killed"] == killed + 1
    # The worker that ran it is gone (its work stopped with it); the next query gets another.
    time.sleep(0.2)
    assert len(before - live_workers()) == 1
    assert count(store) == 5


def test_a_query_sees_every_write_committed_before_it(store: EmbeddedStore) -> None:
    for n in range(1, 6):
        insert(store, 1, tag=f"w{n}x")
        assert count(store) == n
    # A burst of writes costs one snapshot, taken by the query after it.
    taken = store.snapshots.taken if store.snapshots else 0
    for n in range(6, 11):
        insert(store, 1, tag=f"w{n}x")
    assert count(store) == 10
    assert count(store) == 10
    assert store.snapshots is not None and store.snapshots.taken == taken + 1


def test_only_the_newest_snapshot_is_kept(store: EmbeddedStore, tmp_path: Path) -> None:
    for n in range(5):
        insert(store, 1, tag=f"k{n}x")
        count(store)
    kept = os.listdir(tmp_path / "store" / "snapshots")
    assert len(kept) == 1 and kept[0].startswith(querypool.SNAPSHOT_PREFIX)
    store.close()
    assert not (tmp_path / "store" / "snapshots").exists()


def test_snapshots_left_by_a_killed_process_are_removed_at_open(tmp_path: Path) -> None:
    first = EmbeddedStore(str(tmp_path / "store"))
    insert(first, 3)
    count(first)
    # As if the process had been killed: its store handle goes, its snapshot stays on disk.
    first._store = first._store.__class__()
    left = os.listdir(tmp_path / "store" / "snapshots")
    assert left
    again = EmbeddedStore(str(tmp_path / "store"))
    try:
        assert os.listdir(tmp_path / "store" / "snapshots") == []
        assert count(again) == 3
    finally:
        again.close()


@pytest.mark.slow
def test_cheap_timed_queries_with_concurrent_writes_never_time_out(
    store: EmbeddedStore,
) -> None:
    insert(store, 100)
    stop = threading.Event()
    written = [0]

    def writer() -> None:
        while not stop.is_set():
            insert(store, 50, graph="urn:kg:scratch", tag=f"w{written[0]}x")
            written[0] += 1
            stop.wait(0.02)

    timeouts: list[str] = []
    counts: list[int] = []
    seen: list[list[int]] = [[], []]

    def reader(which: int) -> None:
        for _ in range(60):
            committed = written[0]
            try:
                counts.append(count(store))
                seen[which].append((count(store, "urn:kg:scratch"), committed))  # type: ignore[arg-type]
            except QueryTimeout as exc:
                timeouts.append(exc.message)

    threads = [threading.Thread(target=writer)]
    readers = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for thread in threads + readers:
        thread.start()
    for thread in readers:
        thread.join()
    stop.set()
    threads[0].join()
    assert timeouts == []
    assert counts == [100] * 120
    assert written[0] > 0
    for answers in seen:
        # Each answer holds at least the writes committed before the query began, and a
        # reader never sees the store go back.
        assert all(n >= 50 * committed for n, committed in answers)  # type: ignore[misc]
        assert [n for n, _ in answers] == sorted(n for n, _ in answers)  # type: ignore[misc]
    assert count(store, "urn:kg:scratch") == 50 * written[0]


def test_the_store_named_memory_is_on_disk_and_removed_at_close() -> None:
    store = open_store("memory")
    assert isinstance(store, EmbeddedStore) and store.path is not None
    where = store.path
    store.update("INSERT DATA { GRAPH <urn:kg:test> { <urn:kg:a> <urn:kg:p> 1 } }")
    assert count(store) == 1  # through a query worker, like any timed query
    store.close()
    assert not os.path.exists(where)


def test_a_store_in_memory_answers_timed_queries_in_this_process() -> None:
    scratch = EmbeddedStore(None)
    insert(scratch, 2)
    calls = querypool.pool().stats["calls"]
    assert count(scratch) == 2
    assert querypool.pool().stats["calls"] == calls
