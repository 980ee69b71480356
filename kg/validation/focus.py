"""pySHACL on a few focus nodes, each against the node shapes that target its classes only.

``pyshacl.validate(focus_nodes=..., use_shapes=...)`` would do, but it parses the shapes into a
new ``ShapesGraph`` on every call (about 1.4 ms for ours), which is most of a write's cost. Here
one ``ShapesGraph`` is built once and its shapes are run on the focus nodes directly, the way
pyshacl's own ``Validator.run`` does; the report is pyshacl's own report graph. Should those
internals change, the public ``pyshacl.validate`` call is used instead (same results, slower).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import pyshacl
from pyshacl.pytypes import SHACLExecutor
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.validation.validate import Report, report_from_graph, shapes_graph

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def shapes_by_class() -> dict[str, tuple[str, ...]]:
    """For each class, the node shapes that target it (``sh:targetClass``)."""
    found: dict[str, list[str]] = defaultdict(list)
    for shape, cls in shapes_graph().subject_objects(SH.targetClass):
        found[str(cls)].append(str(shape))
    return {cls: tuple(sorted(shapes)) for cls, shapes in found.items()}


def shapes_for(types: Mapping[str, Iterable[str]], nodes: Iterable[str]) -> dict[str, list[str]]:
    """Shape IRI -> the focus nodes it applies to, from each node's classes."""
    targets = shapes_by_class()
    by_shape: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        for shape in sorted({s for c in types.get(node, ()) for s in targets.get(c, ())}):
            by_shape[shape].append(node)
    return {shape: sorted(found) for shape, found in sorted(by_shape.items())}


@lru_cache(maxsize=1)
def _shapes() -> Any:
    graph = ShapesGraph(shapes_graph())
    list(graph.shapes)  # build every shape once
    return graph


def _fast(data: Graph, by_shape: Mapping[str, list[str]]) -> Graph | None:
    """The validation report graph, or None when every focus node conforms."""
    graph = _shapes()
    executor = SHACLExecutor(allow_warnings=True)
    results: list[Any] = []
    conforms = True
    with _LOCK:
        for shape_iri, nodes in by_shape.items():
            shape = graph.lookup_shape_from_node(URIRef(shape_iri))
            ok, found = shape.validate(executor, data, focus=[URIRef(n) for n in nodes])
            conforms = conforms and ok
            results.extend(found)
        if conforms:
            return None
        report, _ = Validator.create_validation_report(graph, conforms, results)
    assert isinstance(report, Graph)
    return report


def _public(data: Graph, by_shape: Mapping[str, list[str]]) -> list[Graph]:
    reports = []
    for shape, nodes in by_shape.items():
        conforms, results, _ = pyshacl.validate(
            data,
            shacl_graph=shapes_graph(),
            inference="none",
            allow_warnings=True,
            focus_nodes=list(nodes),
            use_shapes=[shape],
        )
        if not conforms:
            assert isinstance(results, Graph)
            reports.append(results)
    return reports


def validate(data: Graph, by_shape: Mapping[str, list[str]], *, fast: bool = True) -> Report:
    """Each shape of ``by_shape`` run on its focus nodes in ``data``."""
    if fast:
        try:
            report = _fast(data, by_shape)
            graphs = [] if report is None else [report]
        except (ImportError, AttributeError, TypeError):  # pyshacl internals moved
            graphs = _public(data, by_shape)
    else:
        graphs = _public(data, by_shape)
    violations = [v for g in graphs for v in report_from_graph(g, shapes_graph()).violations]
    return Report(conforms=not violations, violations=violations)
