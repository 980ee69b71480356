"""SHACL-SPARQL constraints (``sh:sparql``) as queries the store runs over its whole graph.

A SPARQL-based constraint is already a SELECT query with ``$this`` pre-bound to each focus node
in turn. Here it becomes one query for all focus nodes at once: ``$this`` becomes ``?focus``,
and the pattern binding ``?focus`` to the shape's targets is put first in the query's WHERE
group, so every later pattern and FILTER sees it bound, as pre-binding does. The projection
is made DISTINCT, as pySHACL drops repeated solutions (and a union default graph repeats a
triple held in several named graphs). The prefixes come from the constraint's ``sh:prefixes``
(``sh:declare``).

Results follow pySHACL's: one per solution, focus ``?focus``, value ``?value`` when projected
and bound (else, on a node shape, the focus node), path ``?path`` when projected, the
constraint's ``sh:message``, component ``SPARQLConstraintComponent``. Constraints this cannot
rewrite faithfully (``$shapesGraph``, ``$currentShape``, a ``SELECT`` nested in the query,
aggregates, ``sh:message`` templates) are left to the pySHACL fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

COMPONENT = "SPARQLConstraintComponent"

_SELECT = re.compile(
    r"^\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(?P<vars>[^{]*?)\s*WHERE\s*\{", re.I | re.S
)
_UNSUPPORTED = re.compile(
    r"\$(shapesGraph|currentShape)\b|\bGROUP\s+BY\b|\bHAVING\b|\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|"
    r"GROUP_CONCAT)\s*\(|\bSERVICE\b",
    re.I,
)


@dataclass(frozen=True)
class SparqlCheck:
    """One sh:sparql constraint of a node shape, ready to run against a store."""

    message: str
    query: str  # the SELECT over the whole graph: ?focus, and ?value / ?path when projected
    value: bool  # whether ?value is projected
    path: bool  # whether ?path is projected


def _prefixes(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines)))


def compile_constraint(shapes: Graph, constraint: Node, targets: str) -> SparqlCheck | None:
    """The check for ``constraint`` (an sh:sparql object), or None to leave it to pySHACL."""
    select = shapes.value(constraint, SH.select)
    messages = [str(m) for m in shapes.objects(constraint, SH.message)]
    if (constraint, SH.deactivated, Literal(True)) in shapes or select is None:
        return None
    text = str(select)
    head = _SELECT.match(text)
    if (
        head is None
        or _UNSUPPORTED.search(text)
        or len(re.findall(r"\bSELECT\b", text, re.I)) != 1
        or len(messages) > 1
        or any("{" in m for m in messages)
    ):
        return None
    projected = re.findall(r"[?$](\w+)", head.group("vars"))
    if not projected or head.group("vars").strip() == "*":
        return None
    body = re.sub(r"[?$]this\b", "?focus", text[head.end() :])
    variables = " ".join(f"?{'focus' if v == 'this' else v}" for v in projected)
    if "focus" not in [("focus" if v == "this" else v) for v in projected]:
        variables = "?focus " + variables
    query = (
        f"{_prefixes(shapes, constraint)}\n"
        f"SELECT DISTINCT {variables} WHERE {{ {{ {targets} }}\n{body}"
    )
    return SparqlCheck(
        message=messages[0] if messages else "",
        query=query,
        value="value" in projected,
        path="path" in projected,
    )


def compile_constraints(shapes: Graph, shape: Node, targets: str) -> tuple[list[SparqlCheck], bool]:
    """The checks of every sh:sparql of ``shape``, and whether some must go to pySHACL."""
    checks: list[SparqlCheck] = []
    fallback = False
    for constraint in shapes.objects(shape, SH.sparql):
        check = compile_constraint(shapes, constraint, targets)
        if check is None:
            fallback = fallback or (constraint, SH.deactivated, Literal(True)) not in shapes
        else:
            checks.append(check)
    return checks, fallback
