"""The node kinds' declarations agree with ontology/shapes.ttl and the ontology.

Read side: every field's RDF path is a property of a shape of its type (or, followed backwards,
of the type it lists), and a field is a list or a single value, nullable or not, as the shape's
sh:maxCount and sh:minCount say. Write side: every written field is a property of the kind's
shape, required in its Input exactly when the shape requires it, its controlled values are the
shape's sh:in concepts, minted nodes have the class the shape asks for, and every property the
shapes require can be written."""

from __future__ import annotations

import pytest
from graphql import GraphQLList, GraphQLNonNull
from rdflib import OWL, RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from strawberry.utils.str_converters import to_camel_case

from kg.graphql.mapping import (
    LABEL_IRI,
    RDF_CLASSES,
    FieldMap,
    NodeKind,
    declared_fields,
    input_name,
)
from kg.graphql.schema import build_schema
from kg.graphql.selection import FieldInfo, Registry, TypeInfo
from kg.graphql.types import DECLARED
from kg.graphql.write_inputs import FACT_KINDS, INPUTS
from kg.graphql.write_plans import KINDS
from kg.model import paths
from kg.model.namespaces import PREFIXES
from kg.settings import Settings

SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ORG = "http://www.w3.org/ns/org#"
KGNS = Namespace("https://w3id.org/aikg/def#")

SHAPES = Graph().parse(paths.SHAPES)
ONTOLOGY = Graph().parse(paths.ONTOLOGY)
SCHEMA = build_schema(Settings())
REGISTRY: Registry = SCHEMA.registry


def properties(classes: tuple[str, ...]) -> dict[str, dict[URIRef, object]]:
    """Property shapes of the node shapes targeting any of ``classes``, by path."""
    out: dict[str, dict[URIRef, object]] = {}
    for cls in classes:
        for shape in SHAPES.subjects(SH.targetClass, URIRef(cls)):
            for prop in SHAPES.objects(shape, SH.property):
                path = SHAPES.value(prop, SH.path)
                out[str(path)] = {p: o for p, o in SHAPES.predicate_objects(prop)}
    return out


def mapped() -> list[tuple[TypeInfo, FieldInfo]]:
    return [
        (t, f) for t in REGISTRY.types.values() for f in t.fields.values() if f.spec is not None
    ]


def graphql_type(t: TypeInfo, f: FieldInfo) -> object:
    return SCHEMA._schema.get_type(t.name).fields[f.name].type  # type: ignore[union-attr]


def test_every_shape_target_has_a_type() -> None:
    targets = {str(c) for c in SHAPES.objects(None, SH.targetClass)}
    covered = {c for classes in RDF_CLASSES.values() for c in classes}
    # Concepts are the Concept type (read from the ontology); change events are strategy events.
    # A quotation's selectors are read through the quotation (blank nodes, no type of their own).
    ignored = {
        str(SKOS.Concept),
        "http://www.w3.org/ns/org#ChangeEvent",
        "http://www.w3.org/ns/oa#TextQuoteSelector",
        "http://www.w3.org/ns/oa#TextPositionSelector",
    }
    assert targets - ignored <= covered
    assert covered <= targets


@pytest.mark.parametrize(("t", "f"), mapped(), ids=lambda v: getattr(v, "name", ""))
def test_field_path_and_cardinality_agree_with_the_shapes(t: TypeInfo, f: FieldInfo) -> None:
    assert f.spec is not None
    gtype = graphql_type(t, f)
    if f.spec.inverse:
        # Followed backwards: the path is a property of the listed type's shape, and a list.
        assert f.many, f"{t.name}.{f.name} follows {f.spec.curie} backwards: must be a list"
        owners = [REGISTRY.types[name].classes for name in f.targets]
        assert any(f.spec.path in properties(c) for c in owners), (t.name, f.name)
        return
    shape = properties(t.classes).get(f.spec.path)
    assert shape is not None, f"{t.name}.{f.name}: no shape of {t.classes} has {f.spec.curie}"
    max_count = shape.get(SH.maxCount)
    min_count = shape.get(SH.minCount)
    single = max_count is not None and int(max_count) == 1  # type: ignore[call-overload]
    assert f.many == (not single), f"{t.name}.{f.name}: sh:maxCount is {max_count}"
    if f.many:
        assert isinstance(gtype, GraphQLNonNull) and isinstance(gtype.of_type, GraphQLList)
    elif f.spec.kind != "holder":  # the holder always explains itself
        required = min_count is not None and int(min_count) >= 1  # type: ignore[call-overload]
        assert isinstance(gtype, GraphQLNonNull) == required, (
            f"{t.name}.{f.name}: sh:minCount is {min_count}"
        )
    if f.spec.kind == "literal" and SH.datatype in shape:
        expected = "boolean" if shape[SH.datatype] == XSD.boolean else "string"
        assert f.spec.datatype == expected
    if f.spec.kind == "concept":
        values = shape.get(SH["in"])
        assert values is not None, f"{t.name}.{f.name}: a concept field needs sh:in"
    if f.spec.kind in ("link", "holder") and SH["class"] in shape:
        target_classes = {
            c for name in f.targets if name in REGISTRY.types for c in REGISTRY.types[name].classes
        }
        assert str(shape[SH["class"]]) in target_classes


def test_concept_fields_take_values_of_one_scheme() -> None:
    """Every value sh:in allows for a concept field is a concept of the ontology, with a label."""
    for t, f in mapped():
        if f.spec is None or f.spec.kind != "concept":
            continue
        shape = properties(t.classes)[f.spec.path]
        for value in Collection(SHAPES, shape[SH["in"]]):  # type: ignore[arg-type]
            # ORG's roles (org:Head) are skos:Concepts by ORG's axiom org:Role ⊑ skos:Concept.
            reused_role = str(value).startswith(ORG) and (value, SKOS.inScheme, None) in ONTOLOGY
            assert (value, RDF.type, SKOS.Concept) in ONTOLOGY or reused_role, value
            assert ONTOLOGY.value(value, SKOS.prefLabel) is not None, value


# ---------------------------------------------------------------- the write side

#: Required by the shapes, but the write plan fills it in when the client leaves it out.
FILLED_BY_THE_PLAN = {("StrategyEvent", str(KGNS.datePrecision))}


def concept_iri(value: str) -> str:
    """The concept an enum value names: ``Active`` is kg:Active, ``org:Head`` is ORG's."""
    prefix, _, local = value.rpartition(":")
    return PREFIXES[prefix] + local if prefix else str(KGNS) + value


def writable() -> list[tuple[NodeKind, str, FieldMap]]:
    return [
        (kind, name, spec)
        for kind in DECLARED.values()
        if kind.writes is not None or kind.name == "Citation"  # CitationInput
        for name, _, spec in declared_fields(kind.cls)
        if spec.write is not None
    ]


def input_fields(kind: NodeKind, suffix: str) -> dict[str, object]:
    gtype = SCHEMA._schema.get_type(f"{kind.name}{suffix}")
    return dict(gtype.fields)  # type: ignore[union-attr]


def test_the_mutations_cover_every_writable_kind_and_nothing_else() -> None:
    kinds = [k.name for k in DECLARED.values() if k.writes is not None]
    assert kinds == list(KINDS) == list(INPUTS)
    mutation = SCHEMA._schema.mutation_type
    assert mutation is not None
    for name in kinds:
        for verb in ("create", "update", "delete"):
            assert f"{verb}{name}" in mutation.fields
    fact = SCHEMA._schema.get_type("FactInput")
    assert {to_camel_case(f) for f in FACT_KINDS} | {"key", "quote"} == set(fact.fields)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kind", "name", "spec"), writable(), ids=lambda v: getattr(v, "name", v) if v else ""
)
def test_written_field_agrees_with_the_shapes(kind: NodeKind, name: str, spec: FieldMap) -> None:
    assert spec.write is not None and not spec.inverse, f"{kind.name}.{name}"
    shape = properties(kind.classes).get(spec.path)
    assert shape is not None, f"{kind.name}.{name}: no shape of {kind.classes} has {spec.curie}"
    field = input_name(name, spec)
    create = input_fields(kind, "Input")[to_camel_case(field)]
    required = isinstance(create.type, GraphQLNonNull)  # type: ignore[attr-defined]
    min_count = shape.get(SH.minCount)
    shape_requires = min_count is not None and int(min_count) >= 1  # type: ignore[call-overload]
    if (kind.name, spec.path) in FILLED_BY_THE_PLAN:
        assert shape_requires and not required
    else:
        assert required == shape_requires, f"{kind.name}Input.{field}: sh:minCount {min_count}"
    if kind.writes is not None:
        patch = input_fields(kind, "Patch")[to_camel_case(field)]
        assert not isinstance(patch.type, GraphQLNonNull)  # type: ignore[attr-defined]
    if spec.kind == "concept":
        assert spec.write.values is not None
        allowed = [str(v) for v in Collection(SHAPES, shape[SH["in"]])]  # type: ignore[arg-type]
        assert sorted(concept_iri(v.value) for v in spec.write.values) == sorted(allowed)
        for value in allowed:
            reused_role = value.startswith(ORG) and (URIRef(value), SKOS.inScheme, None) in ONTOLOGY
            assert (URIRef(value), RDF.type, SKOS.Concept) in ONTOLOGY or reused_role, value
    if spec.write.minted:
        assert str(shape[SH["class"]]) == spec.write.minted[1]
        assert (URIRef(spec.write.minted[1]), RDF.type, OWL.Class) in ONTOLOGY


def test_every_property_the_shapes_require_can_be_written() -> None:
    for kind in DECLARED.values():
        if kind.writes is None:
            continue
        written = {spec.path for _, _, spec in declared_fields(kind.cls) if spec.write}
        for path, shape in properties(kind.classes).items():
            min_count = shape.get(SH.minCount)
            if min_count is not None and int(min_count) >= 1:  # type: ignore[call-overload]
                assert path in written, f"{kind.name}: the shapes require {path}"


def test_a_write_plan_writes_each_declared_field_to_its_path() -> None:
    for name, kind in KINDS.items():
        declared = {
            input_name(python_name, spec): spec.path
            for python_name, _, spec in declared_fields(DECLARED[name].cls)
            if spec.write is not None and spec.path != LABEL_IRI
        }
        assert {f.name: f.predicate.value for f in kind.fields} == declared
        assert [c.value for c in kind.classes] == list(DECLARED[name].classes)
