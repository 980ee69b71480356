"""Timed queries in forked children: cheap ones never time out, deadlocked children are replaced."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.errors import QueryTimeout
from kg.store import isolate
from kg.store.embedded import EmbeddedStore

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="hang detection reads /proc")


@linux_only
def test_a_child_deadlocked_by_a_lock_held_at_fork_is_replaced() -> None:
    held = threading.Lock()
    held.acquire()
    # Another thread of this process holds the lock at the first fork, then lets it go: the
    # first child waits for it forever (nothing in the child can release it).
    releaser = threading.Timer(0.05, held.release)
    releaser.start()
    restarted = isolate.stats["restarted"]

    def work() -> bytes:
        with held:
            return b"answer"

    started = time.monotonic()
    try:
        assert isolate.run(work, 5.0) == b"answer"
    finally:
        releaser.join()
    assert time.monotonic() - started < 2.0
    assert isolate.stats["restarted"] > restarted


def test_work_past_the_deadline_is_stopped() -> None:
    def work() -> bytes:
        time.sleep(30)
        return b"late"

    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        isolate.run(work, 0.3)
    assert time.monotonic() - started < 2.0


def test_a_large_answer_arrives_whole() -> None:
    payload = bytes(range(256)) * 20_000  # 5 MB, many pipe buffers
    assert isolate.run(lambda: payload, 10.0) == payload


def test_an_answer_counts_when_complete_even_if_another_process_holds_the_pipe() -> None:
    def work() -> bytes:
        # A process forked meanwhile (here: from the child itself) inherits the write end of
        # the answer pipe and outlives the child; the parent must not wait for it.
        if os.fork() == 0:  # pragma: no cover - in the grandchild
            time.sleep(3)
            os._exit(0)
        return b"answer"

    started = time.monotonic()
    assert isolate.run(work, 1.0) == b"answer"
    assert time.monotonic() - started < 0.8


def test_a_child_does_not_keep_the_pipes_of_concurrent_forks_open() -> None:
    # The write end of another thread's answer pipe, open while this fork happens.
    read_fd, write_fd = os.pipe()
    isolate._write_ends.add(write_fd)
    try:

        def work() -> bytes:
            try:
                os.fstat(write_fd)
            except OSError:
                return b"closed"
            return b"open"

        assert isolate.run(work, 5.0) == b"closed"
    finally:
        isolate._write_ends.discard(write_fd)
        os.close(read_fd)
        os.close(write_fd)


def test_cheap_timed_queries_with_concurrent_writes_never_time_out(tmp_path: Path) -> None:
    store = EmbeddedStore(str(tmp_path / "store"))
    try:
        store.update(
            "INSERT DATA { GRAPH <urn:kg:test> { "
            + " ".join(f"<urn:kg:s{i}> <urn:kg:p> {i} ." for i in range(100))
            + " } }"
        )
        stop = threading.Event()
        written = [0]

        def writer() -> None:
            while not stop.is_set():
                n = written[0]
                store.update(
                    "INSERT DATA { GRAPH <urn:kg:scratch> { "
                    + " ".join(f"<urn:kg:w{n}x{j}> <urn:kg:q> {j} ." for j in range(50))
                    + " } }"
                )
                written[0] += 1

        timeouts: list[str] = []
        counts: list[int] = []

        def reader() -> None:
            for _ in range(150):
                try:
                    rows = store.select(
                        "SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:kg:p> ?o }", timeout=5.0
                    )
                except QueryTimeout as exc:
                    timeouts.append(exc.message)
                    continue
                counts.append(int(rows[0]["n"].value))

        threads = [threading.Thread(target=writer)]
        readers = [threading.Thread(target=reader) for _ in range(2)]
        started = time.monotonic()
        for thread in threads + readers:
            thread.start()
        for thread in readers:
            thread.join()
        stop.set()
        threads[0].join()
        assert timeouts == []
        assert counts == [100] * 300
        assert written[0] > 0
        assert time.monotonic() - started < 120
        # Every committed write is visible to the next timed query.
        rows = store.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:kg:scratch> { ?s ?p ?o } }", timeout=5.0
        )
        assert int(rows[0]["n"].value) == 50 * written[0]
    finally:
        store.close()
