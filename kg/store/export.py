"""Exporting the store as RDF: format choice, checked writing (``kg export``) and the streamed
dump both stores' ``dump`` is made of.

The whole dataset keeps its named graphs in TriG, N-Quads and JSON-LD; Turtle, N-Triples and
RDF/XML carry no graph names, so the whole dataset in them is the union of the graphs (one
graph, ``graph``, exports as that graph's triples in any format). The bytes come from
``Store.dump`` chunk by chunk, so memory stays bounded however large the store is; both stores
make their dumps' chunks with ``stream_writer``, whose thread stops as soon as the reader closes
the dump (``Dump.close``, safe from any thread: an HTTP client that goes away).

An export is checked: the bytes are parsed back as they are written, and the statements they hold
must be as many as the store counts before and after (``Store.count``), else ``ExportMismatch``
and, for a file, nothing at the output (``write_file`` writes beside it and renames at the end).
A store written to during the export fails the check too; export it again.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import ExportMismatch, NotFound, StoreUnavailable
from kg.metrics import DUMP_THREADS
from kg.model import rdf
from kg.store.protocol import Store
from kg.store.remote_wire import reader

_CHUNK = 256 * 1024
#: How often a waiting dump thread, or its reader, looks whether the other side stopped.
_POLL = 0.1


def choose_format(fmt: str | None, output: Path | None, graph: str | None) -> ox.RdfFormat:
    """``fmt`` when given; else from the output file's extension; else TriG for the whole
    dataset and Turtle for one graph."""
    if fmt:
        return rdf.format_named(fmt)
    if output is not None and str(output) != "-" and output.suffix:
        return rdf.format_of(output)
    return ox.RdfFormat.TRIG if graph is None else ox.RdfFormat.TURTLE


def chunks(store: Store, fmt: ox.RdfFormat, graph: str | None = None) -> Iterator[bytes]:
    """The export's bytes; NotFound when ``graph`` names a graph the store does not hold."""
    if graph is not None and graph != "default" and graph not in store.named_graphs():
        raise NotFound(f"the store has no graph <{graph}>", graph=graph)
    return store.dump(fmt, graph=graph)


def write(store: Store, fmt: ox.RdfFormat, out: IO[bytes], graph: str | None = None) -> int:
    """Write the export to ``out`` and check it (see the module docs); return the number of
    bytes written. ``ExportMismatch`` when what was written is not what the store holds."""
    before = store.count(graph)
    source = chunks(store, fmt, graph)
    written = 0

    def passed() -> Iterator[bytes]:
        nonlocal written
        for chunk in source:
            out.write(chunk)
            written += len(chunk)
            yield chunk

    stream = passed()
    try:
        statements = sum(1 for _ in ox.parse(reader(stream), fmt))
        for _ in stream:  # what the parser left unread is written too
            pass
    except (SyntaxError, ValueError, OSError) as exc:
        raise ExportMismatch(f"the export does not read back as {fmt.name}: {exc}") from exc
    finally:
        close(source)
    out.flush()
    after = store.count(graph)
    what = "the store" if graph is None else f"the graph <{graph}>"
    if before != after:
        raise ExportMismatch(
            f"{what} changed during the export ({before:,} statements before, {after:,} after); "
            "export it again"
        )
    if statements != before:
        raise ExportMismatch(
            f"the export holds {statements:,} statements but {what} holds {before:,}: the "
            "store's dump is not its data (for a remote store, check the Graph Store Protocol "
            "URL, setting gsp_url)"
        )
    return written


def write_file(store: Store, fmt: ox.RdfFormat, path: Path, graph: str | None = None) -> int:
    """``write`` to a file beside ``path``, renamed to ``path`` once the export checks out;
    nothing is left at ``path`` when it fails."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as fh:
            size = write(store, fmt, fh, graph)
            os.fsync(fh.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return size


def close(dump: Iterator[bytes]) -> None:
    """Stop ``dump`` early (a ``Dump`` from any thread; a generator where it waits)."""
    stop = getattr(dump, "close", None)
    if callable(stop):
        with contextlib.suppress(ValueError):  # a generator running in another thread
            stop()


class _Stopped(Exception):
    pass


class Dump:
    """The chunks a ``stream_writer`` thread produces; ``close()`` (from any thread) stops it."""

    def __init__(self, chunks: queue.Queue[bytes | BaseException | None]) -> None:
        self._chunks = chunks
        self.stop = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        while not self.stop.is_set():
            try:
                item = self._chunks.get(timeout=_POLL)
            except queue.Empty:
                continue
            if item is None:
                break
            if isinstance(item, BaseException):
                self.stop.set()
                raise StoreUnavailable(f"the export failed: {item}") from item
            return item
        self.stop.set()
        raise StopIteration

    def close(self) -> None:
        self.stop.set()

    def __del__(self) -> None:
        self.stop.set()


def stream_writer(write: Callable[[Any], None]) -> Dump:
    """Chunks of what ``write(sink)`` writes, produced in a thread with bounded memory.

    At most a few chunks wait in the queue; the writer blocks until they are consumed, and stops
    (within ``_POLL`` seconds, its ``write`` interrupted) when the consumer closes the dump or
    drops it.
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    dump = Dump(chunks)
    stop = dump.stop

    def put(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=_POLL)
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
        finally:
            DUMP_THREADS.dec()

    thread = threading.Thread(target=run, name="kg-dump", daemon=True)
    DUMP_THREADS.inc()
    thread.start()
    return dump
