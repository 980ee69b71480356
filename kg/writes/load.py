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
* **Large loads** (files over ``LARGE_LOAD_BYTES``) are parsed by pyoxigraph's bulk loader into
  a staging store, validated inside the store by ``kg.validation.fastvalidate`` (pySHACL on a
  million triples takes minutes), and committed: on an on-disk embedded store by publishing a
  new generation (``kg.store.generations``: one atomic rename, all or nothing even under
  kill -9); on the other stores by ``add_quads``. ``kg.store.bulk`` feeds the loader
  (progress, bounded chunks); an on-disk store that holds little is validated on a copy parsed
  into memory alongside.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, ValidationFailed
from kg.model import rdf
from kg.model.namespaces import GRAPH, is_reserved
from kg.store import bulk
from kg.store.embedded import COPY_INTO_STAGE, EmbeddedStore, Generation
from kg.store.protocol import Store
from kg.validation.fastvalidate import validate_store
from kg.validation.validate import Report
from kg.writes import search
from kg.writes.draft import Change, extract
from kg.writes.draft import validate_focus as validate_subgraph

#: Files larger than this (in total) take the bulk path (bulk parser, in-store validation).
LARGE_LOAD_BYTES = 2 * 1024 * 1024
_CONTEXT = ox.NamedNode("urn:kg:load:context")
#: ``progress(bytes_read, bytes_total)``, called a few times a second during large loads.
Progress = Callable[[int, int], None]


@dataclass
class Source:
    """One file to load: its format and the graph its default-graph triples go to."""

    path: Path
    fmt: ox.RdfFormat
    graph: str


@dataclass
class LoadResult:
    """What a load did, and where the time went."""

    files: int
    triples: int
    graphs: list[str]
    parse_seconds: float = 0.0
    validate_seconds: float = 0.0
    commit_seconds: float = 0.0
    bulk: bool = False
    report: Report = field(default_factory=lambda: Report(conforms=True))
    #: The validation ran during the parse (on a copy in memory): its time is inside it.
    validated_during_parse: bool = False

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
) -> list[Source]:
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
        found.append(Source(path, rdf.format_of(path, fmt), target))
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
        if isinstance(store, EmbeddedStore) and store.supports_generations:
            return _load_generation(store, todo, size, progress)
        return _load_staged(store, todo, size, progress)
    finally:
        search.invalidate(store)  # what was loaded is searchable on the next request


# -- small loads: parse into memory, pySHACL on the focus nodes, one transaction ------------


def _load_small(store: Store, todo: list[Source]) -> LoadResult:
    started = time.perf_counter()
    quads: list[ox.Quad] = []
    for src in todo:
        target = ox.NamedNode(src.graph)
        parsed = rdf.parse_file(src.path, src.fmt)
        rdf.check_literals(parsed, str(src.path))
        for q in parsed:
            if isinstance(q.graph_name, ox.DefaultGraph):
                q = ox.Quad(q.subject, q.predicate, q.object, target)
            quads.append(q)
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    refuse_replacing(store, graphs)
    result = LoadResult(len(todo), len(quads), graphs)
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
    existing = set(store.named_graphs())
    removed: set[ox.Quad] = set()
    for name in graphs:
        if name in existing:
            data = b"".join(store.dump(ox.RdfFormat.N_QUADS, graph=name))
            removed.update(ox.parse(data, ox.RdfFormat.N_QUADS))
    change = Change(operation="load", source=None, add=frozenset(quads), remove=frozenset(removed))
    return validate_subgraph(extract(store, change))


def _refuse(report: Report, todo: list[Source]) -> None:
    if report.conforms:
        return
    names = ", ".join(str(s.path) for s in todo)
    raise ValidationFailed(
        f"{names}: the data does not conform to the shapes; nothing was loaded.\n"
        + report.to_text(),
        violations=report.to_json()["violations"],
    )


# -- large loads: bulk parser into a staging store, in-store validation ---------------------


@dataclass
class _Target:
    """A store the files are parsed into: ``chunked`` for on-disk stores (``kg.bulk``);
    ``then`` runs in the same thread once the parse is done."""

    store: ox.Store
    chunked: bool
    then: Callable[[], None] | None = None


def _bulk_parse(
    targets: list[_Target], todo: list[Source], size: int, progress: Progress | None
) -> None:
    """Every file into each target at once (``kg.bulk``), reporting the bytes the slowest of
    them has read. A parse error names the line as the first target's parser saw it (put the
    whole-file target first)."""
    for src in todo:
        if src.fmt == ox.RdfFormat.RDF_XML:
            rdf.refuse_doctype(src.path, str(src.path))
    counters = [bulk.Counter() for _ in targets]

    def report() -> None:
        if progress is not None:
            progress(min(c.done for c in counters), size)

    def parse_all(target: _Target, counter: bulk.Counter) -> None:
        for src in todo:
            bulk.load_file(
                target.store, src.path, src.fmt, src.graph, counter, chunked=target.chunked
            )
        if target.then is not None:
            target.then()

    works = [partial(parse_all, t, c) for t, c in zip(targets, counters, strict=True)]
    bulk.in_threads(works, report)
    if progress is not None:
        progress(size, size)


def _names(todo: list[Source]) -> str:
    return ", ".join(str(src.path) for src in todo)


def _load_generation(
    store: EmbeddedStore, todo: list[Source], size: int, progress: Progress | None
) -> LoadResult:
    """Into the next generation of an on-disk store.

    When the store holds little (at most ``COPY_INTO_STAGE`` statements), the files are also
    parsed into memory, alongside, and that copy (with what the store keeps) is validated as
    soon as it is parsed, while the on-disk generation is still being built: several times
    faster than reading the generation on disk. Should the store change meanwhile, or hold
    more, the validation reads the built generation itself.
    """
    started = time.perf_counter()
    staged: Generation = store.begin_generation()
    targets = [_Target(staged.store, chunked=True)]
    early: list[Report] = []
    writes = store.writes
    if store.count() <= COPY_INTO_STAGE:
        memory = ox.Store()

        def validate_memory() -> None:
            began = time.perf_counter()
            new = {g.value for g in memory.named_graphs() if isinstance(g, ox.NamedNode)}
            memory.bulk_extend(store.quads_outside(new))  # what stays beside the new data
            early.append(validate_large_load(EmbeddedStore.wrap(memory)))
            result.validate_seconds = time.perf_counter() - began

        # The whole-file parse first: its parse errors name the line in the file.
        targets.insert(0, _Target(memory, chunked=False, then=validate_memory))
    result = LoadResult(len(todo), 0, [], bulk=True)
    try:
        _bulk_parse(targets, todo, size, progress)
        staged.store.flush()
        rdf.check_store_literals(staged.store, _names(todo))
    except BaseException:
        staged.discard()
        raise
    graphs = sorted(g.value for g in staged.store.named_graphs() if isinstance(g, ox.NamedNode))
    try:
        refuse_replacing(store, graphs)
    except InputError:
        staged.discard()
        raise
    result.graphs = graphs
    result.triples = len(staged.store)
    result.parse_seconds = time.perf_counter() - started
    if early:
        result.validated_during_parse = True

    def check(built: EmbeddedStore) -> None:
        if not early or store.writes != writes:
            began = time.perf_counter()
            result.validated_during_parse = False
            early[:] = [validate_large_load(built)]
            result.validate_seconds = time.perf_counter() - began
        result.report = early[0]
        _refuse(result.report, todo)

    started = time.perf_counter()
    store.publish_generation(staged, replace_graphs=result.graphs, check=check)
    result.commit_seconds = time.perf_counter() - started
    if not result.validated_during_parse:
        result.commit_seconds -= result.validate_seconds
    return result


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


def _load_staged(
    store: Store, todo: list[Source], size: int, progress: Progress | None
) -> LoadResult:
    """A large load into a store without generations: stage in memory, validate, add_quads."""
    started = time.perf_counter()
    stage = ox.Store()
    _bulk_parse([_Target(stage, chunked=False)], todo, size, progress)
    rdf.check_store_literals(stage, _names(todo))
    quads = list(stage)
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    refuse_replacing(store, graphs)
    result = LoadResult(len(todo), len(quads), graphs, bulk=True)
    result.parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    focus = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    referred = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}
    stage.extend(_context(store, focus, referred, graphs))
    result.report = validate_large_load(EmbeddedStore.wrap(stage), focus)
    result.validate_seconds = time.perf_counter() - started
    _refuse(result.report, todo)

    started = time.perf_counter()
    store.add_quads(quads, replace_graphs=graphs)
    result.commit_seconds = time.perf_counter() - started
    return result


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
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for values in _batches(referred - focus):
        for row in store.select(
            f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s a ?o }} "
            f"FILTER(?g NOT IN ({skip})) }}"
        ):
            out.append(ox.Quad(row["s"], rdf_type, row["o"], _CONTEXT))  # type: ignore[arg-type]
    return out


def _batches(nodes: set[str], size: int = 500) -> Iterable[str]:
    ordered = sorted(nodes)
    for i in range(0, len(ordered), size):
        yield " ".join(f"<{n}>" for n in ordered[i : i + size])
