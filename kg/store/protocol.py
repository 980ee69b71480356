"""The one store interface everything above the store speaks (opened by ``kg.store.opening``).

Two implementations sit side by side, like httpx's transports:

* ``kg.store.embedded.EmbeddedStore``: pyoxigraph, on disk (default) or in memory (tests);
* ``kg.store.remote.RemoteStore``: any SPARQL 1.1 server over HTTP (Query, Update, Graph Store
  Protocol).

Nothing above this module may depend on which one it talks to. Terms crossing the interface are
pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``), whatever the implementation.

Semantics both implementations keep:

* **Default graph.** A query's default graph is the union of all named graphs, unless the caller
  names the dataset with ``default_graph_uris``/``named_graph_uris`` (the SPARQL protocol's
  ``default-graph-uri``/``named-graph-uri``) or the query has ``FROM``/``FROM NAMED``.
* **Time limit.** ``timeout`` (seconds) really stops the work: the embedded store evaluates in a
  query worker process killed at the deadline (``kg.store.querypool``), the remote store closes
  the HTTP request. Past it: ``kg.errors.QueryTimeout``.
* **Row cap.** ``max_results`` caps SELECT rows and CONSTRUCT triples; past it:
  ``kg.errors.ResultTooLarge``. Bad SPARQL: ``kg.errors.QueryError`` with the parser's message.
* **Writes** (``update``, ``add_quads``, ``bulk_load``) are atomic: all of it or none of it.
* **Large loads** (``bulk_load``): files parsed by pyoxigraph's bulk parser (``kg.store.bulk``),
  checked by the caller, committed all or nothing. The embedded on-disk store builds and
  publishes a new generation (``kg.store.generations``, safe even under kill -9); the other
  stores stage the files in memory and add them in one transaction (``kg.store.staging``).

Extensions to the original protocol: ``select``/``construct`` take ``max_results``; ``count``;
``bulk_load``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from kg.store.results import Result, Row, Term

__all__ = ["BulkFile", "BulkLoaded", "RawResult", "ResultQueries", "Row", "Store", "Term"]


@dataclass(frozen=True)
class RawResult:
    """A query result already serialized for the SPARQL protocol."""

    media_type: str
    chunks: Iterator[bytes]


@dataclass(frozen=True)
class BulkFile:
    """One file of a large load: its RDF format and the named graph its default-graph triples
    go to (a quad format's named graphs are kept)."""

    path: Path
    fmt: ox.RdfFormat
    graph: str


@dataclass
class BulkLoaded:
    """What a large load committed, and where its time went (seconds)."""

    triples: int
    graphs: list[str]
    parse_seconds: float = 0.0
    validate_seconds: float = 0.0
    commit_seconds: float = 0.0
    #: The check ran during the parse (on a copy in memory): its time is inside the parse's.
    validated_during_parse: bool = False


#: ``progress(bytes_read, bytes_total)``, called a few times a second while files are parsed.
Progress = Callable[[int, int], None]
#: ``admit(graphs)``: raises to refuse a load that fills these named graphs.
Admit = Callable[[list[str]], None]
#: ``check(data, focus)``: raises to refuse what a load would commit. ``data`` is the whole
#: store as it will be (``focus`` None), or the new data with what the store holds about its
#: nodes (``focus``: the new data's subjects, the only nodes whose violations count).
Check = Callable[["Store", set[str] | None], None]


@runtime_checkable
class Store(Protocol):
    """What kg needs from a store. Every method is safe to call from several threads."""

    def select(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[Row]:
        """Rows of a SELECT query; unbound variables are absent from the row."""
        ...

    def ask(self, query: str, *, timeout: float | None = None) -> bool: ...

    def construct(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[ox.Triple]:
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
        """Run any read query and serialize its result in ``result_format``.

        ``result_format`` is a media type or a short name (json, xml, csv, tsv for SELECT/ASK;
        turtle, ntriples, rdfxml, jsonld for CONSTRUCT/DESCRIBE). A format that does not fit the
        query form falls back to that form's default (SPARQL JSON, or Turtle);
        ``RawResult.media_type`` says which was used. The whole result is computed (within the
        time limit and row cap) before this returns, so errors are raised here, not mid-stream.
        """
        ...

    def update(self, update: str) -> None:
        """Apply a SPARQL Update atomically: all of it or none of it."""
        ...

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        """Add quads in one transaction (after clearing ``replace_graphs``); return the count."""
        ...

    def bulk_load(
        self,
        files: Sequence[BulkFile],
        *,
        admit: Admit,
        check: Check,
        progress: Progress | None = None,
    ) -> BulkLoaded:
        """Load large files with the bulk parser in one all-or-nothing commit; each named
        graph they fill replaces the store's graph of that name.

        A file that does not parse, or holds a bad literal, loads nothing (``ParseError``, the
        file named); then ``admit`` sees the graphs and ``check`` the data (both raise to
        refuse; then nothing is loaded either).
        """
        ...

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        """Serialize the whole dataset, the default graph (``graph="default"``) or one graph."""
        ...

    def named_graphs(self) -> list[str]: ...

    def is_empty(self) -> bool: ...

    def count(self, graph: str | None = None) -> int:
        """How many quads the store holds: in all graphs, or in ``graph`` (an IRI, or
        ``"default"``), counted as ``dump`` writes them."""
        ...

    def close(self) -> None: ...

    @property
    def sorts_pages(self) -> bool:
        """Whether the store may be trusted to order and cut a page of a list (``ORDER BY`` an
        expression, ``LIMIT``, a ``FILTER`` on the sort key), or pages are cut in Python."""
        ...


_OWN_DATASET = re.compile(r"\bFROM\s+(NAMED\s+)?(<|[A-Za-z_][\w.-]*:)", re.IGNORECASE)


def has_own_dataset(query: str) -> bool:
    """Whether a query names its dataset with ``FROM``/``FROM NAMED`` (then no union)."""
    return _OWN_DATASET.search(query) is not None


#: Most statements in one ``INSERT DATA`` operation of an update (Virtuoso compiles each
#: operation to SQL and refuses one past 10,000 lines of it, about 1,000 statements).
INSERT_CHUNK = 500


def replace_update(quads: list[ox.Quad], graphs: list[str]) -> str:
    """One SPARQL Update request that drops ``graphs`` and inserts ``quads``: atomic on any
    server. The statements go in operations of at most ``INSERT_CHUNK``; those with blank nodes
    all in one ``INSERT {...} WHERE {}`` (a label names one node within one operation only, and
    Virtuoso refuses blank nodes in ``INSERT DATA``)."""
    operations = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
    plain = [q for q in quads if not _has_blank(q)]
    blank = [q for q in quads if _has_blank(q)]
    for start in range(0, len(plain), INSERT_CHUNK):
        operations.append(f"INSERT DATA {{\n{_blocks(plain[start : start + INSERT_CHUNK])}}}")
    if blank:
        operations.append(f"INSERT {{\n{_blocks(blank)}}} WHERE {{}}")
    if not quads:
        operations.append("INSERT DATA {}")
    return " ;\n".join(operations)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _blocks(quads: list[ox.Quad]) -> str:
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        by_graph.setdefault(key, []).append(q.triple)
    blocks = []
    for key, triples in by_graph.items():
        body = (ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES) or b"").decode()
        blocks.append(body if not key else f"GRAPH {key} {{\n{body}}}\n")
    return "".join(blocks)


class ResultQueries:
    """``select``, ``ask``, ``construct`` and ``query_raw`` for a store whose ``evaluate``
    reduces any read query to a ``kg.store.results.Result`` (both implementations do)."""

    def evaluate(
        self,
        query: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> Result:
        raise NotImplementedError

    def select(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[Row]:
        return self.evaluate(query, timeout=timeout, max_results=max_results).rows()

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
