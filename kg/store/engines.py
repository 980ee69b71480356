"""What kg knows about the SPARQL server behind a remote store, found by probing it at start.

SPARQL 1.1 leaves engines room where kg needs certainty, so the remote store asks the server
once (an ``ASK {}`` whose ``Server`` header names the engine, and for an unknown engine a probe
of its default graph) and keeps an :class:`Engine` saying:

* **how to read the union of the named graphs** (kg writes every triple into a named graph and
  its queries read their union): Oxigraph takes its own ``union-default-graph`` parameter;
  Virtuoso's default graph already is the union (as are GraphDB's and others'); for any other
  server a probe decides: a triple of some named graph is looked up in the default graph, and
  found there means the default graph is the union. A server whose default graph is not the
  union gets each named graph listed as ``default-graph-uri``/``named-graph-uri``, at most
  ``MAX_LISTED_GRAPHS`` of them (past that the query is refused with what to configure), never
  thousands of parameters;
* **how to pass the query deadline** where the server takes one per request (Virtuoso's
  ``timeout`` parameter, in milliseconds; Oxigraph has only its own ``--timeout-s``);
* **which graphs are the server's own** (Virtuoso keeps its RDF views, its service description
  and its DAV graph as named graphs): they are not part of kg's dataset (``named_graphs``,
  ``count``, ``is_empty``, exports, ``DROP ALL``). Queries over the union still see their
  triples (about 2,500, none using kg's terms): Virtuoso's ``input:default-graph-exclude``
  would hide them but also empties every ``GRAPH <iri>`` pattern of the query (7.2.5);
* **whether in-store validation holds** (``kg.validation.fastvalidate``'s compiled shape
  queries give pySHACL's report): tested on Oxigraph; Virtuoso 7.2 answers some of them
  wrongly (``sh:in`` and ``sh:xone`` checks) or not at all (its own compiler errors), so there
  kg refuses it;
* **whether pages may be cut by the server** (``ORDER BY`` a computed sort key, ``LIMIT``, a
  keyset ``FILTER`` on the key; ``kg.graphql.compile.page_query``): tested on Oxigraph;
  Virtuoso 7.2 gives rows whose key belongs to another node once the query filters on it, so
  there, and on an engine kg does not know, kg reads the list's keys and cuts the page itself;
* **where the Graph Store Protocol is** when the settings do not say (Virtuoso:
  ``/sparql-graph-crud``; a server whose answers carry a ``Link`` of relation
  ``GRAPH_STORE_REL`` names it there, as kg's ``/sparql`` names its ``/store``), and whether a
  GET without ``graph`` returns the whole dataset as quads (Oxigraph and kg do; elsewhere kg
  reads graph by graph).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Union = Literal["parameter", "default", "graphs"]

#: Most graphs listed as protocol parameters on a server with no union default graph.
MAX_LISTED_GRAPHS = 100


@dataclass(frozen=True)
class Engine:
    """A SPARQL server's ways, as far as kg depends on them."""

    name: str
    union: Union
    #: Query parameter taking the deadline in milliseconds, when the server has one.
    timeout_parameter: str | None = None
    #: Graphs the server keeps for itself (a regular expression on the graph IRI).
    system_graphs: str | None = None
    #: A Graph Store Protocol GET without ``graph`` returns every graph as N-Quads.
    whole_dataset_get: bool = False
    #: Path of the Graph Store Protocol endpoint, beside the query endpoint.
    gsp_path: str | None = None
    #: ``DROP ALL``/``CLEAR ALL`` are ignored by the server: kg drops graph by graph.
    drop_all_ignored: bool = False
    #: In-store validation's compiled shape queries give pySHACL's report here (tested).
    shape_queries: bool = False
    #: A page of a list may be ordered and cut here (``ORDER BY`` a computed key with a
    #: ``FILTER`` on it, ``LIMIT``; tested). Virtuoso 7.2 pairs such a key with another row's
    #: node once the query filters, so its pages are cut by kg.
    sorts_pages: bool = False

    def is_system(self, graph: str) -> bool:
        return self.system_graphs is not None and re.match(self.system_graphs, graph) is not None


OXIGRAPH = Engine(
    "Oxigraph", "parameter", whole_dataset_get=True, shape_queries=True, sorts_pages=True
)
VIRTUOSO = Engine(
    "Virtuoso",
    "default",
    timeout_parameter="timeout",
    system_graphs=(
        r"http://www\.openlinksw\.com/schemas/virtrdf#$|http://www\.w3\.org/ns/ldp#$"
        r"|https?://[^/]+/(sparql|DAV/)$"
    ),
    gsp_path="/sparql-graph-crud",
    drop_all_ignored=True,
)

#: The relation of the ``Link`` a SPARQL endpoint's answers carry to its Graph Store Protocol
#: endpoint (an extension relation type, RFC 8288: the Graph Store Protocol's own address).
GRAPH_STORE_REL = "http://www.w3.org/TR/sparql11-http-rdf-update/"

#: A kg service (``kg serve``) used as a store: its default graph is the union of its named graphs
#: and its Graph Store (``/store``, named by ``GRAPH_STORE_REL``) gives the whole dataset; it
#: answers the shapes' queries. Pages are cut by the client: the server-cut page query's sort key
#: joins its parts with a control character, which kg's guard refuses in a query text
#: (``kg.http.guard``).
KG = Engine("kg", "default", whole_dataset_get=True, gsp_path="/store", shape_queries=True)


def from_server_header(server: str) -> Engine | None:
    """The engine a ``Server`` response header names, when kg knows it."""
    if server.startswith("Oxigraph"):
        return OXIGRAPH
    if server.startswith("Virtuoso"):
        return VIRTUOSO
    return None


def generic(union: Union) -> Engine:
    """Any other SPARQL 1.1 server, its default graph found to be the union or not."""
    return Engine("SPARQL 1.1 server", union)


#: A triple of some named graph, IRIs and literals only (blank nodes cannot be looked up).
PROBE_TRIPLE = (
    "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"
)
