"""Whole-graph SHACL validation inside the store: the shapes run as SPARQL, pySHACL as fallback.

pySHACL (``kg.validation.validate``) is the reference, but it needs the whole graph in rdflib: for a
million triples that is tens of seconds and more than a gigabyte. Here the shapes are compiled
(``kg.validation.shaclsparql``) into a few SPARQL queries per shape that the store runs where
the data lives, each returning only the violations of its constraints. The result is the same report
pySHACL gives: the same (focus node, path, value, constraint component, source shape) results.

* The data graph is the store's default graph: the union of all named graphs. With ``graphs``
  it is the merge of those graphs only, copied into a temporary in-memory store first.
* Ill-typed literals that only rdflib can judge (``"2026-02-30"^^xsd:date``) are fetched and
  judged in Python as pySHACL judges them.
* Constraints the compiler does not support are never skipped: their shapes' focus nodes are
  validated by pySHACL over the data read back from the store, and only the results of those
  constraints are kept.

    report = validate_store(store)            # kg.validation.validate.Report
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.term import Node

from kg.errors import StoreUnavailable
from kg.store.opening import scratch
from kg.store.protocol import Row, Store
from kg.validation.shaclsparql import CountCheck, Plan, ShapePlan, ValueCheck, compile_shapes, n3
from kg.validation.sparqlconstraints import COMPONENT as SPARQL_COMPONENT
from kg.validation.sparqlconstraints import SparqlCheck
from kg.validation.validate import (
    Report,
    Violation,
    _n3,
    report_from_graph,
    shapes_graph,
    to_rdflib,
)

#: Queries run at once (the store answers several; on two cores, two is the sweet spot).
WORKERS = 2


@dataclass
class Timing:
    """Where the time of one validation went (for benchmarks and ``--verbose`` output)."""

    queries: int = 0
    seconds: float = 0.0
    fallback_focus_nodes: int = 0
    slowest: list[tuple[float, str]] = field(default_factory=list)


def validate_store(
    store: Store,
    *,
    graphs: list[str] | None = None,
    shapes: Graph | None = None,
    timing: Timing | None = None,
) -> Report:
    """Validate the store's data (all graphs, or only ``graphs``) against the shapes.

    ``shapes`` defaults to the shipped ``ontology/shapes.ttl``. The report equals pySHACL's on
    the same data (``kg.validation.validate.validate_graph``) result for result. A remote store
    whose engine was not found to answer the compiled queries as pySHACL
    (``answers_shape_queries`` false: Virtuoso) is refused with ``StoreUnavailable`` rather than
    given a wrong report.
    """
    if not getattr(store, "answers_shape_queries", True):
        raise StoreUnavailable(
            "in-store validation is not available on this SPARQL server: its answers to the "
            "compiled shape queries were found to differ from pySHACL's (tested: the embedded "
            "store and Oxigraph)"
        )
    started = time.perf_counter()
    timing = timing if timing is not None else Timing()
    if graphs is not None:
        return _validate_copy(store, graphs, shapes, timing)
    runner = _Runner(store, timing)
    sg = shapes if shapes is not None else shapes_graph()
    plan = compile_shapes(sg, runner.subclasses)
    tasks: list[Callable[[], list[Violation]]] = []
    groups: dict[tuple[str, str], list[tuple[ShapePlan, CountCheck]]] = {}
    for shape in plan.shapes:
        if shape.targets is not None:
            for check in shape.counts:
                if _groupable(shape, check):
                    key = (shape.targets, check.component)
                    groups.setdefault(key, []).append((shape, check))
            tasks.append(partial(runner.count_violations, shape))
            tasks.append(partial(runner.value_violations, shape))
            tasks.extend(partial(runner.sparql_violations, shape, c) for c in shape.sparql)
    tasks.extend(partial(runner.grouped_count_violations, group) for group in groups.values())
    found: set[Violation] = set()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for part in pool.map(lambda task: task(), tasks):
            found.update(part)
    found.update(runner.fallback(plan))
    violations = sorted(found, key=lambda v: (v.focus, v.shape, v.component, str(v.value)))
    timing.seconds = time.perf_counter() - started
    return Report(
        conforms=not any(v.severity == "Violation" for v in violations), violations=violations
    )


def _validate_copy(store: Store, graphs: list[str], shapes: Graph | None, timing: Timing) -> Report:
    """Validate the merge of ``graphs``, copied into a temporary in-memory store."""
    listed = " ".join(f"<{g}>" for g in graphs)
    triples = store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    merged = ox.NamedNode("urn:kg:validate:merged")
    with scratch(ox.Quad(t.subject, t.predicate, t.object, merged) for t in triples) as copy:
        return validate_store(copy, shapes=shapes, timing=timing)


def validate_quads_fast(quads: Iterable[ox.Quad]) -> Report:
    """Validate quads (all graphs together) in a temporary in-memory store."""
    with scratch(quads) as store:
        return validate_store(store)


def _groupable(shape: ShapePlan, check: CountCheck) -> bool:
    """Whether a count check is one of the common min/max 1, checked with its siblings."""
    return shape.path is not None and check.value is None and check.bound == 1


def _term(term: Any) -> str:
    return _n3(to_rdflib(term)) or ""


def _true(row: Row, name: str) -> bool:
    value = row.get(name)
    return isinstance(value, ox.Literal) and value.value in ("true", "1")


class _Runner:
    def __init__(self, store: Store, timing: Timing) -> None:
        self.store = store
        self.timing = timing
        self._lock = threading.Lock()
        self._subclass_of: dict[str, set[str]] | None = None

    def select(self, where: str, head: str, tail: str = "") -> list[Row]:
        return self.run(f"SELECT {head} WHERE {{ {where} }} {tail}")

    def run(self, query: str) -> list[Row]:
        """The rows of ``query``, its time counted in the timing."""
        started = time.perf_counter()
        rows = self.store.select(query)
        spent = time.perf_counter() - started
        with self._lock:
            self.timing.queries += 1
            slowest = sorted([*self.timing.slowest, (spent, query)], reverse=True)
            self.timing.slowest = slowest[:5]
        return rows

    def subclasses(self, cls: URIRef) -> list[URIRef]:
        """``cls`` and every class below it by rdfs:subClassOf in the data."""
        if self._subclass_of is None:
            self._subclass_of = {}
            for row in self.select(f"?sub {n3(RDFS.subClassOf)} ?sup .", "DISTINCT ?sub ?sup"):
                sub, sup = row.get("sub"), row.get("sup")
                if isinstance(sub, ox.NamedNode) and isinstance(sup, ox.NamedNode):
                    self._subclass_of.setdefault(sup.value, set()).add(sub.value)
        found, todo = {str(cls)}, [str(cls)]
        while todo:
            for child in self._subclass_of.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return [URIRef(c) for c in sorted(found)]

    def _violation(self, shape: ShapePlan, focus: Any, value: str | None, comp: str) -> Violation:
        return Violation(
            focus=_term(focus),
            path=str(shape.path) if shape.path is not None else None,
            value=value,
            message=shape.message or f"{comp} violated",
            component=comp,
            shape=shape.shape,
            severity=shape.severity,
        )

    def grouped_count_violations(
        self, group: list[tuple[ShapePlan, CountCheck]]
    ) -> list[Violation]:
        """Foci with no value, or more than one, for several paths of one target set at once."""
        targets = group[0][0].targets
        paths = sorted({n3(shape.path) for shape, _ in group if shape.path is not None})
        listed = f"VALUES ?_p {{ {' '.join(paths)} }}"
        if group[0][1].component == "MinCountConstraintComponent":
            where = f"{targets} {listed} FILTER NOT EXISTS {{ ?focus ?_p ?_v }}"
        else:
            where = (
                f"{targets} {listed} ?focus ?_p ?_a . ?focus ?_p ?_b . FILTER(!sameTerm(?_a, ?_b))"
            )
        rows = self.select(where, "DISTINCT ?focus ?_p")
        found: list[Violation] = []
        for row in rows:
            path = row["_p"].value
            found.extend(
                self._violation(shape, row["focus"], None, check.component)
                for shape, check in group
                if str(shape.path) == path
            )
        return found

    def count_violations(self, shape: ShapePlan) -> list[Violation]:
        found: list[Violation] = []
        targets = shape.targets
        for check in shape.counts:
            if _groupable(shape, check):
                continue  # in grouped_count_violations
            if check.value is not None:  # sh:hasValue
                want = n3(check.value)
                test = (
                    f"FILTER NOT EXISTS {{ ?focus {n3(shape.path)} {want} }}"
                    if shape.path is not None
                    else f"FILTER(!sameTerm(?focus, {want}))"
                )
                rows = self.select(f"{targets} {test}", "DISTINCT ?focus")
            elif shape.path is None:
                continue
            else:
                rows = self.select(*self._count_query(targets or "", n3(shape.path), check))
            found.extend(self._violation(shape, r["focus"], None, check.component) for r in rows)
        return found

    @staticmethod
    def _count_query(targets: str, path: str, check: CountCheck) -> tuple[str, str, str]:
        """(where, head, tail) of the query for the foci breaking a min/max count."""
        bound = check.bound
        foci = f"{{ SELECT DISTINCT ?focus WHERE {{ {targets} }} }}"
        if check.component == "MinCountConstraintComponent":
            if bound <= 0:
                return "FILTER(false)", "?focus", ""
            if bound == 1:
                return f"{targets} FILTER NOT EXISTS {{ ?focus {path} ?_v }}", "DISTINCT ?focus", ""
            having = f"GROUP BY ?focus HAVING(COUNT(DISTINCT ?_v) < {bound})"
            return f"{foci} OPTIONAL {{ ?focus {path} ?_v }}", "?focus", having
        if bound == 0:
            return f"{targets} ?focus {path} ?_v .", "DISTINCT ?focus", ""
        if bound == 1:
            where = f"{targets} ?focus {path} ?_a . ?focus {path} ?_b . FILTER(!sameTerm(?_a, ?_b))"
            return where, "DISTINCT ?focus", ""
        having = f"GROUP BY ?focus HAVING(COUNT(DISTINCT ?_v) > {bound})"
        return f"{foci} ?focus {path} ?_v .", "?focus", having

    def value_violations(self, shape: ShapePlan) -> list[Violation]:
        if not shape.values:
            return []
        binds: list[str] = []
        sure_tests: list[str] = []
        maybe_flags: list[str] = []
        layout: list[list[list[tuple[str, str | None]]]] = []
        # A shape without a path checks the focus itself: the checks read ?focus (Virtuoso 7.2
        # cannot compile EXISTS over a variable bound with BIND(?focus AS ?value)).
        var = "value" if shape.path is not None else "focus"
        for c, check in enumerate(shape.values):
            members: list[list[tuple[str, str | None]]] = []
            for m, atoms in enumerate(check.members):
                flags: list[tuple[str, str | None]] = []
                for a, atom in enumerate(atoms):
                    s, mb = f"s{c}_{m}_{a}", f"m{c}_{m}_{a}"
                    sure, maybe = atom.on(var)
                    binds.append(f"BIND(COALESCE({sure}, false) AS ?{s})")
                    if maybe is not None:
                        binds.append(f"BIND(COALESCE(!?{s} && ({maybe}), false) AS ?{mb})")
                        maybe_flags.append(f"?{mb}")
                        flags.append((s, mb))
                    else:
                        flags.append((s, None))
                members.append(flags)
            layout.append(members)
            sure_tests.append(f"!({check.sure_sparql([[s for s, _ in f] for f in members])})")
        reach = f"?focus {n3(shape.path)} ?value ." if shape.path is not None else ""
        failing = " || ".join(sure_tests + maybe_flags)
        where = f"{shape.targets} {reach} {' '.join(binds)} FILTER({failing})"
        names = [
            name for members in layout for flags in members for f in flags for name in f if name
        ]
        projected = "?value" if shape.path is not None else "(?focus AS ?value)"
        rows = self.select(
            where, f"DISTINCT ?focus {projected} " + " ".join(f"?{n}" for n in names)
        )
        found: list[Violation] = []
        for row in rows:
            value = to_rdflib(row["value"])
            for check, members in zip(shape.values, layout, strict=True):
                if not self._conforms(check, members, row, value):
                    found.append(self._violation(shape, row["focus"], _n3(value), check.component))
        return found

    def sparql_violations(self, shape: ShapePlan, check: SparqlCheck) -> list[Violation]:
        """The results of one SHACL-SPARQL constraint, its query run for all foci at once."""
        found = []
        for row in self.run(check.query):
            value = row.get("value") if check.value else None
            path = row.get("path") if check.path else None
            found.append(
                Violation(
                    focus=_term(row["focus"]),
                    path=_term(path) if path is not None else None,
                    value=_term(value if value is not None else row["focus"]),
                    message=check.message,
                    component=SPARQL_COMPONENT,
                    shape=shape.shape,
                    severity=shape.severity,
                )
            )
        return found

    @staticmethod
    def _conforms(
        check: ValueCheck, members: list[list[tuple[str, str | None]]], row: Row, value: Node
    ) -> bool:
        results = []
        for atoms, flags in zip(check.members, members, strict=True):
            ok = True
            for atom, (s, mb) in zip(atoms, flags, strict=True):
                if _true(row, s):
                    continue
                if mb is not None and _true(row, mb) and atom.python(value):
                    continue
                ok = False
                break
            results.append(ok)
        return check.decide(results)

    # -------------------------------------------------- pySHACL for what SPARQL does not cover

    def fallback(self, plan: Plan) -> list[Violation]:
        """pySHACL's results for the constraints the SPARQL checks do not cover.

        pySHACL runs over the whole data read back from the store (not with ``focus_nodes``,
        which makes pySHACL skip shapes reached through ``sh:node``), and only the results of
        the uncovered constraints are kept, on the focus nodes of their shapes.
        """
        todo = {s.shape: s for s in plan.shapes if s.unsupported or s.targets is None}
        if not todo:
            return []
        data = Graph()
        for triple in self.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
            data.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        _, results, _ = pyshacl.validate(
            data, shacl_graph=plan.shapes_graph, inference="none", allow_warnings=True
        )
        assert isinstance(results, Graph)
        kept: list[Violation] = []
        for v in report_from_graph(results, plan.shapes_graph).violations:
            shape = todo.get(v.shape)
            if shape is None:
                continue
            if (
                shape.targets is None
                or "*" in shape.unsupported
                or v.component in shape.unsupported
            ):
                kept.append(v)
        self.timing.fallback_focus_nodes = len({v.focus for v in kept})
        return kept
