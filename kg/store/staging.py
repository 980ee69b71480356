"""Large loads into a store without generations (a remote store, an embedded store in memory or
in a plain database directory): staged in memory, checked, then added in one transaction.

The files are parsed into a pyoxigraph store in memory (``kg.store.bulk``). What the store
already says about the new data's subjects (outside the graphs the load replaces), and the
types of the nodes they refer to, are added to that copy in a context graph, so the check sees
each new node as it will be without reading the whole store. Then ``Store.add_quads`` commits
the new data, replacing its graphs: one transaction on either store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence

import pyoxigraph as ox

from kg.model import rdf
from kg.store import bulk
from kg.store.protocol import Admit, BulkFile, BulkLoaded, Check, Progress, Store

_CONTEXT = ox.NamedNode("urn:kg:load:context")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def load_staged(
    store: Store,
    files: Sequence[BulkFile],
    *,
    admit: Admit,
    check: Check,
    progress: Progress | None,
    scratch: Callable[[ox.Store], Store],
) -> BulkLoaded:
    """``Store.bulk_load`` by staging in memory; ``scratch`` makes a ``Store`` of the staged
    copy for ``check`` (``EmbeddedStore.wrap``)."""
    started = time.perf_counter()
    stage = ox.Store()
    bulk.parse_files([bulk.Target(stage, chunked=False)], files, progress)
    rdf.check_store_literals(stage, bulk.names(files))
    quads = list(stage)
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    admit(graphs)
    loaded = BulkLoaded(len(quads), graphs)
    loaded.parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    focus = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    referred = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}
    stage.extend(_context(store, focus, referred, graphs))
    check(scratch(stage), focus)
    loaded.validate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    store.add_quads(quads, replace_graphs=graphs)
    loaded.commit_seconds = time.perf_counter() - started
    return loaded


def _context(
    store: Store, focus: set[str], referred: set[str], replaced: list[str]
) -> list[ox.Quad]:
    """What the store says about the focus nodes (outside the replaced graphs), and the types
    of the nodes they refer to, in one context graph."""
    if store.is_empty():
        return []
    skip = ", ".join(f"<{g}>" for g in replaced) or "<urn:kg:none>"
    out: list[ox.Quad] = []
    for values in _batches(focus):
        for row in store.select(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
            f"FILTER(?g NOT IN ({skip})) }}"
        ):
            out.append(ox.Quad(row["s"], row["p"], row["o"], _CONTEXT))  # type: ignore[arg-type]
    referred = referred | {q.object.value for q in out if isinstance(q.object, ox.NamedNode)}
    for values in _batches(referred - focus):
        for row in store.select(
            f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?o }} "
            f"FILTER(?g NOT IN ({skip})) }}"
        ):
            out.append(ox.Quad(row["s"], _RDF_TYPE, row["o"], _CONTEXT))  # type: ignore[arg-type]
    return out


def _batches(nodes: set[str], size: int = 500) -> Iterable[str]:
    ordered = sorted(nodes)
    for i in range(0, len(ordered), size):
        yield " ".join(f"<{n}>" for n in ordered[i : i + size])
