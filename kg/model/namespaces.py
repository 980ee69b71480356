"""IRIs of kg's own namespaces and of the vocabularies it reuses."""

from __future__ import annotations

from rdflib import Namespace

KG = Namespace("https://w3id.org/aikg/def#")
KGSH = Namespace("https://w3id.org/aikg/shapes#")
ID = Namespace("https://w3id.org/aikg/id/")
GRAPH = Namespace("https://w3id.org/aikg/graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
TIME = Namespace("http://www.w3.org/2006/time#")
OA = Namespace("http://www.w3.org/ns/oa#")

#: The named graph that holds the ontology (concept labels, class and property definitions).
ONTOLOGY_GRAPH = GRAPH["ontology"]

PREFIXES: dict[str, str] = {
    "kg": str(KG),
    "id": str(ID),
    "org": str(ORG),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "skos": str(SKOS),
    "dct": str(DCT),
    "time": str(TIME),
    "oa": str(OA),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prefixes() -> str:
    """The PREFIX lines for every namespace above, for generated SPARQL."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
