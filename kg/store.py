"""The one store interface everything above the store speaks, and how to open a store.

Two implementations sit side by side, like httpx's transports:

* ``kg.embedded.EmbeddedStore``: pyoxigraph, on disk (default) or in memory (tests);
* ``kg.remote.RemoteStore``: any SPARQL 1.1 server over HTTP (Query, Update, Graph Store Protocol).

Nothing above this module may depend on which one it talks to. Terms crossing the interface are
pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``), whatever the implementation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]


@dataclass(frozen=True)
class RawResult:
    """A query result already serialized for the SPARQL protocol."""

    media_type: str
    chunks: Iterator[bytes]


@runtime_checkable
class Store(Protocol):
    """What kg needs from a store. Every method is safe to call from several threads."""

    def select(self, query: str, *, timeout: float | None = None) -> list[Row]:
        """Rows of a SELECT query; unbound variables are absent from the row."""
        ...

    def ask(self, query: str, *, timeout: float | None = None) -> bool: ...

    def construct(self, query: str, *, timeout: float | None = None) -> list[ox.Triple]:
        """Triples of a CONSTRUCT or DESCRIBE query."""
        ...

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
        """Run any read query and serialize its result in ``result_format`` (a media type)."""
        ...

    def update(self, update: str) -> None:
        """Apply a SPARQL Update atomically: all of it or none of it."""
        ...

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        """Add quads in one transaction (after clearing ``replace_graphs``); return the count."""
        ...

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        """Serialize the whole dataset, the default graph (``graph="default"``) or one graph."""
        ...

    def named_graphs(self) -> list[str]: ...

    def is_empty(self) -> bool: ...

    def close(self) -> None: ...


def open_store(location: str, **options: str | None) -> Store:
    """A store for ``location``: ``memory``, an http(s) URL, or a directory."""
    if location.startswith(("http://", "https://")):
        from kg.remote import RemoteStore

        remote: Store = RemoteStore(location, **options)
        return remote
    from kg.embedded import EmbeddedStore

    if location == "memory":
        return EmbeddedStore(None)
    return EmbeddedStore(location)
