"""Every constraint of every shape, broken on one valid node, fails with that constraint's message.

The cases are generated from ``ontology/shapes.ttl`` itself, so a constraint added there gets its
test without anyone writing one (and a constraint kind the generator does not know fails loudly).
Each case starts from the shipped graph plus the ontology (which holds the SKOS concepts), breaks
one node in exactly one way, validates that node and the nodes that refer to it against the shapes
of their classes (as a write does, ``kg.validation.focus``; the whole unbroken graph conforms,
``test_base_data_conforms``) and expects exactly one violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, SKOS, XSD
from rdflib.term import Node

from kg.model import paths, rdf
from kg.model.namespaces import ID
from kg.validation import focus
from kg.validation.validate import shapes_graph, union_graph, validate_graph

#: Constraint parameters of property shapes this generator knows how to break.
PROPERTY_PARAMS = {
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.minLength,
    SH.pattern,
    SH["in"],
    SH["class"],
    SH.nodeKind,
    SH["or"],
}
#: Constraint parameters allowed directly on node shapes.
NODE_PARAMS = {SH["class"]}
#: SHACL predicates on shapes that are not constraints (non-SHACL ones, like rdfs:label, neither).
NON_CONSTRAINTS = {
    SH.path,
    SH.message,
    SH.targetClass,
    SH.property,
    SH.name,
    SH.description,
    SH.severity,
    SH.order,
    SH.group,
}

COMPONENT = {
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH["class"]: "ClassConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["or"]: "OrConstraintComponent",
}

SHAPES = shapes_graph()
EXAMPLE = "https://example.org/test/"


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(paths.ONTOLOGY, format="turtle")


@lru_cache(maxsize=1)
def base() -> Graph:
    """The shipped graph (all named graphs) plus the ontology: valid data for every shape."""
    return union_graph(rdf.parse_file(paths.ARTICLE_GRAPH)) + ontology()


def copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


def local(iri: Node) -> str:
    return re.split(r"[#/]", str(iri))[-1]


@dataclass(frozen=True)
class Case:
    shape: URIRef
    prop: Node | None  # the property shape; None for a node-level constraint
    param: URIRef

    @property
    def id(self) -> str:
        path = local(SHAPES.value(self.prop, SH.path)) if self.prop is not None else "node"
        return f"{local(self.shape)}-{path}-{local(self.param)}"


def node_shapes() -> list[URIRef]:
    found = set(SHAPES.subjects(RDF.type, SH.NodeShape))
    return sorted(s for s in found if isinstance(s, URIRef))


def constraints(shape: Node) -> list[URIRef]:
    found = {p for p in SHAPES.predicates(shape) if str(p).startswith(str(SH))}
    return sorted(URIRef(p) for p in found - NON_CONSTRAINTS)


#: SHACL-SPARQL constraints relate several values; tests/test_contradictions.py breaks each one.
SPARQL_CONSTRAINTS = {SH.sparql}


def cases() -> Iterator[Case]:
    for shape in node_shapes():
        for name in constraints(shape):
            if name not in SPARQL_CONSTRAINTS:
                yield Case(shape, None, name)
        for prop in SHAPES.objects(shape, SH.property):
            for name in constraints(prop):
                yield Case(shape, prop, name)


CASES = list(cases())


# ---------------------------------------------------------------- building invalid data


def targets(shape: Node) -> list[URIRef]:
    return sorted(URIRef(c) for c in SHAPES.objects(shape, SH.targetClass))


def instances(g: Graph, classes: list[URIRef]) -> list[Node]:
    return sorted({n for c in classes for n in g.subjects(RDF.type, c)}, key=str)


def pick_node(g: Graph, shape: Node, path: URIRef | None) -> Node:
    """A node the shape targets, preferring one that has a value for ``path``."""
    nodes = instances(g, targets(shape))
    assert nodes, f"no instance of {targets(shape)} in the shipped graph or the ontology"
    with_value = [n for n in nodes if path is not None and (n, path, None) in g]
    return (with_value or nodes)[0]


def param(prop: Node, name: URIRef) -> Node | None:
    return SHAPES.value(prop, name)


def rdf_list(head: Node | None) -> list[Node]:
    return list(Collection(SHAPES, head)) if head is not None else []


#: Two valid lexical forms per datatype, so that a second distinct value can always be added.
SAMPLES = {
    XSD.string: ("another value", "yet another value"),
    XSD.boolean: ("true", "false"),
    XSD.date: ("2000-01-01", "2000-01-02"),
    XSD.dateTime: ("2000-01-01T00:00:00Z", "2000-01-02T00:00:00Z"),
    XSD.gYearMonth: ("2000-01", "2000-02"),
    XSD.gYear: ("2000", "2001"),
    XSD.anyURI: ("https://example.org/a", "https://example.org/b"),
    XSD.decimal: ("1.5", "2.5"),
    XSD.integer: ("1", "2"),
}


#: Plain strings for a property with an sh:pattern: the ones its pattern matches are used.
PATTERNED = ("EUR", "GBP", "another value", "yet another value")


def sample(dt: Node, avoid: set[Node]) -> Literal:
    datatype = URIRef(str(dt))
    options = [
        Literal(lex) if datatype == XSD.string else Literal(lex, datatype=datatype)
        for lex in SAMPLES[datatype]
    ]
    return next(o for o in options if o not in avoid)


def node_of_class(g: Graph, cls: Node, avoid: set[Node]) -> Node:
    options = [n for n in instances(g, [URIRef(cls)]) if n not in avoid]
    if not options:  # the only instance is taken: a copy of it, valid as it is
        (original,) = instances(g, [URIRef(cls)])
        copy_ = URIRef(str(original) + "-copy")
        for p, o in list(g.predicate_objects(original)):
            g.add((copy_, p, o))
        return copy_
    return options[0]


def good_value(g: Graph, prop: Node, avoid: set[Node]) -> Node:
    """A value that satisfies every value constraint of ``prop`` and is not in ``avoid``."""
    if (members := rdf_list(param(prop, SH["in"]))) != []:
        return next(m for m in members if m not in avoid)
    if (cls := param(prop, SH["class"])) is not None:
        return node_of_class(g, cls, avoid)
    if (alternatives := rdf_list(param(prop, SH["or"]))) != []:
        first = alternatives[0]
        if (cls := SHAPES.value(first, SH["class"])) is not None:
            return node_of_class(g, cls, avoid)
        return sample(SHAPES.value(first, SH.datatype), avoid)
    if (dt := param(prop, SH.datatype)) is not None:
        if (pattern := param(prop, SH.pattern)) is not None and dt == XSD.string:
            fitting = [c for c in PATTERNED if re.search(str(pattern), c)]
            return next(Literal(c) for c in fitting if Literal(c) not in avoid)
        return sample(dt, avoid)
    if param(prop, SH.nodeKind) == SH.IRI:
        return next(u for u in (URIRef(EXAMPLE + "a"), URIRef(EXAMPLE + "b")) if u not in avoid)
    return sample(XSD.string, avoid)


def lexical_of(g: Graph, node: Node, path: URIRef, prop: Node) -> str:
    current = next(iter(g.objects(node, path)), None)
    return str(current) if isinstance(current, Literal) else str(good_value(g, prop, set()))


def data_nodes(g: Graph) -> list[Node]:
    """The typed nodes of the article graph (not the ontology's), in a stable order."""
    return sorted({n for n in g.subjects(RDF.type, None) if str(n).startswith(str(ID))}, key=str)


def bad_value(g: Graph, node: Node, path: URIRef, prop: Node, name: URIRef) -> Node:
    """A value that breaks exactly the constraint ``name`` of ``prop``."""
    value = param(prop, name)
    dt = param(prop, SH.datatype)
    if name == SH.datatype:
        lexical = lexical_of(g, node, path, prop)
        # The usual mistake: a language-tagged string, or a plain string for a typed value.
        return Literal(lexical, lang="en") if value == XSD.string else Literal(lexical)
    if name == SH.minLength:
        assert isinstance(value, Literal)
        text = lexical_of(g, node, path, prop)[: int(value) - 1]
        return Literal(text) if dt in (None, XSD.string) else Literal(text, datatype=dt)
    if name == SH.pattern:
        candidates = ["not a match", "ftp://example.org/x", "x", ""]
        minimum = int(param(prop, SH.minLength) or 0)  # type: ignore[call-overload]
        text = next(c for c in candidates if not re.search(str(value), c) and len(c) >= minimum)
        return Literal(text) if dt in (None, XSD.string) else Literal(text, datatype=dt)
    if name == SH["in"]:
        members = set(rdf_list(value))
        outside = sorted(c for c in ontology().subjects(RDF.type, SKOS.Concept) if c not in members)
        return outside[0]  # a real concept, from another scheme
    if name == SH["class"]:
        return next(n for n in data_nodes(g) if (n, RDF.type, value) not in g and n != node)
    if name == SH.nodeKind:
        return URIRef(EXAMPLE + "x") if value in (SH.Literal, SH.BlankNode) else Literal("x")
    if name == SH["or"]:
        alternatives = rdf_list(value)
        classes = [SHAPES.value(a, SH["class"]) for a in alternatives]
        if all(c is not None for c in classes):
            return next(
                n
                for n in data_nodes(g)
                if not any((n, RDF.type, c) in g for c in classes) and n != node
            )
        if all(SHAPES.value(a, SH.datatype) is not None for a in alternatives):
            return Literal("not a valid value")
    raise NotImplementedError(f"no way to break {name} on {prop}")


def break_node(g: Graph, case: Case) -> tuple[Node, Node | None]:
    """Break one node of ``g`` as ``case`` says; return the node and the offending value."""
    if case.prop is None:
        node = pick_node(g, case.shape, None)
        if case.param == SH["class"]:
            g.remove((node, RDF.type, SHAPES.value(case.shape, SH["class"])))
            return node, None
        raise NotImplementedError(f"no way to break node-level {case.param}")
    path = SHAPES.value(case.prop, SH.path)
    assert isinstance(path, URIRef), "only simple property paths are used"
    node = pick_node(g, case.shape, path)
    values = list(g.objects(node, path))
    if case.param == SH.minCount:
        keep = int(param(case.prop, SH.minCount)) - 1  # type: ignore[call-overload]
        for v in values[keep:]:
            g.remove((node, path, v))
        return node, None
    if case.param == SH.maxCount:
        limit = int(param(case.prop, SH.maxCount))  # type: ignore[call-overload]
        while len(values) <= limit:
            values.append(good_value(g, case.prop, {*values, node}))
            g.add((node, path, values[-1]))
        return node, None
    bad = bad_value(g, node, path, case.prop, case.param)
    if param(case.prop, SH.maxCount) is not None:
        g.remove((node, path, None))  # replace, so the count stays within bounds
    g.add((node, path, bad))
    return node, bad


def show(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return term.n3()
    return f"_:{term}" if isinstance(term, BNode) else str(term)


# ---------------------------------------------------------------- the tests


def test_base_data_conforms() -> None:
    report = validate_graph(base())
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_constraint_fails_with_its_message(case: Case) -> None:
    g = copy(base())
    node, bad = break_node(g, case)
    owner = case.prop if case.prop is not None else case.shape
    message = str(SHAPES.value(owner, SH.message))

    # The broken node and the nodes that point at it (two steps: a SHACL-SPARQL rule on a
    # referrer reads its neighbours' values) are validated, each against the shapes of its
    # classes, the way a write validates what it touches (kg.validation.focus); a blank node
    # has no IRI to focus on, so it is judged with the whole graph.
    near = set(g.subjects(None, node))
    around = {node} | near | {s2 for s1 in near for s2 in g.subjects(None, s1)}
    if any(isinstance(n, BNode) for n in around):
        report = validate_graph(g)
    else:
        types = {str(n): [str(c) for c in g.objects(n, RDF.type)] for n in around}
        report = focus.validate(g, focus.shapes_for(types, types))

    assert not report.conforms
    # A second or other value of a property a SHACL-SPARQL rule reads (a second quote, a second
    # source) is judged by that rule too, on the node or on the nodes quoting it: those results
    # are the rule's, tested in tests/test_contradictions.py. Every other result is exactly the
    # broken constraint's.
    found = [v for v in report.violations if v.component != "SPARQLConstraintComponent"]
    collateral = [v for v in report.violations if v.component == "SPARQLConstraintComponent"]
    assert [(v.focus, v.message, v.component) for v in found] == [
        (show(node), message, COMPONENT[case.param])
    ], report.to_text()
    assert {v.focus for v in collateral} <= {show(n) for n in around}, report.to_text()
    if bad is not None:
        assert found[0].value == show(bad)
    if case.prop is not None:
        assert found[0].path == str(SHAPES.value(case.prop, SH.path))


def test_every_constraint_kind_is_generated() -> None:
    kinds = {(c.prop is None, c.param) for c in CASES}
    assert {p for node_level, p in kinds if not node_level} <= PROPERTY_PARAMS
    assert {p for node_level, p in kinds if node_level} <= NODE_PARAMS
    # Every shape contributes cases, and every property shape has at least one constraint.
    assert {c.shape for c in CASES} == set(node_shapes())
    for shape in node_shapes():
        for prop in SHAPES.objects(shape, SH.property):
            assert any(c.prop == prop for c in CASES), (
                f"{shape} has a property shape without checks"
            )


def test_every_shape_and_property_shape_has_a_message() -> None:
    for shape in node_shapes():
        for prop in SHAPES.objects(shape, SH.property):
            assert SHAPES.value(prop, SH.message), f"{shape}: property shape without sh:message"
        if set(SHAPES.predicates(shape)) & NODE_PARAMS:
            assert SHAPES.value(shape, SH.message), f"{shape}: node constraint without sh:message"


def test_shapes_cover_every_class_the_article_graph_uses() -> None:
    data = union_graph(rdf.parse_file(paths.ARTICLE_GRAPH))
    used = set(data.objects(None, RDF.type))
    shaped = set(SHAPES.objects(None, SH.targetClass))
    assert used - shaped == set()


def test_every_shape_targets_a_class_present_in_the_data() -> None:
    for shape in node_shapes():
        assert instances(base(), targets(shape)), f"{shape} targets nothing the data holds"


def test_shapes_are_valid_shacl() -> None:
    conforms, _, text = pyshacl.validate(SHAPES, shacl_graph=SHAPES, meta_shacl=True)
    assert conforms, text
