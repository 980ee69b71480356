"""The ontology: every minted term documented, controlled lists as SKOS schemes the shapes use."""

from __future__ import annotations

from functools import lru_cache

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.model import paths, rdf
from kg.model.namespaces import KG, PREFIXES
from kg.validation.validate import shapes_graph, union_graph, validate_graph

#: Vocabularies the data may use besides kg's own.
REUSED = [PREFIXES[p] for p in ("org", "prov", "schema", "skos", "dct", "time", "rdf", "rdfs")]

#: The controlled lists the design asks for, as SKOS concept schemes.
REQUIRED_SCHEMES = [
    "EventKinds",
    "OrganizationKinds",
    "ProviderRelationshipKinds",
    "ProviderRelationshipStatuses",
    "Strategies",
]


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(paths.ONTOLOGY, format="turtle")


@lru_cache(maxsize=1)
def data() -> Graph:
    return union_graph(rdf.parse_file(paths.ARTICLE_GRAPH))


def minted(g: Graph) -> set[URIRef]:
    """Every IRI in kg's namespace that ``g`` mentions."""
    return {t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(str(KG))}


def concepts_of(scheme: URIRef) -> set[URIRef]:
    return {URIRef(c) for c in ontology().subjects(SKOS.inScheme, scheme)}


def test_every_minted_term_has_a_label_and_a_definition() -> None:
    onto = ontology()
    for term in sorted(minted(onto)):
        if (term, RDF.type, SKOS.Concept) in onto:
            assert onto.value(term, SKOS.prefLabel), f"{term} has no skos:prefLabel"
            assert onto.value(term, SKOS.definition), f"{term} has no skos:definition"
        else:
            assert onto.value(term, RDFS.label), f"{term} has no rdfs:label"
            assert onto.value(term, RDFS.comment), f"{term} has no rdfs:comment"


@pytest.mark.parametrize("where", ["data", "shapes"])
def test_every_kg_term_used_is_defined_in_the_ontology(where: str) -> None:
    used = minted(data() if where == "data" else shapes_graph())
    defined = {URIRef(s) for s in ontology().subjects(RDF.type, None)}
    assert used - defined == set()


def test_terms_are_minted_in_one_namespace() -> None:
    onto = ontology()
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept]
    for kind in kinds:
        for term in onto.subjects(RDF.type, kind):
            assert str(term).startswith(str(KG)), f"{term} is defined outside {KG}"


def test_data_uses_only_reused_vocabularies_and_kg() -> None:
    g = data()
    terms = set(g.predicates()) | set(g.objects(None, RDF.type))
    foreign = {t for t in terms if not str(t).startswith((str(KG), *REUSED))}
    assert foreign == set()


@pytest.mark.parametrize("name", REQUIRED_SCHEMES)
def test_required_concept_scheme_exists(name: str) -> None:
    scheme = KG[name]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology()
    assert len(concepts_of(scheme)) >= 2


def in_lists() -> list[tuple[str, list[URIRef]]]:
    shapes = shapes_graph()
    found = []
    for prop, head in shapes.subject_objects(SH["in"]):
        path = shapes.value(prop, SH.path)
        owner = shapes.value(None, SH.property, prop)
        found.append((f"{owner}|{path}", [URIRef(m) for m in Collection(shapes, head)]))
    return sorted(found)


@pytest.mark.parametrize("name,members", in_lists(), ids=[n for n, _ in in_lists()])
def test_allowed_values_are_exactly_the_concepts_of_one_scheme(
    name: str, members: list[URIRef]
) -> None:
    onto = ontology()
    for m in members:
        assert (m, RDF.type, SKOS.Concept) in onto, f"{m} is not a skos:Concept"
    schemes = {onto.value(m, SKOS.inScheme) for m in members}
    assert len(schemes) == 1, f"{name} mixes schemes {schemes}"
    (scheme,) = schemes
    assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
    assert set(members) == concepts_of(URIRef(str(scheme))), f"{name} drifted from {scheme}"


def test_ontology_concepts_conform_to_the_shapes() -> None:
    report = validate_graph(ontology())
    assert report.conforms, report.to_text()
