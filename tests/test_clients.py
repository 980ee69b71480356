"""Third-party SPARQL clients against the live server: SPARQLWrapper (PyPI) and rasqal's roqet."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, POST, RDFXML, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed, Unauthorized

from kg.model import paths, rdf
from kg.model.namespaces import ONTOLOGY_GRAPH
from tests.plugins.server import Server

LABELS = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?label WHERE { ?org a org:FormalOrganization ; rdfs:label ?label } ORDER BY ?org"""
GRAPH = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?org rdfs:label ?label } WHERE { ?org a org:FormalOrganization ; rdfs:label ?label }"""
TOKEN = "clients-test-token-77"


@pytest.fixture(scope="module")
def reference() -> ox.Store:
    ref = ox.Store()
    onto = ox.NamedNode(str(ONTOLOGY_GRAPH))
    ref.extend(
        ox.Quad(q.subject, q.predicate, q.object, onto) for q in rdf.parse_file(paths.ONTOLOGY)
    )
    ref.extend(rdf.parse_file(paths.ARTICLE_GRAPH))
    return ref


def labels(reference: ox.Store) -> list[tuple[str, str]]:
    result = reference.query(LABELS, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return [(s["org"].value, s["label"].value) for s in result]  # type: ignore[union-attr]


def wrapper(url: str, query: str, fmt: str, method: str | None = None) -> SPARQLWrapper:
    sw = SPARQLWrapper(f"{url}/sparql")
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    if method:
        sw.setMethod(method)
    return sw


# --- SPARQLWrapper ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_json(kg_server: str, reference: ox.Store, method: str) -> None:
    result = wrapper(kg_server, LABELS, JSON, method).query().convert()
    got = [(b["org"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    assert got == labels(reference)


def test_sparqlwrapper_select_xml_and_csv(kg_server: str, reference: ox.Store) -> None:
    doc = wrapper(kg_server, LABELS, XML).query().convert()
    results = doc.getElementsByTagName("result")
    assert len(results) == len(labels(reference))
    text = wrapper(kg_server, LABELS, CSV).query().convert().decode()
    assert [tuple(row) for row in csv.reader(io.StringIO(text))][1:] == labels(reference)


def test_sparqlwrapper_ask(kg_server: str) -> None:
    yes = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> 'OpenAI' }"
    no = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> 'No such label' }"
    assert wrapper(kg_server, yes, JSON).query().convert()["boolean"] is True
    assert wrapper(kg_server, no, JSON).query().convert()["boolean"] is False


# SPARQLWrapper builds its graphs with rdflib's ConjunctiveGraph, which rdflib now deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", [RDFXML, JSONLD, TURTLE])
def test_sparqlwrapper_construct(kg_server: str, reference: ox.Store, fmt: str) -> None:
    converted = wrapper(kg_server, GRAPH, fmt).query().convert()
    if isinstance(converted, bytes):  # SPARQLWrapper hands Turtle back as bytes
        triples = {q.triple for q in ox.parse(converted, ox.RdfFormat.TURTLE)}
        count = len(triples)
    else:  # an rdflib graph
        count = len(converted)
    want = reference.query(GRAPH, use_default_graph_as_union=True)
    assert count == len(list(want)) and count > 5  # type: ignore[arg-type]


def test_sparqlwrapper_malformed_query(kg_server: str) -> None:
    with pytest.raises(QueryBadFormed, match="error at 1:26"):
        wrapper(kg_server, "SELECT ?s WHERE { ?s ?p }", JSON).query()


def test_sparqlwrapper_update_with_and_without_token(
    kg_server_factory: Callable[..., Server],
) -> None:
    server = kg_server_factory(env={"KG_WRITE_TOKEN": TOKEN})
    insert = "INSERT DATA { GRAPH <urn:clients:g> { <urn:clients:s> <urn:clients:p> 'v' } }"
    ask = "ASK { GRAPH <urn:clients:g> { <urn:clients:s> ?p ?o } }"
    with pytest.raises(Unauthorized):
        wrapper(server.url, insert, JSON, POST).query()
    assert wrapper(server.url, ask, JSON).query().convert()["boolean"] is False
    sw = wrapper(server.url, insert, JSON, POST)
    sw.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    sw.query()
    assert wrapper(server.url, ask, JSON).query().convert()["boolean"] is True


# --- roqet (Debian rasqal-utils) -------------------------------------------------------------


def roqet(url: str, query: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("roqet")
    if exe is None:
        pytest.fail("roqet is missing: apt-get install rasqal-utils (.ci/run installs it)")
    return subprocess.run(
        [exe, "-i", "sparql", "-p", f"{url}/sparql", "-e", query, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_roqet_select_csv(kg_server: str, reference: ox.Store) -> None:
    done = roqet(kg_server, LABELS, "-r", "csv")
    assert done.returncode == 0, done.stderr
    rows = [tuple(row) for row in csv.reader(io.StringIO(done.stdout))]
    assert rows[0] == ("org", "label") and rows[1:] == labels(reference)


def test_roqet_select_tsv_keeps_term_kinds(kg_server: str, reference: ox.Store) -> None:
    done = roqet(kg_server, LABELS, "-r", "tsv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().split("\n")
    assert lines[0] == "?org\t?label"
    want = [f"<{org}>\t{ox.Literal(label)}" for org, label in labels(reference)]
    assert lines[1:] == want


def test_roqet_malformed_query_is_reported(kg_server: str) -> None:
    done = roqet(kg_server, "SELECT ?s WHERE { ?s ?p }")
    assert done.returncode != 0
    assert "HTTP status 400" in done.stderr
