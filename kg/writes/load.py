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
  kill -9); on the other stores by ``add_quads``.
"""

from __future__ import annotations

import functools
import gzip
import io
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.errors import InputError, ValidationFailed
from kg.model import rdf
from kg.model.namespaces import GRAPH
from kg.store.embedded import EmbeddedStore, Generation
from kg.store.protocol import Store
from kg.validation.fastvalidate import validate_store
from kg.validation.validate import Report
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

    @property
    def seconds(self) -> float:
        return self.parse_seconds + self.validate_seconds + self.commit_seconds

    @property
    def rate(self) -> float:
        """Triples per second of the whole load (parse, validation and commit)."""
        return self.triples / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"Loaded {self.triples:,} triples into {len(self.graphs):,} graph(s) from "
            f"{self.files} file(s) in {self.seconds:.2f} s ({self.rate:,.0f} triples/s; "
            f"parse {self.parse_seconds:.2f} s, validation {self.validate_seconds:.2f} s, "
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
        found.append(Source(path, rdf.format_of(path, fmt), graph or graph_for(path)))
    if not found:
        raise InputError("no files to load")
    return found


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
    if not bulk:
        return _load_small(store, todo)
    if isinstance(store, EmbeddedStore) and store.supports_generations:
        return _load_generation(store, todo, size, progress)
    return _load_staged(store, todo, size, progress)


# -- small loads: parse into memory, pySHACL on the focus nodes, one transaction ------------


def _load_small(store: Store, todo: list[Source]) -> LoadResult:
    started = time.perf_counter()
    quads: list[ox.Quad] = []
    for src in todo:
        target = ox.NamedNode(src.graph)
        for q in rdf.parse_file(src.path, src.fmt):
            if isinstance(q.graph_name, ox.DefaultGraph):
                q = ox.Quad(q.subject, q.predicate, q.object, target)
            quads.append(q)
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
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


def _bulk_parse(stage: ox.Store, todo: list[Source], size: int, progress: Progress | None) -> None:
    """Every file into ``stage`` with pyoxigraph's bulk loader, reporting bytes read."""
    done = 0
    for src in todo:
        total = src.path.stat().st_size

        def report(read: int, before: int = done, total: int = total) -> None:
            if progress is not None:
                progress(before + min(read, total), size)

        try:
            raw = open(src.path, "rb", buffering=0)  # noqa: SIM115  (closed below)
        except OSError as exc:
            raise InputError(f"{src.path}: {exc}", source=str(src.path)) from exc
        with raw:
            counted = _Counted(raw)
            work = functools.partial(_bulk_one, stage, src, counted)
            _with_progress(work, functools.partial(getattr, counted, "count"), report)
        done += total
    if progress is not None:
        progress(size, size)


class _Counted(io.RawIOBase):
    """A file as the bulk loader reads it, counting the bytes read (the load's progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer) or 0  # type: ignore[attr-defined]
        self.count += n
        return int(n)


def _bulk_one(stage: ox.Store, src: Source, fh: _Counted) -> None:
    target = ox.NamedNode(src.graph)
    try:
        if src.path.suffix == ".gz":
            with gzip.open(fh, "rb") as unzipped:
                stage.bulk_load(input=cast(IO[bytes], unzipped), format=src.fmt, to_graph=target)
        else:
            stage.bulk_load(input=cast(IO[bytes], fh), format=src.fmt, to_graph=target)
    except (SyntaxError, ValueError) as exc:
        # RDF/XML errors carry no position; kg.model.rdf finds the line with an XML check.
        data = src.path.read_bytes() if src.fmt == ox.RdfFormat.RDF_XML else None
        raise rdf.parse_error(exc, str(src.path), fmt=src.fmt, data=data) from exc
    except OSError as exc:
        raise InputError(f"{src.path}: {exc}", source=str(src.path)) from exc


def _with_progress(
    work: Callable[[], None], read: Callable[[], int], report: Callable[[int], None]
) -> None:
    """Run ``work`` in a thread (pyoxigraph releases the GIL) and report ``read()`` (the bytes
    read so far) every quarter of a second meanwhile."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed back to the caller
            failure.append(exc)

    thread = threading.Thread(target=run, name="kg-load", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(0.25)
        report(read())
    if failure:
        raise failure[0]


def _load_generation(
    store: EmbeddedStore, todo: list[Source], size: int, progress: Progress | None
) -> LoadResult:
    started = time.perf_counter()
    staged: Generation = store.begin_generation()
    try:
        _bulk_parse(staged.store, todo, size, progress)
        staged.store.flush()
    except BaseException:
        staged.discard()
        raise
    graphs = sorted(g.value for g in staged.store.named_graphs() if isinstance(g, ox.NamedNode))
    result = LoadResult(len(todo), len(staged.store), graphs, bulk=True)
    result.parse_seconds = time.perf_counter() - started

    def check(built: EmbeddedStore) -> None:
        began = time.perf_counter()
        result.report = validate_large_load(built)
        result.validate_seconds = time.perf_counter() - began
        _refuse(result.report, todo)

    started = time.perf_counter()
    store.publish_generation(staged, replace_graphs=graphs, check=check)
    result.commit_seconds = time.perf_counter() - started - result.validate_seconds
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
    _bulk_parse(stage, todo, size, progress)
    quads = list(stage)
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
    result = LoadResult(len(todo), len(quads), graphs, bulk=True)
    result.parse_seconds = time.perf_counter() - started

    started = time.perf_counter()
    focus = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)}
    referred = {q.object.value for q in quads if isinstance(q.object, ox.NamedNode)}
    stage.extend(_context(store, focus, referred, graphs))
    view = EmbeddedStore(None, isolate_queries=False)
    view._store = stage
    result.report = validate_large_load(view, focus)
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
