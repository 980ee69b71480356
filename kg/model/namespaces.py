"""IRIs of kg's own namespaces and of the vocabularies it reuses."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Namespace

from kg.errors import InputError

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
#: The named graph of the history of committed writes (``kg.writes.history``).
HISTORY_GRAPH = GRAPH["history"]
#: Graphs kg writes itself: no load, write, Graph Store request or SPARQL Update may name them
#: (a source labelled "history" would otherwise write into the history graph).
RESERVED_GRAPHS = (ONTOLOGY_GRAPH, HISTORY_GRAPH)


def is_reserved(graph: str) -> bool:
    """Whether ``graph`` (an IRI) is one of kg's own graphs."""
    return graph in {str(g) for g in RESERVED_GRAPHS}


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


_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def check_iri(value: str, what: str) -> str:
    """``value`` when it is an absolute IRI, else ``InputError`` saying what is wrong."""
    shown = ascii(value[:200])
    bad = _CONTROL.search(value)
    if bad is not None:
        kind = "a lone surrogate" if bad.group(0) >= "\ud800" else "a control character"
        raise InputError(
            f"{what} {shown} is not a valid IRI: it contains {kind} "
            f"(U+{ord(bad.group(0)):04X}) at position {bad.start()}"
        )
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise InputError(f"{what} {shown} is not a valid absolute IRI: {exc}") from None
    return value
