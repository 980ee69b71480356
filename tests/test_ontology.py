"""The ontology: every minted term documented, controlled lists as SKOS schemes the shapes use."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from kg.model import paths, rdf
from kg.model.namespaces import KG, ORG, PREFIXES
from kg.validation.validate import shapes_graph, union_graph, validate_graph

#: Vocabularies the data may use besides kg's own.
REUSED = [PREFIXES[p] for p in ("org", "prov", "oa", "schema", "skos", "dct", "rdf", "rdfs")]

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
        # ORG's roles (org:Head) are skos:Concepts by ORG's own axiom org:Role ⊑ skos:Concept.
        reused_role = str(m).startswith(str(ORG)) and (m, SKOS.inScheme, None) in onto
        assert (m, RDF.type, SKOS.Concept) in onto or reused_role, f"{m} is not a skos:Concept"
    schemes = {onto.value(m, SKOS.inScheme) for m in members}
    assert len(schemes) == 1, f"{name} mixes schemes {schemes}"
    (scheme,) = schemes
    assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
    assert set(members) == concepts_of(URIRef(str(scheme))), f"{name} drifted from {scheme}"


def test_ontology_concepts_conform_to_the_shapes() -> None:
    report = validate_graph(ontology())
    assert report.conforms, report.to_text()


ONTOLOGY_IRI = URIRef("https://w3id.org/aikg/def")


def test_every_minted_term_is_defined_by_the_ontology() -> None:
    onto = ontology()
    for term in sorted({URIRef(s) for s in onto.subjects(RDF.type, None)} & minted(onto)):
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto, f"{term} has no rdfs:isDefinedBy"


def test_every_concept_is_a_top_concept_of_its_scheme_both_ways() -> None:
    onto = ontology()
    for concept, scheme in onto.subject_objects(SKOS.inScheme):
        assert (concept, SKOS.topConceptOf, scheme) in onto, concept
        assert (scheme, SKOS.hasTopConcept, concept) in onto, concept
    for scheme, concept in onto.subject_objects(SKOS.hasTopConcept):
        assert (concept, SKOS.inScheme, scheme) in onto, concept


def test_no_concept_is_mapped_onto_terms_that_are_not_skos_concepts() -> None:
    """skos:exactMatch would make its object a skos:Concept (e.g. OWL-Time units): none here."""
    onto = ontology()
    for prop in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch):
        assert list(onto.subject_objects(prop)) == [], prop


def used_elsewhere() -> str:
    """The text of everything that may use a kg term: the data, the shapes, the code."""
    files = [paths.ARTICLE_GRAPH, paths.SHAPES, paths.ONTOLOGY.parent / "history-shapes.ttl"]
    files += sorted((paths.ONTOLOGY.parent.parent / "kg").rglob("*.py"))
    return "\n".join(f.read_text() for f in files)


def test_every_minted_term_is_used() -> None:
    """A term the data, the shapes and the code never use is removed, not kept for later."""
    onto = ontology()
    text = used_elsewhere()
    defined = {URIRef(s) for s in onto.subjects(RDFS.isDefinedBy, ONTOLOGY_IRI)}
    schemes = set(onto.subjects(RDF.type, SKOS.ConceptScheme))
    unused = set()
    for term in defined - schemes:  # a scheme is used through its concepts
        name = str(term)[len(str(KG)) :]
        if not re.search(rf"(kg:|KG\.|KG\[\"|def#){name}\b", text) and not re.search(
            rf"\"{name}\"", text
        ):
            unused.add(name)
    assert unused == set()
