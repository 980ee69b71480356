"""SHACL validation with pySHACL, the reference validator, and a readable report.

Data is validated as one graph: the union of all its named graphs, because facts about one node
are spread over the graphs of the sources that state them. No inference is applied; the shapes
name the classes the data asserts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef, plugin
from rdflib.namespace import SH
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor
from rdflib.term import Node

from kg.model import paths
from kg.model.namespaces import PREFIXES
from kg.model.sparqlparse import PARSE_LOCK


@lru_cache(maxsize=256)
def _translated(text: str, namespaces: tuple[tuple[str, Any], ...], base: str | None) -> Query:
    with PARSE_LOCK:
        return translateQuery(parseQuery(text), base, dict(namespaces) or None)


class CachingSPARQLProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each distinct query text once.

    pySHACL runs a SHACL-SPARQL constraint once per focus node with the same text; parsing it
    each time costs far more than evaluating it. Registered as rdflib's ``sparql`` processor.
    """

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Any = None,
        initNs: Any = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Any:
        if isinstance(strOrQuery, str):
            strOrQuery = _translated(strOrQuery, tuple(sorted((initNs or {}).items())), base)
        return super().query(strOrQuery, initBindings, initNs, base, DEBUG)


plugin.register("sparql", Processor, __name__, "CachingSPARQLProcessor")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shipped shapes, parsed once."""
    return Graph().parse(paths.SHAPES, format="turtle")


def to_rdflib(term: Any) -> Node:
    """An rdflib term for a pyoxigraph term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def union_graph(quads: Iterable[ox.Quad | ox.Triple]) -> Graph:
    """One rdflib graph holding every triple of ``quads``, whatever graph each sits in."""
    g = Graph()
    for q in quads:
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


@dataclass(frozen=True)
class Violation:
    """One SHACL result: what is wrong, where, and the shape's message."""

    focus: str
    path: str | None
    value: str | None
    message: str
    component: str
    shape: str
    severity: str = "Violation"

    def key(self) -> tuple[str, str | None, str | None, str, str]:
        """What identifies a result when two validators are compared."""
        return (self.focus, self.path, self.value, self.component, self.shape)


@dataclass
class Report:
    """The outcome of a validation: conforms, or the violations grouped by focus node."""

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def by_focus(self) -> dict[str, list[Violation]]:
        grouped: dict[str, list[Violation]] = {}
        for v in sorted(self.violations, key=lambda v: (v.focus, v.path or "", v.message)):
            grouped.setdefault(v.focus, []).append(v)
        return grouped

    def to_text(self) -> str:
        if self.conforms:
            return "Conforms: the data satisfies every shape."
        lines = [
            f"Does not conform: {len(self.violations)} violation(s) "
            f"on {len(self.by_focus())} node(s)."
        ]
        for focus, items in self.by_focus().items():
            lines.append("")
            lines.append(f"<{focus}>" if not focus.startswith("_:") else focus)
            for v in items:
                where = f"  {_short(v.path)}" if v.path else "  (node)"
                value = f" = {v.value}" if v.value is not None else ""
                lines.append(f"{where}{value}")
                lines.append(f"      {v.message}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "violations": [
                {
                    "focusNode": v.focus,
                    "path": v.path,
                    "value": v.value,
                    "message": v.message,
                    "constraintComponent": v.component,
                    "sourceShape": v.shape,
                    "severity": v.severity,
                }
                for v in sorted(self.violations, key=lambda v: (v.focus, v.path or "", v.message))
            ],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _n3(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.n3()
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _shape_id(shapes: Graph, shape: Node) -> str:
    """A stable name for a result's source shape; blank property shapes become node+path."""
    if isinstance(shape, URIRef):
        return str(shape)
    path = shapes.value(shape, SH.path)
    owner = shapes.value(None, SH.property, shape)
    return f"{owner}|{path}" if owner is not None else f"_:{shape}"


def report_from_graph(results: Graph, shapes: Graph) -> Report:
    """A Report read from a SHACL validation report graph."""
    violations = []
    # The report's own results (sh:result), not the nested sh:detail results of sh:node.
    for res in results.objects(None, SH.result):
        focus = results.value(res, SH.focusNode)
        shape = results.value(res, SH.sourceShape)
        component = results.value(res, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in results.objects(res, SH.resultMessage))
        severity = results.value(res, SH.resultSeverity)
        violations.append(
            Violation(
                focus=_n3(focus) or "",
                path=_n3(results.value(res, SH.resultPath)),
                value=_n3(results.value(res, SH.value)),
                message=messages[0] if messages else "",
                component=str(component).rsplit("#", 1)[-1],
                shape=_shape_id(shapes, shape) if shape is not None else "",
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            )
        )
    return Report(conforms=not violations, violations=violations)


def validate_graph(data: Graph, *, focus_nodes: list[Node] | None = None) -> Report:
    """Validate an rdflib graph against the shipped shapes with pySHACL."""
    shapes = shapes_graph()
    kwargs: dict[str, Any] = {}
    if focus_nodes is not None:
        kwargs["focus_nodes"] = focus_nodes
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        **kwargs,
    )
    assert isinstance(results, Graph)
    report = report_from_graph(results, shapes)
    report.conforms = bool(conforms)
    return report


def validate_quads(quads: Iterable[ox.Quad | ox.Triple]) -> Report:
    """Validate pyoxigraph quads (all graphs together) against the shipped shapes."""
    return validate_graph(union_graph(quads))
