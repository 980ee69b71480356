"""Run a read-only piece of work in a forked child process that is killed at a deadline.

pyoxigraph evaluates a query in Rust with no way to cancel it, so a query with a time limit runs
in a child forked from the process holding the store: the child sees the store exactly as the
parent does at the moment of the fork (copy-on-write memory, the same open database files),
evaluates, and writes its answer to a pipe. At the deadline the parent sends SIGKILL, so the work
really stops and its memory is returned. The child never writes to the store.

Forking a multi-threaded process (server threads, RocksDB's background threads) copies only the
forking thread: a lock another thread held at that moment stays locked in the child forever.
Three measures keep that from turning a cheap query into a timeout:

* A child closes the write ends of the other children's answer pipes it inherited from a
  concurrent fork, so only the child itself holds its pipe open, and the answer carries its
  length, so the parent never waits for an end of file. (Before, a child forked while a
  sibling's pipe was open kept it open, and the sibling's parent waited for an end of file that
  came only when that other child ended: a cheap query's complete answer became a timeout.)
* ``quiesce``, when given (the store's write lock), is held across the fork when it is free
  at that moment (queries never wait for a write), so such a child is not forked in the
  middle of this process's own write to the store.
* On Linux the parent watches a child that has not answered yet: a single-threaded child asleep
  in a futex wait without using CPU time can never wake (nothing else in it can release the
  lock), so after ``HANG_GRACE`` seconds it is killed and the work starts again in a new child,
  within the same deadline. ``stats`` counts those restarts.

Every child is bounded and cut off (``kg.store.sandbox``): it enters the sandbox (no network) and
caps its address space at the parent's size plus ``query_memory`` MiB before it starts the work; an
allocation past the cap aborts it and the caller gets ``QueryOutOfMemory``. At most
``query_workers`` children run at once (``configure``); a caller that gives up (its client went
away: ``cancelled_by``) has its child killed at once.

Cost: about 3 ms per query. Measured on the 2-core development machine (load average about 5),
100 runs of a SELECT over the article graph in an on-disk store: median 0.22 ms in process,
3.35 ms in a forked child. The fork copies page tables, so it grows with the parent's memory.
The measures above add about 0.1 ms (``python -m bench.bench_isolate -n 500 --threads 1``:
median 3.1 ms, 2.95 ms before them).
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import platform
import select
import signal
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext

from kg import errors
from kg.errors import KgError, QueryOutOfMemory, QueryTimeout, ServiceBusy, StoreUnavailable
from kg.store import sandbox

_OK = b"\x00"
_FAILED = b"\x01"
_HEADER = struct.Struct("!cQ")  # status byte, payload length
#: How long a child may sit in a futex wait without using CPU before it counts as deadlocked.
HANG_GRACE = 0.15
#: How often the parent looks at a child that has not written anything.
_POLL = 0.03
_MAX_ATTEMPTS = 5
_FUTEX = {"x86_64": 202, "aarch64": 98}.get(platform.machine())
#: Write ends of answer pipes open in this process (each only until its child is forked).
_write_ends: set[int] = set()
_fork_lock = threading.Lock()
#: Counters since start: forks, children found deadlocked and restarted, forks under quiesce.
stats = {"forks": 0, "restarted": 0, "quiesced": 0}


class Limits:
    """Bounds on every child: memory (MiB over the parent's size) and how many at once."""

    def __init__(self, memory_mib: int = 2048, concurrency: int = 4) -> None:
        self.memory_mib = memory_mib
        self.concurrency = concurrency
        self.slots = threading.BoundedSemaphore(concurrency)


#: The bounds in force (``configure`` sets them from the settings when the service starts).
limits = Limits()


_local = threading.local()


@contextlib.contextmanager
def cancelled_by(event: threading.Event) -> Iterator[None]:
    """Within this block (in this thread), setting ``event`` stops the children ``run`` waits
    on: the client that asked went away."""
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


def configure(*, memory_mib: int, concurrency: int) -> None:
    """Set the bounds on children (settings ``query_memory`` and ``query_workers``)."""
    global limits
    if (limits.memory_mib, limits.concurrency) != (memory_mib, concurrency):
        limits = Limits(memory_mib, max(1, concurrency))


def available() -> bool:
    """Whether this platform can fork (POSIX)."""
    return hasattr(os, "fork")


def _child(work: Callable[[], bytes], write_fd: int) -> None:  # pragma: no cover - in child
    code = 0
    try:
        try:
            faulthandler.disable()  # an abort past the memory limit is reported by the parent
            sandbox.enter()  # no network, whatever the work turns out to do
            sandbox.limit_memory(limits.memory_mib)
            status, body = _OK, work()
        except sandbox.SandboxError as exc:
            status = _FAILED
            body = json.dumps(
                {"type": "StoreUnavailable", "message": f"the query sandbox failed: {exc}"}
            ).encode()
        except MemoryError:
            status = _FAILED
            body = json.dumps({"type": "QueryOutOfMemory", "message": ""}).encode()
        except KgError as exc:
            status = _FAILED
            body = json.dumps({"type": type(exc).__name__, "message": exc.message}).encode()
        except BaseException as exc:  # anything else becomes a store error in the parent
            status = _FAILED
            body = json.dumps(
                {"type": "StoreUnavailable", "message": f"{type(exc).__name__}: {exc}"}
            ).encode()
        view = memoryview(_HEADER.pack(status, len(body)) + body)
        while view:
            written = os.write(write_fd, view[: 1 << 20])
            view = view[written:]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _fork(
    work: Callable[[], bytes], quiesce: Callable[[], AbstractContextManager[object]] | None
) -> tuple[int, int]:
    """A child running ``work``: its pid and the read end of its answer pipe."""
    read_fd, write_fd = os.pipe()
    _write_ends.add(write_fd)
    try:
        # One fork at a time (catch_warnings is not thread-safe; forks hold the GIL anyway).
        with (
            _fork_lock,
            quiesce() if quiesce is not None else nullcontext(),
            warnings.catch_warnings(),
        ):
            # Python 3.12+ warns that fork() with threads may deadlock the child: see above.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
            stats["forks"] += 1
        if pid == 0:  # pragma: no cover - in child
            for fd in _write_ends - {write_fd}:  # other children's pipes: theirs to close
                with contextlib.suppress(OSError):
                    os.close(fd)
            os.close(read_fd)
            _child(work, write_fd)
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        _write_ends.discard(write_fd)
        os.close(write_fd)
    return pid, read_fd


class _Quiesce(AbstractContextManager[object]):
    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock
        self.held = False

    def __enter__(self) -> object:
        self.held = self.lock.acquire(blocking=False)
        if self.held:
            stats["quiesced"] += 1
        return self

    def __exit__(self, *exc: object) -> None:
        if self.held:
            self.lock.release()


def try_lock(lock: threading.Lock) -> Callable[[], AbstractContextManager[object]]:
    """A ``quiesce`` that holds ``lock`` across the fork if it is free at that moment."""
    return lambda: _Quiesce(lock)


def _deadlocked(pid: int) -> int | None:
    """The CPU ticks of child ``pid`` if it is single-threaded and asleep in a futex wait."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        if fields[0] != "S" or fields[17] != "1":
            return None
        with open(f"/proc/{pid}/syscall") as fh:
            call = fh.read().split(maxsplit=1)[0]
        if _FUTEX is None or call != str(_FUTEX):
            with open(f"/proc/{pid}/wchan") as fh:
                if "futex" not in fh.read():
                    return None
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


class _Hung(Exception):
    pass


class _Ended(Exception):
    """The child ended without a complete answer."""


class _Cancelled(Exception):
    pass


def _collect(
    pid: int, read_fd: int, deadline: float, cancelled: threading.Event | None
) -> bytes | None:
    """The child's framed answer; None at the deadline; _Hung when it is deadlocked."""
    data = bytearray()
    need: int | None = None
    stuck: tuple[float, int] | None = None  # since when, at which CPU ticks
    while True:
        now = time.monotonic()
        if now >= deadline:
            return None
        if cancelled is not None and cancelled.is_set():
            raise _Cancelled
        ready, _, _ = select.select([read_fd], [], [], min(deadline - now, _POLL))
        if ready:
            stuck = None
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                raise _Ended
            data += chunk
            if need is None and len(data) >= _HEADER.size:
                need = _HEADER.size + _HEADER.unpack_from(data)[1]
            if need is not None and len(data) >= need:
                return bytes(data)
            continue
        ticks = _deadlocked(pid)
        if ticks is None:
            stuck = None
        elif stuck is None or stuck[1] != ticks:
            stuck = (time.monotonic(), ticks)
        elif time.monotonic() - stuck[0] >= HANG_GRACE:
            raise _Hung


def run(
    work: Callable[[], bytes],
    timeout: float,
    *,
    quiesce: Callable[[], AbstractContextManager[object]] | None = None,
    cancelled: threading.Event | None = None,
) -> bytes:
    """``work()`` evaluated in a sandboxed child process (no network, bounded memory);
    QueryTimeout when it runs past ``timeout``.

    At most ``limits.concurrency`` children run at once; a call waits up to ``timeout`` for a
    free slot, then gets ``ServiceBusy``; the deadline starts once it has one. ``quiesce``
    makes a context held across each fork (see ``try_lock``); setting ``cancelled`` (the
    client went away) kills the child and raises ``ServiceBusy``.
    """
    sandbox.probe()  # once per process: which sandbox the children enter
    if cancelled is None:
        cancelled = getattr(_local, "event", None)
    bounds = limits
    if not bounds.slots.acquire(timeout=timeout):
        raise ServiceBusy(
            f"no query process became free within {timeout:g} s ({bounds.concurrency} run at "
            "once, setting query_workers); retry shortly"
        )
    deadline = time.monotonic() + timeout
    try:
        return _attempts(work, timeout, deadline, quiesce, cancelled)
    finally:
        bounds.slots.release()


def _attempts(
    work: Callable[[], bytes],
    timeout: float,
    deadline: float,
    quiesce: Callable[[], AbstractContextManager[object]] | None,
    cancelled: threading.Event | None,
) -> bytes:
    for _ in range(_MAX_ATTEMPTS):
        pid, read_fd = _fork(work, quiesce)
        ended = False
        try:
            payload = _collect(pid, read_fd, deadline, cancelled)
        except _Hung:
            stats["restarted"] += 1
            continue
        except _Ended:
            ended = True
        except _Cancelled:
            raise ServiceBusy("the client went away; the query was stopped") from None
        finally:
            os.close(read_fd)
            os.kill(pid, signal.SIGKILL)  # harmless once it has answered
            _, status = os.waitpid(pid, 0)
        if ended:
            raise _died(status)
        if payload is None:
            raise QueryTimeout(
                f"the query ran past the time limit of {timeout:g} s and was stopped",
                timeout=timeout,
            )
        return _answer(payload)
    raise StoreUnavailable(
        f"the query worker deadlocked {_MAX_ATTEMPTS} times in a row after fork; try again"
    )


def _died(status: int) -> KgError:
    """The error for a child that ended without an answer (``status`` from waitpid)."""
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGABRT, signal.SIGSEGV):
        # An allocation over RLIMIT_AS aborts the store's evaluation (Rust aborts on OOM).
        return _out_of_memory()
    return StoreUnavailable("the query worker ended without an answer")


def _out_of_memory() -> QueryOutOfMemory:
    return QueryOutOfMemory(
        f"the query needed more memory than its limit of {limits.memory_mib} MiB "
        "(setting query_memory) and was stopped",
        memory_mib=limits.memory_mib,
    )


def _answer(payload: bytes) -> bytes:
    status, _ = _HEADER.unpack_from(payload)
    body = payload[_HEADER.size :]
    if status == _OK:
        return body
    info = json.loads(body)
    if info.get("type") == "QueryOutOfMemory":
        raise _out_of_memory()
    cls = getattr(errors, str(info.get("type")), StoreUnavailable)
    if not (isinstance(cls, type) and issubclass(cls, KgError)):
        cls = StoreUnavailable
    raise _rebuild(cls, str(info.get("message", "")))


def _rebuild(cls: type[KgError], message: str) -> KgError:
    exc = KgError.__new__(cls)
    KgError.__init__(exc, message)
    return exc
