"""Exporting the store as RDF: format choice and streamed writing (``kg export``).

The whole dataset keeps its named graphs in TriG, N-Quads and JSON-LD; Turtle, N-Triples and
RDF/XML carry no graph names, so the whole dataset in them is the union of the graphs (one
graph, ``graph``, exports as that graph's triples in any format). The bytes come from
``Store.dump`` chunk by chunk, so memory stays bounded however large the store is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.errors import NotFound
from kg.model import rdf
from kg.store.protocol import Store


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
