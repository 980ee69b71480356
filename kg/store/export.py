"""Exporting the store as RDF: format choice and streamed writing (``kg export``).

The whole dataset keeps its named graphs in TriG, N-Quads and JSON-LD; Turtle, N-Triples and
RDF/XML carry no graph names, so the whole dataset in them is the union of the graphs (one
graph, ``graph``, exports as that graph's triples in any format). The bytes come from
``Store.dump`` chunk by chunk, so memory stays bounded however large the store is; both stores
make their dumps' chunks with ``stream_writer``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import NotFound, StoreUnavailable
from kg.model import rdf
from kg.store.protocol import Store

_CHUNK = 256 * 1024


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
    """Write the export to ``out``; return the number of bytes written."""
    written = 0
    for chunk in chunks(store, fmt, graph):
        out.write(chunk)
        written += len(chunk)
    out.flush()
    return written


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
