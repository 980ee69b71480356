"""A supervised pool of worker processes for work that must be bounded: time, memory, network.

Each worker is a fresh Python process (``spawn``: never a fork of the threaded server, so no lock
another thread held can be inherited locked), started on first use and kept for the next call.
When it starts it enters the sandbox (``kg.store.sandbox``: no network) and caps its memory
(``RLIMIT_AS``, ``memory_mib`` over its size after start-up), then answers calls one at a time.

A call (``Pool.call(fn, *args, timeout=...)``: ``fn`` a module-level function, arguments and
result picklable) takes an idle worker, waiting at most ``wait`` seconds for one (else
``ServiceBusy``), sends the work and waits for the answer until the deadline. At the deadline,
or when ``cancelled`` is set (the client went away), the worker is killed (its work really
stops, its memory is returned) and replaced at the next call: ``QueryTimeout``. A worker that
dies (past its memory limit) gives ``QueryOutOfMemory``. Exceptions ``fn`` raises come back as
they are (``KgError`` subclasses) or as ``StoreUnavailable``.

At most ``size`` workers exist, so at most ``size`` calls run at once.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from kg.errors import KgError, QueryOutOfMemory, QueryTimeout, ServiceBusy, StoreUnavailable
from kg.store import sandbox

T = TypeVar("T")
_POLL = 0.05
_START_TIMEOUT = 60.0


def _serve(
    conn: Connection, memory_mib: int, preload: tuple[str, ...]
) -> None:  # pragma: no cover - in the worker
    """The worker's loop: sandbox, memory cap, then one call at a time until the pipe closes."""
    try:
        for name in preload:  # before the memory cap, so the cap is over what the work adds
            importlib.import_module(name)
        sandbox.probe()
        sandbox.enter()
        sandbox.limit_memory(memory_mib)
    except Exception as exc:
        conn.send(("failed", f"the worker's sandbox could not be set up: {exc}"))
        return
    conn.send(("ready", sandbox.method))
    while True:
        try:
            fn, args = conn.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", fn(*args)))
        except MemoryError:
            conn.send(("memory", None))
        except KgError as exc:
            conn.send(("error", exc))
        except Exception as exc:
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))


_local = threading.local()


@contextlib.contextmanager
def cancelled_by(event: threading.Event) -> Iterator[None]:
    """Within this block (in this thread), setting ``event`` stops the work ``Pool.call``
    waits on: the client that asked went away."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


def cancel_event() -> threading.Event | None:
    """The event ``cancelled_by`` set for this thread, if any."""
    event = getattr(_local, "event", None)
    return event if isinstance(event, threading.Event) else None


class _Raised(Exception):
    """The work raised ``error`` in a worker that stays usable."""

    def __init__(self, error: KgError) -> None:
        super().__init__(error.message)
        self.error = error


class _Worker:
    def __init__(self, memory_mib: int, preload: tuple[str, ...]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process: BaseProcess = ctx.Process(
            target=_serve, args=(child, memory_mib, preload), name="kg-worker", daemon=True
        )
        self.process.start()
        child.close()
        try:
            if not self.conn.poll(_START_TIMEOUT):
                raise EOFError("no answer in time")
            status, detail = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.kill()
            raise StoreUnavailable(f"a worker process did not start: {exc}") from exc
        if status != "ready":
            self.kill()
            raise StoreUnavailable(str(detail))

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


class Pool:
    """At most ``size`` workers, each with ``memory_mib`` MiB of memory over its start-up size;
    each imports the modules ``preload`` names when it starts. Errors call the work ``noun``."""

    def __init__(
        self, size: int, memory_mib: int, preload: tuple[str, ...] = (), *, noun: str = "work"
    ) -> None:
        self.size = max(1, size)
        self.noun = noun  # what the messages call a call's work
        self.memory_mib = memory_mib
        self.preload = preload
        self._idle: list[_Worker] = []
        self._count = 0  # workers alive, idle or busy
        self._waiting = 0  # calls waiting for a worker
        self._cond = threading.Condition()
        #: Counters since start: calls, workers started, workers killed at a deadline.
        self.stats = {"calls": 0, "started": 0, "killed": 0}

    def _take(self, wait: float) -> _Worker | None:
        """An idle worker, or None when a new one may be started; ``ServiceBusy`` after
        ``wait`` seconds with every worker busy."""
        limit = time.monotonic() + wait
        with self._cond:
            self._waiting += 1
            try:
                while not self._idle and self._count >= self.size:
                    left = limit - time.monotonic()
                    if left <= 0:
                        raise ServiceBusy(
                            f"every {self.noun} worker process was busy for {wait:g} s "
                            f"({self.size} run at once, setting query_workers); retry shortly"
                        )
                    self._cond.wait(left)
            finally:
                self._waiting -= 1
            if self._idle:
                return self._idle.pop()
            self._count += 1
            return None

    def load(self) -> tuple[int, int]:
        """(calls running in a worker now, calls waiting for one): a glance, for health."""
        with self._cond:
            return self._count - len(self._idle), self._waiting

    def _give_back(self, worker: _Worker | None) -> None:
        with self._cond:
            if worker is None:
                self._count -= 1
            else:
                self._idle.append(worker)
            self._cond.notify()

    def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        timeout: float,
        wait: float | None = None,
        cancelled: threading.Event | None = None,
    ) -> T:
        """``fn(*args)`` in a worker, stopped after ``timeout`` seconds (see the module docs);
        ``cancelled`` defaults to the event ``cancelled_by`` set for this thread."""
        if cancelled is None:
            cancelled = cancel_event()
        worker = self._take(timeout if wait is None else wait)
        try:
            if worker is None:
                worker = _Worker(self.memory_mib, self.preload)
                self.stats["started"] += 1
            self.stats["calls"] += 1
            result = self._run(worker, fn, args, timeout, cancelled)
        except _Raised as raised:  # the work raised; the worker is fine
            self._give_back(worker)
            raise raised.error from None
        except BaseException:
            if worker is not None:
                worker.kill()
            self._give_back(None)
            self.warm()  # its replacement starts now, not at the next call
            raise
        self._give_back(worker)
        return result

    def _run(
        self,
        worker: _Worker,
        fn: Callable[..., T],
        args: tuple[Any, ...],
        timeout: float,
        cancelled: threading.Event | None,
    ) -> T:
        deadline = time.monotonic() + timeout
        worker.conn.send((fn, args))
        while not worker.conn.poll(min(_POLL, max(0.0, deadline - time.monotonic()))):
            if cancelled is not None and cancelled.is_set():
                raise ServiceBusy(f"the client went away; the {self.noun} was stopped")
            if time.monotonic() >= deadline:
                self.stats["killed"] += 1
                raise QueryTimeout(
                    f"the {self.noun} ran past the time limit of {timeout:g} s and was stopped",
                    timeout=timeout,
                )
        try:
            status, value = worker.conn.recv()
        except EOFError:  # the worker died: an allocation past RLIMIT_AS aborts it
            raise self._out_of_memory() from None
        if status == "ok":
            return value  # type: ignore[no-any-return]
        if status == "memory":
            raise _Raised(self._out_of_memory())
        if status == "error" and isinstance(value, KgError):
            raise _Raised(value)
        raise _Raised(StoreUnavailable(f"the worker process failed: {value}"))

    def _out_of_memory(self) -> QueryOutOfMemory:
        return QueryOutOfMemory(
            f"the {self.noun} needed more memory than its limit of {self.memory_mib} MiB "
            "(setting query_memory) and was stopped",
            memory_mib=self.memory_mib,
        )

    def warm(self) -> None:
        """Start a worker in the background when none is idle, so the next call finds one."""

        def start() -> None:
            with self._cond:
                if self._idle or self._count >= self.size:
                    return
                self._count += 1
            try:
                worker = _Worker(self.memory_mib, self.preload)
            except Exception:  # the next call starts one itself, and reports what goes wrong
                self._give_back(None)
                return
            self.stats["started"] += 1
            self._give_back(worker)

        threading.Thread(target=start, name="kg-worker-start", daemon=True).start()

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their call ends)."""
        with self._cond:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill()
