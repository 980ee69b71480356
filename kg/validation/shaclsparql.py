"""Compile SHACL shapes into SPARQL checks that a store runs over its whole graph.

The shapes graph is read generically: every node shape's targets become one SPARQL pattern
binding ``?focus``, and each of its constraints becomes a test on value nodes (``sh:class``,
``sh:datatype``, ``sh:nodeKind``, ``sh:in``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern``,
``sh:languageIn``, value ranges, ``sh:hasValue``, and ``sh:or``/``sh:and``/``sh:not``/``sh:xone``/
``sh:node`` over shapes made of such tests) or on the number of values (``sh:minCount``,
``sh:maxCount``). Anything else (other components, complex paths, nested property shapes,
unusual targets) is listed as *unsupported*, and ``kg.validation.fastvalidate`` hands it to pySHACL.

A test on a value is three-valued: a SPARQL expression true when the value surely conforms, and
for datatypes a second one flagging values that only Python can judge (ill-typed literals such
as ``"2026-02-30"^^xsd:date``), decided with rdflib exactly as pySHACL decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validation.sparqlconstraints import COMPONENT as SPARQL_COMPONENT
from kg.validation.sparqlconstraints import SparqlCheck, compile_constraints
from kg.validation.validate import _shape_id

#: Regular expressions that only well-formed lexical forms of a datatype match (in SPARQL syntax).
#: Values that fail them are judged in Python, so they may be strict.
_WELL_FORMED = {
    XSD.boolean: "^(true|false)$",
    XSD.integer: "^[+-]?[0-9]{1,15}$",
    XSD.decimal: "^[+-]?[0-9]{1,15}(\\\\.[0-9]{1,15})?$",
    XSD.date: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
    XSD.dateTime: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]"
    ":[0-5][0-9](\\\\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-3]):[0-5][0-9])?$",
    XSD.gYear: "^[0-9]{4}$",
    XSD.gYearMonth: "^[0-9]{4}-(0[1-9]|1[0-2])$",
}
_PYTHON_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def datatype_conforms(value: Node, datatype: URIRef) -> bool:
    """Whether ``value`` satisfies ``sh:datatype datatype``, as pySHACL decides it."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
    elif datatype == RDFS.Literal or (datatype == RDFS.Datatype and value.datatype):
        return True
    elif not (
        value.datatype is None and value.language is None and datatype == XSD.string
    ) and not (datatype == RDF.langString and value.language):
        return False
    expected = _PYTHON_TYPES.get(datatype)
    return expected is None or isinstance(value.value, expected)


def n3(term: Node) -> str:
    """A term in SPARQL syntax."""
    if isinstance(term, BNode):
        raise ValueError("blank nodes cannot appear in generated SPARQL")
    return str(term.n3())


@dataclass(frozen=True)
class Atom:
    """A test on one value node ``?v``: ``sure`` is SPARQL true when the value surely conforms;
    values for which ``maybe`` holds instead are judged in Python against ``datatype``."""

    sure: str
    maybe: str | None = None
    datatype: URIRef | None = None

    def on(self, var: str) -> tuple[str, str | None]:
        """The two expressions over ``?var`` instead of ``?v``."""
        sure = re.sub(r"\?v\b", f"?{var}", self.sure)
        return sure, re.sub(r"\?v\b", f"?{var}", self.maybe) if self.maybe else None

    def python(self, value: Node) -> bool:
        return self.datatype is not None and datatype_conforms(value, self.datatype)


@dataclass(frozen=True)
class ValueCheck:
    """One constraint component on value nodes: ``combine`` of members, each a list of atoms."""

    component: str
    members: tuple[tuple[Atom, ...], ...]
    combine: str = "single"  # single, or, and, not, xone, node

    def decide(self, member_results: list[bool]) -> bool:
        if self.combine == "or":
            return any(member_results)
        if self.combine == "not":
            return not member_results[0]
        if self.combine == "xone":
            return sum(member_results) == 1
        return all(member_results)

    def sure_sparql(self, flags: list[list[str]]) -> str:
        """SPARQL true when the value surely conforms, from the members' sure-flags."""
        members = ["(" + " && ".join(f"?{f}" for f in member) + ")" for member in flags]
        if self.combine == "or":
            return " || ".join(members)
        if self.combine == "not":
            return f"!{members[0]}"
        if self.combine == "xone":
            return " + ".join(f"IF({m}, 1, 0)" for m in members) + " = 1"
        return " && ".join(members)


@dataclass(frozen=True)
class CountCheck:
    component: str  # MinCountConstraintComponent, MaxCountConstraintComponent, HasValue...
    bound: int = 0
    value: Node | None = None


@dataclass
class ShapePlan:
    """What to check for one shape (a node shape, or a property shape with its path)."""

    shape: str
    targets: str | None  # SPARQL group binding ?focus; None when the targets are unsupported
    path: URIRef | None
    message: str
    severity: str = "Violation"
    values: list[ValueCheck] = field(default_factory=list)
    counts: list[CountCheck] = field(default_factory=list)
    unsupported: set[str] = field(default_factory=set)
    sparql: list[SparqlCheck] = field(default_factory=list)  # sh:sparql, run as they are


@dataclass
class Plan:
    shapes: list[ShapePlan]
    shapes_graph: Graph


_VALUE_PARAMS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH["in"],
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
}
_LOGICAL: dict[Node, str] = {SH["or"]: "or", SH["and"]: "and", SH["xone"]: "xone"}
_IGNORED = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.path,
    SH.deactivated,
    SH.flags,
    SH.sparql,  # compiled by kg.validation.sparqlconstraints, in compile_shapes
}
_COMPONENT: dict[Node, str] = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["xone"]: "XoneConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH.node: "NodeConstraintComponent",
}


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _component_name(param: Node) -> str:
    """pySHACL's name for the component of a parameter: sh:uniqueLang -> UniqueLang..."""
    local = _local(param)
    return local[:1].upper() + local[1:] + "ConstraintComponent"


class _Compiler:
    def __init__(self, shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]]) -> None:
        self.g = shapes
        self.subclasses = subclasses

    # -------------------------------------------------- atoms on one value

    def atom(self, param: Node, arg: Node) -> Atom | None:
        """The test of one value constraint, over the variable ``?v`` (see ``Atom``)."""
        g = self.g
        if param == SH["class"] and isinstance(arg, URIRef):
            classes = self.subclasses(arg)
            if len(classes) == 1:
                return Atom(f"EXISTS {{ ?v a {n3(arg)} }}")
            listed = " ".join(n3(c) for c in classes)
            return Atom(f"EXISTS {{ VALUES ?_cls {{ {listed} }} ?v a ?_cls }}")
        if param == SH.datatype and isinstance(arg, URIRef):
            return self._datatype(arg)
        if param == SH.nodeKind:
            kinds = {
                SH.IRI: "isIRI(?v)",
                SH.BlankNode: "isBlank(?v)",
                SH.Literal: "isLiteral(?v)",
                SH.BlankNodeOrIRI: "(isIRI(?v) || isBlank(?v))",
                SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
                SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))",
            }
            return Atom(kinds[arg]) if isinstance(arg, URIRef) and arg in kinds else None
        if param == SH["in"]:
            items = list(Collection(g, arg))
            if any(isinstance(i, BNode) for i in items):
                return None
            tests = " || ".join(f"sameTerm(?v, {n3(i)})" for i in items)
            return Atom(f"({tests or 'false'})")
        if param in (SH.minLength, SH.maxLength) and isinstance(arg, Literal):
            n = int(arg)
            if param == SH.minLength and n == 0:
                return Atom("true")
            op = ">=" if param == SH.minLength else "<="
            return Atom(f"(!isBlank(?v) && STRLEN(STR(?v)) {op} {n})")
        if param == SH.pattern and isinstance(arg, Literal):
            flags = [str(f) for f in g.objects(self._owner, SH.flags)]
            extra = f", {Literal(flags[0]).n3()}" if flags else ""
            return Atom(f"(!isBlank(?v) && REGEX(STR(?v), {Literal(str(arg)).n3()}{extra}))")
        if param == SH.languageIn:
            langs = [Literal(str(x)).n3() for x in Collection(g, arg)]
            tests = " || ".join(f"langMatches(LANG(?v), {lang})" for lang in langs)
            return Atom(f'(isLiteral(?v) && LANG(?v) != "" && ({tests or "false"}))')
        ranges = {
            SH.minInclusive: ">=",
            SH.maxInclusive: "<=",
            SH.minExclusive: ">",
            SH.maxExclusive: "<",
        }
        if param in ranges and isinstance(param, URIRef) and isinstance(arg, Literal):
            return Atom(f"(isLiteral(?v) && ?v {ranges[param]} {n3(arg)})")
        return None

    @staticmethod
    def _datatype(dt: URIRef) -> Atom:
        if dt == XSD.string:
            return Atom(f"(isLiteral(?v) && DATATYPE(?v) = {n3(XSD.string)})")
        if dt == RDF.langString:
            return Atom('(isLiteral(?v) && LANG(?v) != "")')
        if dt == RDFS.Literal:
            return Atom("isLiteral(?v)")
        typed = f"(isLiteral(?v) && DATATYPE(?v) = {n3(dt)})"
        regex = _WELL_FORMED.get(dt)
        sure = f'({typed} && REGEX(STR(?v), "{regex}"))' if regex else "false"
        return Atom(sure, typed, dt)

    def member(self, shape: Node) -> tuple[Atom, ...] | None:
        """The atoms of a shape used as a member of sh:or etc.; None if it has more than atoms."""
        atoms: list[Atom] = []
        previous, self._owner = self._owner, shape
        try:
            for p, o in self.g.predicate_objects(shape):
                if p in _IGNORED - {SH.property, SH.path}:
                    continue
                atom = self.atom(p, o) if p in _VALUE_PARAMS else None
                if atom is None:
                    return None
                atoms.append(atom)
        finally:
            self._owner = previous
        return tuple(atoms)

    # -------------------------------------------------- shapes

    _owner: Node = RDF.nil

    def value_check(self, param: Node, arg: Node) -> ValueCheck | None:
        component = _COMPONENT.get(param, "")
        if param in _VALUE_PARAMS:
            atom = self.atom(param, arg)
            return ValueCheck(component, ((atom,),)) if atom else None
        if param in _LOGICAL or param in (SH["not"], SH.node):
            shapes = list(Collection(self.g, arg)) if param in _LOGICAL else [arg]
            members = [self.member(s) for s in shapes]
            if any(m is None for m in members):
                return None
            combine = _LOGICAL.get(param) or ("not" if param == SH["not"] else "node")
            return ValueCheck(component, tuple(m for m in members if m is not None), combine)
        return None

    def shape(self, node: Node, path: URIRef | None, plan: ShapePlan) -> None:
        """Add the checks of shape ``node`` (with ``path``, or on the focus itself) to ``plan``."""
        previous, self._owner = self._owner, node
        try:
            for p, o in self.g.predicate_objects(node):
                if p in _IGNORED:
                    continue
                assert isinstance(p, URIRef)
                if p in (SH.minCount, SH.maxCount) and path is not None:
                    plan.counts.append(CountCheck(_COMPONENT[p], int(o)))  # type: ignore[call-overload]
                elif p == SH.hasValue and not isinstance(o, BNode):
                    plan.counts.append(CountCheck(_COMPONENT[p], value=o))
                else:
                    check = self.value_check(p, o)
                    if check is None:
                        plan.unsupported.add(_COMPONENT.get(p) or _component_name(p))
                    else:
                        plan.values.append(check)
        finally:
            self._owner = previous


def _targets(g: Graph, shape: Node, subclasses: Callable[[URIRef], list[URIRef]]) -> str | None:
    """A SPARQL group binding ?focus to every focus node of ``shape`` (None: cannot say)."""
    parts: list[str] = []
    for cls in g.objects(shape, SH.targetClass):
        if not isinstance(cls, URIRef):
            return None
        classes = subclasses(cls)
        if len(classes) == 1:
            parts.append(f"?focus a {n3(cls)} .")
        else:
            parts.append(f"VALUES ?_tc {{ {' '.join(n3(c) for c in classes)} }} ?focus a ?_tc .")
    for node in g.objects(shape, SH.targetNode):
        if isinstance(node, BNode):
            return None
        parts.append(f"VALUES ?focus {{ {n3(node)} }}")
    for p in g.objects(shape, SH.targetSubjectsOf):
        parts.append(f"?focus {n3(p)} ?_t .")
    for p in g.objects(shape, SH.targetObjectsOf):
        parts.append(f"?_t {n3(p)} ?focus .")
    if (shape, RDF.type, RDFS.Class) in g or (shape, SH.target, None) in g:
        return None
    if not parts:
        return ""
    return " UNION ".join(f"{{ {p} }}" for p in parts)


def compile_shapes(shapes: Graph, subclasses: Callable[[URIRef], list[URIRef]]) -> Plan:
    """The checks for every shape of ``shapes``; ``subclasses(C)`` lists C and its subclasses."""
    compiler = _Compiler(shapes, subclasses)
    plans: list[ShapePlan] = []
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    node_shapes |= {s for s in shapes.subjects(SH.property, None) if isinstance(s, URIRef)}
    for target in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        node_shapes |= set(shapes.subjects(target, None))
    for shape in sorted(node_shapes, key=str):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _targets(shapes, shape, subclasses)
        if targets == "":
            continue  # no targets: only used through sh:node, sh:or...
        severity = shapes.value(shape, SH.severity)
        node_plan = ShapePlan(
            shape=_shape_id(shapes, shape),
            targets=targets,
            path=None,
            message=_message(shapes, shape),
            severity=_local(severity) if severity else "Violation",
        )
        if (shape, SH.path, None) in shapes:
            node_plan.unsupported.add("*")  # a property shape with its own targets: pySHACL
        else:
            compiler.shape(shape, None, node_plan)
            if targets is not None:
                node_plan.sparql, fallback = compile_constraints(shapes, shape, targets)
                if fallback:
                    node_plan.unsupported.add(SPARQL_COMPONENT)
        plans.append(node_plan)
        for prop in shapes.objects(shape, SH.property):
            if (prop, SH.deactivated, Literal(True)) in shapes:
                continue
            path = shapes.value(prop, SH.path)
            severity = shapes.value(prop, SH.severity)
            plan = ShapePlan(
                shape=_shape_id(shapes, prop),
                targets=targets,
                path=path if isinstance(path, URIRef) else None,
                message=_message(shapes, prop),
                severity=_local(severity) if severity else "Violation",
            )
            if not isinstance(path, URIRef) or (prop, SH.property, None) in shapes:
                plan.unsupported.add("*")
            else:
                compiler.shape(prop, path, plan)
            if (prop, SH.sparql, None) in shapes:
                plan.unsupported.add(SPARQL_COMPONENT)  # on a property shape: pySHACL
            plans.append(plan)
    return Plan(plans, shapes)


def _message(g: Graph, shape: Node) -> str:
    messages = sorted(str(m) for m in g.objects(shape, SH.message))
    return messages[0] if messages else ""
