"""Loading RDF files into the store: parse, validate, commit in one transaction.

``load(store, files)`` reads every file completely, validates the new data together with what
the store already holds about the nodes it touches, and commits all files at once, or nothing:

* **Graphs.** Each source goes into its own named graph. A triple format (Turtle, N-Triples,
  RDF/XML) goes into ``graph`` when given, else into ``https://w3id.org/aikg/graph/<file-stem>``;
  a quad format (TriG, N-Quads, JSON-LD) keeps its named graphs, and its default-graph triples
  go where a triple format's would. Loading a graph again replaces it.
* **Small loads** (the usual case) are parsed into memory with ``kg.model.rdf`` (errors name
  the line), validated with pySHACL on the focus nodes only (``kg.writes.draft.extract``: the
  touched nodes' statements after the load, plus the types of the nodes they refer to), and
  committed with ``Store.add_quads``, one transaction on either store.
* **Large loads** (files over ``LARGE_LOAD_BYTES``) are the store's ``bulk_load``: parsed by
  pyoxigraph's bulk loader, then validated here, inside a store, by
  ``kg.validation.fastvalidate`` (pySHACL on a million triples takes minutes), and committed
  all or nothing by the store (see ``kg.store.protocol``: a new generation published by one
  atomic rename on the embedded on-disk store, even under kill -9; one transaction on the
  others). This module gives the store the two refusals: graphs reserved to kg
  (``refuse_replacing``) and data that breaks the shapes (``validate_large_load``).
* **Loads through the writer** (``write_quads``, ``load_data``: ``PUT``/``POST /store`` on
  ``kg serve``, which ``kg load`` uses while a service holds the store) are one write like a
  mutation's: validated on the focus nodes, committed with a history record in one update.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, ValidationFailed
from kg.model import rdf
from kg.model.namespaces import GRAPH, is_reserved
from kg.store.protocol import BulkFile, BulkLoaded, Progress, Store
from kg.validation.fastvalidate import validate_store
from kg.validation.validate import Report
from kg.writes import commit, search
from kg.writes.draft import Change, Draft, extract, graph_quads
from kg.writes.draft import validate_focus as validate_subgraph

#: Files larger than this (in total) take the bulk path (bulk parser, in-store validation).
LARGE_LOAD_BYTES = 2 * 1024 * 1024


@dataclass(kw_only=True)
class LoadResult(BulkLoaded):
    """What a load did (the triples and graphs it committed, from how many files, along which
    path, with which report), and where the time went."""

    files: int
    bulk: bool = False
    #: The history record of a load through the writer (``write_quads``).
    change: str | None = None
    report: Report = field(default_factory=lambda: Report(conforms=True))

    @property
    def seconds(self) -> float:
        """Wall-clock time of the whole load."""
        overlapped = self.validate_seconds if self.validated_during_parse else 0.0
        return self.parse_seconds + self.validate_seconds + self.commit_seconds - overlapped

    @property
    def rate(self) -> float:
        """Triples per second of the whole load (parse, validation and commit)."""
        return self.triples / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"Loaded {self.triples:,} triples into {len(self.graphs):,} graph(s) from "
            f"{self.files} file(s) in {self.seconds:.2f} s ({self.rate:,.0f} triples/s; "
            f"parse {self.parse_seconds:.2f} s, validation {self.validate_seconds:.2f} s"
            f"{' during the parse' if self.validated_during_parse else ''}, "
            f"commit {self.commit_seconds:.2f} s)"
        )


def graph_for(path: Path) -> str:
    """The default named graph of a file: ``graph/<stem>`` (``.gz`` and extension dropped)."""
    name = path.name.removesuffix(".gz")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "source"
    return str(GRAPH[slug])


def sources(
    files: Iterable[Path], fmt: str | None = None, graph: str | None = None
) -> list[BulkFile]:
    """The files to load, each with its format and target graph; unusable arguments raise."""
    if graph is not None and not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", graph, re.IGNORECASE):
        raise InputError(f"--graph {graph!r} is not an absolute IRI")
    found = []
    for path in files:
        if not path.is_file():
            raise InputError(f"{path}: no such file", source=str(path))
        target = graph or graph_for(path)
        refuse_reserved(
            [target],
            f"{path}: " + ("--graph" if graph else f"its graph (from the file name {path.name!r})"),
        )
        found.append(BulkFile(path, rdf.format_of(path, fmt), target))
    if not found:
        raise InputError("no files to load")
    return found


def refuse_reserved(graphs: Iterable[str], what: str) -> None:
    """``InputError`` when one of ``graphs`` is kg's own (history, ontology)."""
    for name in graphs:
        if is_reserved(name):
            raise InputError(
                f"{what} names the graph <{name}>, which is reserved to kg (history and "
                "ontology); load into another graph (--graph)"
            )


def refuse_replacing(store: Store, graphs: Iterable[str]) -> None:
    """``InputError`` when quads name one of kg's own graphs that the store already holds: a
    dump that holds them is restored into a store without them (an empty one), never over."""
    held = set(store.named_graphs())
    for name in graphs:
        if is_reserved(name) and name in held:
            raise InputError(
                f"the data names the graph <{name}>, which is reserved to kg (history and "
                "ontology) and already in the store; a dump that holds it can be restored "
                "into an empty store only"
            )


def load(
    store: Store,
    files: Iterable[Path],
    *,
    fmt: str | None = None,
    graph: str | None = None,
    progress: Progress | None = None,
    bulk: bool | None = None,
) -> LoadResult:
    """Load ``files`` into ``store`` in one transaction (see the module docs).

    ``bulk`` forces the large-load path on (True) or off (False); by default it is taken for
    files over ``LARGE_LOAD_BYTES``. Raises ParseError (nothing loaded), ValidationFailed with
    the report (nothing loaded), InputError for unusable arguments.
    """
    todo = sources(files, fmt, graph)
    size = sum(s.path.stat().st_size for s in todo)
    if bulk is None:
        bulk = size > LARGE_LOAD_BYTES
    try:
        if not bulk:
            return _load_small(store, todo)
        return _load_large(store, todo, progress)
    finally:
        search.invalidate(store)  # what was loaded is searchable on the next request


# -- small loads: parse into memory, pySHACL on the focus nodes, one transaction ------------


def read_files(todo: list[BulkFile]) -> list[ox.Quad]:
    """The quads of the files, each file's default-graph triples in its target graph."""
    quads: list[ox.Quad] = []
    for src in todo:
        parsed = rdf.parse_file(src.path, src.fmt)
        rdf.check_literals(parsed, str(src.path))
        quads += in_graph(parsed, src.graph, str(src.path))
    return quads


def in_graph(quads: Iterable[ox.Quad], graph: str | None, source: str) -> list[ox.Quad]:
    """``quads`` with those of the default graph moved into ``graph`` (kg keeps every
    statement in a named graph: without ``graph``, such quads are an ``InputError``)."""
    target = ox.NamedNode(graph) if graph is not None else None
    out = []
    for q in quads:
        if isinstance(q.graph_name, ox.DefaultGraph):
            if target is None:
                raise InputError(
                    f"{source}: statements outside a named graph: name the graph they go to "
                    "(?graph=IRI)",
                    source=source,
                )
            q = ox.Quad(q.subject, q.predicate, q.object, target)
        out.append(q)
    return out


def graphs_of(quads: Iterable[ox.Quad]) -> list[str]:
    return sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})


def _load_small(store: Store, todo: list[BulkFile]) -> LoadResult:
    started = time.perf_counter()
    quads = read_files(todo)
    graphs = graphs_of(quads)
    refuse_replacing(store, graphs)
    result = LoadResult(triples=len(quads), graphs=graphs, files=len(todo))
    result.parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    result.report = validate_focus(store, quads, graphs)
    result.validate_seconds = time.perf_counter() - started
    _refuse(result.report, todo)

    started = time.perf_counter()
    store.add_quads(quads, replace_graphs=graphs)
    result.commit_seconds = time.perf_counter() - started
    return result


def validate_focus(store: Store, quads: list[ox.Quad], graphs: list[str]) -> Report:
    """pySHACL on the nodes the load touches, with their statements as they will be after it."""
    removed: set[ox.Quad] = set()
    for name in graphs:
        removed |= graph_quads(store, name)
    change = Change(operation="load", source=None, add=frozenset(quads), remove=frozenset(removed))
    return validate_subgraph(extract(store, change))


def _refuse(report: Report, todo: list[BulkFile]) -> None:
    if report.conforms:
        return
    names = ", ".join(str(s.path) for s in todo)
    raise ValidationFailed(
        f"{names}: the data does not conform to the shapes; nothing was loaded.\n"
        + report.to_text(),
        violations=report.to_json()["violations"],
    )


# -- loads through the writer: a write like a mutation's, with its history record -------------


def load_data(
    store: Store, data: bytes, fmt: ox.RdfFormat, *, graph: str | None, replace: bool
) -> LoadResult:
    """Load an RDF document (a request's body) through the writer: :func:`write_quads` of its
    quads, its default-graph triples in ``graph``."""
    started = time.perf_counter()
    source = "the request body"
    quads = in_graph(rdf.parse_bytes(data, fmt, source), graph, source)
    rdf.check_literals(quads, source)
    parsed = time.perf_counter() - started
    result = write_quads(store, quads, replace=replace)
    result.parse_seconds = parsed
    return result


def write_quads(store: Store, quads: list[ox.Quad], *, replace: bool) -> LoadResult:
    """Write ``quads`` (each in a named graph) as one validated write (``kg.writes.commit``):
    with ``replace`` the graphs they name are emptied first (``kg load``'s semantics, the Graph
    Store Protocol's PUT), else added to (POST). The nodes they touch are validated against the
    shapes as they will be after it (``ValidationFailed``, nothing written), and the change is
    committed with its history record (operation ``load``) in one update."""
    graphs = graphs_of(quads)
    refuse_reserved(graphs, "the data")
    if not quads and not replace:
        raise InputError("no statements to load")

    def plan(draft: Draft) -> None:
        if replace:
            for name in graphs:
                draft.clear_graph(ox.NamedNode(name))
        draft.added.extend(quads)

    started = time.perf_counter()
    _, committed = commit.write(store, "load", plan)
    result = LoadResult(triples=len(quads), graphs=graphs, files=1, change=committed.change_iri)
    result.commit_seconds = time.perf_counter() - started  # validation included
    return result


# -- large loads: the store's bulk load, validated in a store ---------------------------------


def _load_large(store: Store, todo: list[BulkFile], progress: Progress | None) -> LoadResult:
    reports: list[Report] = []

    def check(data: Store, focus: set[str] | None) -> None:
        reports[:] = [validate_large_load(data, focus)]
        _refuse(reports[0], todo)

    loaded = store.bulk_load(
        todo,
        admit=lambda graphs: refuse_replacing(store, graphs),
        check=check,
        progress=progress,
    )
    return LoadResult(**vars(loaded), files=len(todo), bulk=True, report=reports[0])


def validate_large_load(data: Store, focus: set[str] | None = None) -> Report:
    """THE HOOK for large loads: in-store validation
    (``kg.validation.fastvalidate.validate_store``).

    ``data`` holds what the store will hold (or the new data plus its context); with ``focus``,
    only violations on those nodes count (the context's own nodes are incomplete by design).
    """
    report = validate_store(data)
    if focus is not None:
        report.violations = [v for v in report.violations if v.focus in focus]
        report.conforms = not any(v.severity == "Violation" for v in report.violations)
    return report
