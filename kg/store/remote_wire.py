"""Reading a SPARQL server's answer as it arrives: a file over the HTTP body, and a line cap.

Virtuoso writes blank nodes in SPARQL JSON results as ``nodeID://b10000``, which is not a blank
node label; :func:`reader` renames them ``nodeID_b10000`` while the body streams through, so
each keeps its identity within the answer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any

from kg.errors import ResultTooLarge

_VIRTUOSO_BNODE = b'"type": "bnode", "value": "nodeID://'
_RENAMED_BNODE = b'"type": "bnode", "value": "nodeID_'


def line_capped(chunks: Iterator[bytes], max_results: int | None) -> bytes:
    """The body; ResultTooLarge as soon as it holds more lines than header + cap rows."""
    parts: list[bytes] = []
    lines = 0
    for chunk in chunks:
        parts.append(chunk)
        lines += chunk.count(b"\n")
        if max_results is not None and lines > max_results + 2:
            raise ResultTooLarge(
                f"the result has more than {max_results} rows; add a LIMIT or narrow the query",
                max_results=max_results,
            )
    return b"".join(parts)


def _renamed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` with Virtuoso's blank node names made valid labels (across chunk borders)."""
    keep = len(_VIRTUOSO_BNODE) - 1
    pending = b""
    for chunk in chunks:
        pending = (pending + chunk).replace(_VIRTUOSO_BNODE, _RENAMED_BNODE)
        if len(pending) > keep:
            yield pending[:-keep]
            pending = pending[-keep:]
    if pending:
        yield pending


class _ChunkReader(io.RawIOBase):
    """A binary file over an iterator of chunks (an HTTP body being received)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def reader(chunks: Iterator[bytes]) -> IO[bytes]:
    """A buffered binary file over ``chunks``, blank node names made valid."""
    return io.BufferedReader(_ChunkReader(_renamed(chunks)), buffer_size=1 << 16)
