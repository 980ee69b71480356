"""What a request selects, as a tree of :class:`Need`: per possible type, the mapped fields.

The selection is read from the GraphQL document itself (fragments, inline fragments, aliases,
``@skip``/``@include``), so the loader can fetch a whole level in one query before strawberry
resolves a single field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
)
from graphql.type.definition import GraphQLNamedType, GraphQLOutputType
from strawberry.utils.str_converters import to_camel_case

from kg.graphql.mapping import RDF_CLASSES, FieldMap


@dataclass(frozen=True)
class FieldInfo:
    name: str
    attr: str
    spec: FieldMap | None
    many: bool
    targets: tuple[str, ...]


@dataclass(frozen=True)
class TypeInfo:
    name: str
    cls: type
    classes: tuple[str, ...]
    fields: dict[str, FieldInfo]


def unwrap(t: GraphQLOutputType) -> tuple[GraphQLNamedType, bool]:
    many = False
    while isinstance(t, GraphQLNonNull | GraphQLList):
        many = many or isinstance(t, GraphQLList)
        t = t.of_type
    return t, many


class Registry:
    """The mapping of every node type, read from the schema's strawberry definitions."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.types: dict[str, TypeInfo] = {}
        for name, gtype in schema.type_map.items():
            if not isinstance(gtype, GraphQLObjectType) or name not in RDF_CLASSES:
                continue
            definition = gtype.extensions["strawberry-definition"]
            fields: dict[str, FieldInfo] = {}
            for f in definition.fields:
                gname = f.graphql_name or to_camel_case(f.python_name)
                target, many = unwrap(gtype.fields[gname].type)
                fields[gname] = FieldInfo(
                    gname, f.python_name, f.metadata.get("rdf"), many, self.possible(target)
                )
            self.types[name] = TypeInfo(name, definition.origin, RDF_CLASSES[name], fields)

    def possible(self, t: GraphQLNamedType) -> tuple[str, ...]:
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            return tuple(o.name for o in self.schema.get_possible_types(t))
        if isinstance(t, GraphQLObjectType):
            return (t.name,)
        return ()


@dataclass(frozen=True)
class Wanted:
    info: FieldInfo
    child: Need | None
    #: For a list of nodes, the ``(first, after)`` of each selection of it.
    windows: tuple[tuple[Any, Any], ...] = ()


@dataclass(eq=False)
class Need:
    """For each type a node at this position may have, the fields to fill."""

    types: dict[str, list[Wanted]] = field(default_factory=dict)

    @property
    def polymorphic(self) -> bool:
        return len(self.types) > 1


class Collector:
    """Reads selections of one operation (fragments and variables resolved)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        registry: Registry,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.registry = registry
        self.fragments = fragments
        self.variables = variables

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return [self.value(v) for v in node.values]
        if isinstance(node, ObjectValueNode):
            return {f.name.value: self.value(f.value) for f in node.fields}
        return getattr(node, "value", None)

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        for d in node.directives or ():
            cond = {a.name.value: self.value(a.value) for a in d.arguments or ()}.get("if")
            if d.name.value == "skip" and cond in (True, "true"):
                return False
            if d.name.value == "include" and cond in (False, "false"):
                return False
        return True

    def _applies(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        cond = self.schema.get_type(condition)
        return isinstance(cond, GraphQLAbstractType) and self.schema.is_sub_type(cond, runtime)

    def fields(
        self, nodes: list[FieldNode], runtime: GraphQLObjectType
    ) -> dict[str, list[FieldNode]]:
        """The sub-fields of ``nodes`` that apply to ``runtime``, by field name."""
        out: dict[str, list[FieldNode]] = {}
        for node in nodes:
            if node.selection_set is not None:
                self._collect(node.selection_set, runtime, out, set())
        return out

    def _collect(
        self,
        selection_set: SelectionSetNode,
        runtime: GraphQLObjectType,
        out: dict[str, list[FieldNode]],
        seen: set[str],
    ) -> None:
        for sel in selection_set.selections:
            if not self._included(sel):  # type: ignore[arg-type]
                continue
            if isinstance(sel, FieldNode):
                out.setdefault(sel.name.value, []).append(sel)
            elif isinstance(sel, InlineFragmentNode):
                cond = sel.type_condition.name.value if sel.type_condition else None
                if self._applies(cond, runtime):
                    self._collect(sel.selection_set, runtime, out, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = self.fragments.get(name)
                if frag is None or name in seen:
                    continue
                seen.add(name)
                if self._applies(frag.type_condition.name.value, runtime):
                    self._collect(frag.selection_set, runtime, out, seen)

    def object_type(self, name: str) -> GraphQLObjectType:
        t = self.schema.get_type(name)
        assert isinstance(t, GraphQLObjectType)
        return t

    def windows(self, nodes: list[FieldNode]) -> tuple[tuple[Any, Any], ...]:
        """The ``(first, after)`` arguments of each selection of a list field."""
        found: dict[tuple[Any, Any], None] = {}
        for node in nodes:
            args = {a.name.value: self.value(a.value) for a in node.arguments or ()}
            first = args.get("first")
            if isinstance(first, str):  # a literal in the document (validated as an Int)
                first = int(first)
            found[(first, args.get("after"))] = None
        return tuple(found)

    def need(self, nodes: list[FieldNode], type_names: tuple[str, ...]) -> Need:
        """What to load for nodes of ``type_names`` selected by ``nodes``."""
        need = Need()
        for name in type_names:
            info = self.registry.types.get(name)
            wanted: list[Wanted] = []
            if info is not None:
                for fname, fnodes in self.fields(nodes, self.object_type(name)).items():
                    f = info.fields.get(fname)
                    if f is None or f.spec is None:
                        continue
                    child = self.need(fnodes, f.targets) if f.targets else None
                    wanted.append(Wanted(f, child, self.windows(fnodes) if f.many else ()))
            need.types[name] = wanted
        return need
