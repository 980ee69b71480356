"""The in-store validator gives pySHACL's report, on both kinds of store."""

from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph
from rdflib.namespace import SH

from bench.generate import generate
from kg.cli.commands import main
from kg.model import paths, rdf
from kg.store.opening import ensure_seeded
from kg.store.protocol import Store
from kg.validation.fastvalidate import Timing, validate_quads_fast, validate_store
from kg.validation.shaclsparql import _COMPONENT
from kg.validation.sparqlconstraints import COMPONENT as SPARQL_COMPONENT
from kg.validation.validate import Report, shapes_graph, union_graph, validate_graph
from tests.plugins.stores import empty
from tests.test_contradictions import CASES as CONTRADICTIONS
from tests.test_contradictions import copy as contradiction_base

KG = "https://w3id.org/aikg/def#"
ID = "https://w3id.org/aikg/id/"


@pytest.fixture(params=["embedded", "oxigraph"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """In-store validation is verified on these two; Virtuoso refuses it (see the last test)."""
    kind: str = request.param
    return kind


def keys(report: Report) -> Counter[tuple[str, str | None, str | None, str, str]]:
    return Counter(v.key() for v in report.violations)


def reference(store: Store, shapes: Graph | None = None) -> Report:
    """pySHACL's report on the store's data, read back from the store."""
    data = union_graph(store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    if shapes is None:
        return validate_graph(data)
    import pyshacl

    from kg.validation.validate import report_from_graph

    conforms, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    assert isinstance(results, Graph)
    report = report_from_graph(results, shapes)
    report.conforms = bool(conforms)
    return report


def assert_agree(store: Store, shapes: Graph | None = None) -> Report:
    fast = validate_store(store, shapes=shapes)
    ref = reference(store, shapes)
    assert keys(fast) == keys(ref)
    assert fast.conforms == ref.conforms
    return fast


def components_used(shapes: Graph) -> set[str]:
    """Every constraint component the shapes use, read from the shapes themselves."""
    found = {_COMPONENT[p] for p in set(shapes.predicates()) if p in _COMPONENT}
    if (None, SH.sparql, None) in shapes:
        found.add(SPARQL_COMPONENT)
    return found


def load_file(store: Store, path: Path) -> None:
    store.add_quads(rdf.parse_file(path))


def test_shipped_graph_conforms_as_pyshacl_says(article_store: Store) -> None:
    report = assert_agree(article_store)
    assert report.conforms


def test_synthetic_graph_conforms_as_pyshacl_says(store: Store, tmp_path: Path) -> None:
    # Small: the remote store emulates the union default graph by listing every graph.
    generate(tmp_path / "g.nq", triples=5_000, seed=7)
    load_file(store, tmp_path / "g.nq")
    assert assert_agree(store).conforms


def test_broken_graph_gives_pyshacls_report_on_every_component(
    store: Store, tmp_path: Path
) -> None:
    stats = generate(tmp_path / "g.nq", triples=5_000, seed=11, broken_fraction=0.6)
    load_file(store, tmp_path / "g.nq")
    ensure_ontology(store)
    report = assert_agree(store)
    assert not report.conforms
    assert len({v.focus for v in report.violations}) >= 0.9 * stats.broken_nodes
    assert {v.component for v in report.violations} == components_used(shapes_graph())


def ensure_ontology(store: Store) -> None:
    from kg.model.namespaces import ONTOLOGY_GRAPH

    graph = ox.NamedNode(str(ONTOLOGY_GRAPH))
    store.add_quads(
        ox.Quad(q.subject, q.predicate, q.object, graph) for q in rdf.parse_file(paths.ONTOLOGY)
    )


BROKEN_BY_HAND = f"""
PREFIX kg: <{KG}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
INSERT DATA {{
  GRAPH <https://w3id.org/aikg/graph/hand> {{
    kg:Lab rdfs:subClassOf org:FormalOrganization .
    <{ID}org/lab> a kg:Lab ; org:classification kg:AILab .
    <{ID}unit/u> a org:OrganizationalUnit ; rdfs:label "U" ; org:unitOf <{ID}org/lab> .
    <{ID}event/stargate-strategy-shift> kg:date "2026-02-30"^^xsd:date .
    <{ID}org/openai> rdfs:label "OpenAI"@en .
    _:c a kg:Citation ; kg:about _:x ; kg:verbatim "yes" .
    kg:AILab skos:inScheme kg:Roles .
  }}
}}
"""


def test_hand_broken_store_gives_pyshacls_report(article_store: Store) -> None:
    article_store.update(BROKEN_BY_HAND)
    report = assert_agree(article_store)
    found = {(v.focus, v.component) for v in report.violations}
    # A subclass instance is a target (no label) and satisfies sh:class (the unit's org:unitOf).
    assert (f"{ID}org/lab", "MinCountConstraintComponent") in found
    assert not any(v.focus == f"{ID}unit/u" for v in report.violations)
    assert (f"{ID}event/stargate-strategy-shift", "OrConstraintComponent") in found
    assert (f"{ID}org/openai", "DatatypeConstraintComponent") in found
    assert (f"{ID}org/openai", "MaxCountConstraintComponent") in found
    assert (f"{KG}AILab", "MaxCountConstraintComponent") in found


def test_only_the_named_graphs_are_validated(article_store: Store) -> None:
    article_store.update(BROKEN_BY_HAND)
    shipped = [g for g in article_store.named_graphs() if not g.endswith("/hand")]
    assert validate_store(article_store, graphs=shipped).conforms
    hand = validate_store(article_store, graphs=["https://w3id.org/aikg/graph/hand"])
    assert f"{ID}org/lab" in {v.focus for v in hand.violations}
    assert not hand.conforms


EXTRA_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .

ex:ThingShape a sh:NodeShape ;
  sh:targetClass ex:Thing ;
  sh:targetNode ex:lonely ;
  sh:property [ sh:path ex:name ; sh:minCount 2 ; sh:maxCount 3 ; sh:maxLength 5 ;
                sh:languageIn ( "en" "fr" ) ; sh:uniqueLang true ] ;
  sh:property [ sh:path ex:size ; sh:minInclusive 1 ; sh:maxExclusive 10 ; sh:maxCount 2 ] ;
  sh:property [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ;
                sh:not [ sh:datatype xsd:integer ] ] ;
  sh:property [ sh:path ex:kind ; sh:hasValue ex:good ;
                sh:xone ( [ sh:in ( ex:good ex:fine ) ] [ sh:nodeKind sh:IRI ] ) ] ;
  sh:property [ sh:path ex:part ; sh:node ex:Named ;
                sh:and ( [ sh:nodeKind sh:BlankNodeOrIRI ] [ sh:class ex:Part ] ) ] ;
  sh:property [ sh:path [ sh:inversePath ex:owns ] ; sh:maxCount 1 ] ;
  sh:property [ sh:path ex:twin ; sh:equals ex:name ] .

ex:Subjects a sh:NodeShape ; sh:targetSubjectsOf ex:size ; sh:class ex:Thing .
ex:Untyped sh:targetNode ex:a ; sh:nodeKind sh:BlankNode .
ex:TopProperty sh:targetClass ex:Part ; sh:path ex:name ; sh:maxLength 0 .
"""

EXTRA_DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a a ex:Thing ; ex:name "alpha"@en, "beta"@fr ; ex:size 3 ; ex:code "ABc" ; ex:kind ex:good ;
  ex:part ex:p1 ; ex:twin "alpha"@en, "beta"@fr .
ex:p1 a ex:Part ; ex:name "p" .
ex:b a ex:Thing ; ex:name "toolong"@en, "x"@en, "y"@de, "z" ; ex:size 10, 0, "3" ;
  ex:code 12, "zz" ; ex:kind ex:fine, "good" ; ex:part ex:p2, "lit" ; ex:twin "other" .
ex:p2 a ex:Other .
ex:o1 ex:owns ex:b . ex:o2 ex:owns ex:b .
ex:stranger ex:size 5 .
"""


def test_every_other_component_agrees_and_unsupported_ones_fall_back(store: Store) -> None:
    shapes = Graph().parse(data=EXTRA_SHAPES, format="turtle")
    store.add_quads(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://example.org/g"))
        for t in ox.parse(EXTRA_DATA.encode(), ox.RdfFormat.TURTLE)
    )
    report = assert_agree(store, shapes)
    components = {v.component for v in report.violations}
    # Compiled to SPARQL:
    assert {
        "MinCountConstraintComponent",
        "MaxCountConstraintComponent",
        "MaxLengthConstraintComponent",
        "LanguageInConstraintComponent",
        "MinInclusiveConstraintComponent",
        "MaxExclusiveConstraintComponent",
        "PatternConstraintComponent",
        "NotConstraintComponent",
        "XoneConstraintComponent",
        "HasValueConstraintComponent",
        "AndConstraintComponent",
        "NodeConstraintComponent",
        "ClassConstraintComponent",
    } <= components
    # Shapes found by their targets alone, with and without a path of their own:
    shapes_reported = {v.shape for v in report.violations}
    assert {"http://example.org/Untyped", "http://example.org/TopProperty"} <= shapes_reported
    # Left to pySHACL, never skipped:
    assert {"UniqueLangConstraintComponent", "EqualsConstraintComponent"} <= components
    # The inverse path (a blank node in the shapes): ex:b is owned twice.
    assert any(
        v.focus == "http://example.org/b"
        and (v.path or "").startswith("_:")
        and v.component == "MaxCountConstraintComponent"
        for v in report.violations
    )


def test_validate_quads_fast_matches_pyshacl_on_files(tmp_path: Path) -> None:
    generate(tmp_path / "g.nq", triples=5_000, seed=3, broken_fraction=0.1)
    quads = rdf.parse_file(tmp_path / "g.nq")
    fast = validate_quads_fast(quads)
    ref = validate_graph(union_graph(quads))
    assert keys(fast) == keys(ref) and not fast.conforms


def test_kg_validate_store_on_disk(tmp_path: Path) -> None:
    from kg.store.opening import open_store

    location = str(tmp_path / "store")
    opened = open_store(location)
    ensure_seeded(opened)
    opened.close()
    ok = CliRunner().invoke(main, ["validate", "--store", location])
    assert ok.exit_code == 0, ok.output
    assert "Conforms" in ok.output

    opened = open_store(location)
    opened.update(BROKEN_BY_HAND)
    opened.close()
    bad = CliRunner().invoke(main, ["validate", "--store", location, "--output", "json"])
    assert bad.exit_code == 1, bad.output
    assert f"{ID}org/lab" in bad.output and "MinCountConstraintComponent" in bad.output


def test_kg_validate_store_remote(oxigraph_server: Any) -> None:
    from kg.store.opening import open_store

    empty(oxigraph_server.url)
    remote = open_store(oxigraph_server.url)
    try:
        ensure_seeded(remote)
        remote.update(BROKEN_BY_HAND)
    finally:
        remote.close()
    result = CliRunner().invoke(main, ["validate", "--store", oxigraph_server.url])
    assert result.exit_code == 1, result.output
    assert f"<{ID}org/lab>" in result.output


def test_in_store_validation_is_refused_where_it_was_found_wrong(virtuoso_server: Any) -> None:
    """Virtuoso 7.2 answers some compiled shape queries unlike pySHACL: refused, not guessed."""
    from kg.errors import StoreUnavailable
    from kg.store.opening import open_store

    empty(virtuoso_server.url)
    remote = open_store(virtuoso_server.url)
    try:
        ensure_seeded(remote)
        with pytest.raises(StoreUnavailable, match="in-store validation"):
            validate_store(remote)
    finally:
        remote.close()
    result = CliRunner().invoke(main, ["validate", "--store", virtuoso_server.url])
    assert result.exit_code == 1 and "in-store validation" in result.output


def test_kg_validate_store_with_files_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["validate", str(paths.ARTICLE_GRAPH), "--store", str(tmp_path)]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize("case", CONTRADICTIONS, ids=[c.name for c in CONTRADICTIONS])
def test_sparql_constraints_run_in_the_store_with_pyshacls_report(store: Store, case: Any) -> None:
    """Each contradiction of tests/test_contradictions.py: the same report, the SHACL-SPARQL
    constraints run by the store itself (nothing left to the pySHACL fallback)."""
    data = contradiction_base()
    case.mutate(data)
    graph = ox.NamedNode("https://w3id.org/aikg/graph/case")
    triples = ox.parse(data.serialize(format="nt").encode(), ox.RdfFormat.N_TRIPLES)
    store.add_quads(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    timing = Timing()
    fast = validate_store(store, timing=timing)
    assert keys(fast) == keys(reference(store))
    assert sorted((v.focus, v.message) for v in fast.violations) == sorted(case.expected)
    assert timing.fallback_focus_nodes == 0
