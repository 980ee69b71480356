"""The GraphQL mapping agrees with ontology/shapes.ttl: every field's RDF path is a property of
a shape of its type (or, followed backwards, of the type it lists), and a field is a list or a
single value, nullable or not, as the shape's sh:maxCount and sh:minCount say."""

from __future__ import annotations

import pytest
from graphql import GraphQLList, GraphQLNonNull
from rdflib import RDF, Graph, Namespace, URIRef

from kg.graphql.mapping import RDF_CLASSES
from kg.graphql.schema import build_schema
from kg.graphql.selection import FieldInfo, Registry, TypeInfo
from kg.model import paths
from kg.settings import Settings

SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ORG = "http://www.w3.org/ns/org#"

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
    from rdflib.collection import Collection

    for t, f in mapped():
        if f.spec is None or f.spec.kind != "concept":
            continue
        shape = properties(t.classes)[f.spec.path]
        for value in Collection(SHAPES, shape[SH["in"]]):  # type: ignore[arg-type]
            # ORG's roles (org:Head) are skos:Concepts by ORG's axiom org:Role ⊑ skos:Concept.
            reused_role = str(value).startswith(ORG) and (value, SKOS.inScheme, None) in ONTOLOGY
            assert (value, RDF.type, SKOS.Concept) in ONTOLOGY or reused_role, value
            assert ONTOLOGY.value(value, SKOS.prefLabel) is not None, value
