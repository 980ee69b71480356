"""What a GraphQL document may cost, measured before it runs: depth, aliases and nodes.

One pass over the document, linear in its size: each fragment is measured once (memoised),
and a fragment spread twice in one selection counts once, as execution merges it. So a chain
of fragments that each spread the next twice (``fragment F0 on Query { ...F1 ...F1 }``) costs
as much to measure as it has lines, where a walk of every path would take 2^N steps.

* depth: the deepest chain of fields with sub-selections (introspection fields do not count);
* aliases: every alias, fragments included, as often as the request would use it;
* cost: the most nodes the request may return, as GitHub's GraphQL API counts them: each
  list of nodes counts as many as its page size (``first``/``last``/
  ``limit``, else the argument's default, else ``default_page`` for a connection and
  ``nested`` for a list inside a node) and multiplies what lies under it. A connection's
  ``nodes``/``edges`` are as long as the connection's page. Lists of values and concepts
  (``kinds``, ``supports``) take no page and count once. Introspection lists count as long as
  they are in this schema (the number of types, the most fields of a type...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.type.definition import GraphQLNamedType
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from kg.graphql.selection import unwrap

#: The introspection fields every query type has without declaring them.
META_FIELDS = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
#: Arguments that give the length of a list.
PAGE_ARGUMENTS = ("first", "last", "limit")


@dataclass(frozen=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            max(self.depth, other.depth), self.aliases + other.aliases, self.cost + other.cost
        )

    def times(self, n: int) -> Measure:
        """What ``n`` copies cost (depth does not grow)."""
        return Measure(self.depth, self.aliases * n, self.cost * n)


def is_connection(t: GraphQLNamedType) -> bool:
    return isinstance(t, GraphQLObjectType) and {"nodes", "edges", "pageInfo"} <= set(t.fields)


def introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """How long each introspection list can be in ``schema``."""
    types = list(schema.type_map.values())
    fields = [len(getattr(t, "fields", {}) or {}) for t in types]
    args = [
        len(getattr(f, "args", ()))
        for t in types
        for f in (getattr(t, "fields", {}) or {}).values()
    ]
    args += [len(d.args) for d in schema.directives]
    enums = [len(getattr(t, "values", {}) or {}) for t in types]
    return {
        "types": len(types),
        "possibleTypes": len(types),
        "interfaces": len(types),
        "fields": max(fields, default=0),
        "inputFields": max(fields, default=0),
        "args": max(args, default=0),
        "enumValues": max(enums, default=0),
        "directives": len(schema.directives),
    }


class Analysis:
    """Measures the operations of one document, with the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        *,
        default_page: int,
        nested: int,
        sizes: dict[str, int],
    ) -> None:
        self.schema = schema
        self.variables = variables or {}
        self.default_page = default_page
        self.nested = nested
        self.sizes = sizes
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self._memo: dict[str, Measure] = {}
        self._open: set[str] = set()
        self.operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]

    def operation(self, op: OperationDefinitionNode) -> Measure:
        root = self.schema.get_root_type(op.operation)
        if root is None:
            return Measure()
        return self.selection_set(op.selection_set, root, 1)

    def fragment(self, name: str) -> Measure:
        if name in self._memo:
            return self._memo[name]
        frag = self.fragments.get(name)
        if frag is None or name in self._open:  # unknown or cyclic: other rules report it
            return Measure()
        self._open.add(name)
        t = self.schema.get_type(frag.type_condition.name.value)
        found = self.selection_set(frag.selection_set, t, 1) if t is not None else Measure()
        self._open.discard(name)
        self._memo[name] = found
        return found

    def selection_set(self, sel: SelectionSetNode, parent: Any, page: int) -> Measure:
        """``sel`` on ``parent``; ``page`` is the page size when ``parent`` is a connection."""
        total = Measure()
        spread: set[str] = set()
        for node in sel.selections:
            if isinstance(node, FieldNode):
                total = total + self.field(node, parent, page)
            elif isinstance(node, InlineFragmentNode):
                cond = node.type_condition
                t = self.schema.get_type(cond.name.value) if cond else parent
                total = total + self.selection_set(node.selection_set, t, page)
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in spread:
                spread.add(node.name.value)
                total = total + self.fragment(node.name.value)
        return total

    def field(self, node: FieldNode, parent: Any, page: int) -> Measure:
        aliases = 1 if node.alias else 0
        name = node.name.value
        fields = getattr(parent, "fields", None) if parent is not None else None
        definition: GraphQLField | None = fields.get(name) if fields else None
        if name in META_FIELDS:
            definition = META_FIELDS[name]
        if definition is None or node.selection_set is None:
            return Measure(0, aliases, 0)
        target, many = unwrap(definition.type)
        introspection = name.startswith("__") or parent.name.startswith("__")
        if is_connection(target):
            length = self.length(node, definition, self.default_page)
            inner = self.selection_set(node.selection_set, target, length)
            own = Measure(0, aliases, 0)
        else:
            n = 1
            if many:
                n = (
                    self.sizes.get(name, 1)
                    if introspection
                    else self.list_length(node, definition, parent, page)
                )
            inner = self.selection_set(node.selection_set, target, page).times(n)
            own = Measure(0, aliases, n if many else 0)
        depth = 0 if name.startswith("__") else inner.depth + 1
        return Measure(depth, own.aliases + inner.aliases, own.cost + inner.cost)

    def list_length(self, node: FieldNode, definition: GraphQLField, parent: Any, page: int) -> int:
        if is_connection(parent) and node.name.value in ("nodes", "edges"):
            return page
        if any(a in definition.args for a in PAGE_ARGUMENTS):
            return self.length(node, definition, self.nested)
        return 1  # a list of values or concepts: as long as the data makes it, not growing

    def length(self, node: FieldNode, definition: GraphQLField, fallback: int) -> int:
        """The page size a field's arguments ask for, their defaults, or ``fallback``."""
        given = {a.name.value: a.value for a in node.arguments or ()}
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value: Any = None
            if name in given:
                v = given[name]
                if isinstance(v, VariableNode):
                    value = self.variables.get(v.name.value)
                elif isinstance(v, IntValueNode):
                    value = int(v.value)
            else:
                value = definition.args[name].default_value
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
        return fallback
