"""What the graph says about one node, read with a fixed number of bounded SPARQL queries.

:func:`describe` answers a :class:`Description`: the node's statements (with the named graph
each sits in), the statements that point at it, the citations about it (each with every
statement the citation makes: the quote, the source, the properties it supports, its hedges
and attribution) and the labels of every IRI involved. Four queries (five for a team: the
organisations it belongs to, through the teams it is part of), each with a row limit and
nothing that reads past it, so a node with very many statements costs no more than the
limits (the description says when a list was cut). Nothing here depends on which store answers.

:meth:`Description.triples` is the same description as RDF, the Linked Data answer for the
node: its statements, those pointing at it, its citations, and the labels of its neighbours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.graphql.mapping import curie
from kg.model.namespaces import DCT, KG, ORG, PROV, SCHEMA, SKOS
from kg.settings import Settings
from kg.store.deadline import Deadline
from kg.store.protocol import Store, Term

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"

#: At most this many of the node's own statements, statements pointing at it, and statements of
#: its citations are read; a longer list is cut and marked.
MAX_OUT = 2000
MAX_IN = 500
MAX_CITED = 2000
MAX_ORGANISATIONS = 10
UNIT = str(ORG.OrganizationalUnit)

#: Labels shown for the reused vocabulary's properties (the ontology labels kg's own terms).
VOCABULARY_LABELS = {
    RDF_TYPE: "kind",
    RDFS_LABEL: "name",
    RDFS_COMMENT: "comment",
    str(DCT.title): "title",
    str(DCT.description): "description",
    str(SKOS.prefLabel): "preferred label",
    str(SKOS.inScheme): "in scheme",
    str(SCHEMA.publisher): "publisher",
    str(SCHEMA.datePublished): "date published",
    str(SCHEMA.url): "web address",
    str(SCHEMA.alternateName): "also called",
    str(SCHEMA.funder): "funder",
    str(SCHEMA.provider): "provider",
    str(PROV.wasDerivedFrom): "derived from",
    str(PROV.wasQuotedFrom): "quoted from",
    str(PROV.wasAssociatedWith): "associated with",
    "http://www.w3.org/ns/org#classification": "classification",
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#subOrganizationOf": "part of",
    "http://www.w3.org/ns/org#purpose": "responsibility",
    "http://www.w3.org/ns/org#postIn": "post in",
    "http://www.w3.org/ns/org#heldBy": "held by",
    "http://www.w3.org/ns/org#role": "role",
    "http://www.w3.org/ns/org#originalOrganization": "original unit",
    "http://www.w3.org/ns/org#resultingOrganization": "resulting unit",
    "http://www.w3.org/ns/org#FormalOrganization": "Organisation",
    "http://www.w3.org/ns/org#OrganizationalUnit": "Unit",
    "http://www.w3.org/ns/org#Post": "Post",
    "http://www.w3.org/ns/org#ChangeEvent": "Change event",
    str(SCHEMA.NewsArticle): "News article",
    str(SCHEMA.Article): "Article",
    str(SCHEMA.Person): "Person",
    str(PROV.Activity): "Activity",
}

#: What a citation says of how the source states the facts it supports: its hedges, whom it
#: attributes them to, who first reported them. These qualify the statements it supports.
QUALIFIERS = {str(KG.hedge), str(KG.attribution), str(KG.creditedTo)}

#: What a citation states about itself rather than about the node; everything else it says
#: besides its qualifiers (where the quotation is in the source: ``prov:wasQuotedFrom``...) is
#: its provenance.
CITATION_CORE = {
    RDF_TYPE,
    str(KG.about),
    str(PROV.wasDerivedFrom),
    str(KG.quote),
    str(KG.supports),
    str(KG.verbatim),
}

_LABELS = (RDFS_LABEL, str(SKOS.prefLabel), str(DCT.title))


@dataclass(frozen=True)
class Statement:
    """One statement about the node: ``predicate value``, in the named graph ``graph``."""

    predicate: str
    value: Term
    graph: str | None


@dataclass
class Citation:
    """A ``kg:Citation`` about the node, with everything it states."""

    iri: str
    graph: str | None
    source: str | None = None
    quote: str = ""
    verbatim: bool | None = None
    supports: set[str] = field(default_factory=set)
    qualifiers: list[tuple[str, Term]] = field(default_factory=list)
    provenance: list[tuple[str, Term]] = field(default_factory=list)
    statements: list[tuple[str, Term]] = field(default_factory=list)

    def cites(self, statement: Statement) -> bool:
        """Whether this citation is the source of ``statement``: it supports the property and
        sits in the same source graph."""
        return statement.predicate in self.supports and statement.graph == self.graph


@dataclass
class Description:
    iri: str
    statements: list[Statement]
    incoming: list[tuple[str, str]]  # (subject, predicate) pairs pointing at the node
    citations: list[Citation]
    labels: dict[str, str]
    cut: set[str] = field(default_factory=set)  # which lists hit their limit: out, in, cited
    # For a unit: the organisations it belongs to, directly or through the units it is part of.
    organisations: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.statements or self.incoming or self.citations)

    def values(self, predicate: str) -> list[Term]:
        seen: list[Term] = []
        for s in self.statements:
            if s.predicate == predicate and s.value not in seen:
                seen.append(s.value)
        return seen

    @property
    def types(self) -> list[str]:
        return [v.value for v in self.values(RDF_TYPE) if isinstance(v, ox.NamedNode)]

    @property
    def label(self) -> str:
        for predicate in _LABELS:
            for value in self.values(predicate):
                return value.value
        return self.labels.get(self.iri) or curie(self.iri)

    def label_of(self, iri: str) -> str:
        return self.labels.get(iri) or VOCABULARY_LABELS.get(iri) or curie(iri)

    def citations_of(self, statement: Statement) -> list[Citation]:
        return [c for c in self.citations if c.cites(statement)]

    def triples(self) -> list[ox.Triple]:
        """The description as RDF: the node's statements, those pointing at it, its citations'
        statements, and the labels of the IRIs they mention."""
        node = ox.NamedNode(self.iri)
        out: dict[ox.Triple, None] = {}
        for s in self.statements:
            out[ox.Triple(node, ox.NamedNode(s.predicate), s.value)] = None
        for subject, predicate in self.incoming:
            out[ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), node)] = None
        for c in self.citations:
            for predicate, value in c.statements:
                out[ox.Triple(ox.NamedNode(c.iri), ox.NamedNode(predicate), value)] = None
        named = {t.object.value for t in out if isinstance(t.object, ox.NamedNode)}
        named |= {t.subject.value for t in out if isinstance(t.subject, ox.NamedNode)}
        for iri in sorted(named - {self.iri}):
            if iri in self.labels:
                out[
                    ox.Triple(
                        ox.NamedNode(iri), ox.NamedNode(RDFS_LABEL), ox.Literal(self.labels[iri])
                    )
                ] = None
        return list(out)


class _Reader:
    """Runs the description's queries until the request's time limit (``query_timeout``),
    each with what is left of it (on the embedded store, in a query worker killed then)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.deadline = Deadline(
            settings.query_timeout,
            "the page took longer than the time limit of {limit:g} s (setting query_timeout)",
        )

    def __call__(self, query: str) -> list[dict[str, Term]]:
        return self.deadline.select(self.store, query)


def describe(store: Store, settings: Settings, iri: str) -> Description:
    """Everything :class:`Description` holds about ``iri`` (an IRI that fits between ``<>``)."""
    node = f"<{iri}>"
    read = _Reader(store, settings)
    out = read(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} }} LIMIT {MAX_OUT + 1}")
    incoming = read(f"SELECT ?s ?p WHERE {{ ?s ?p {node} }} LIMIT {MAX_IN + 1}")
    cited = read(
        f"SELECT ?c ?g ?p ?o WHERE {{ GRAPH ?g {{ ?c <{KG.about}> {node} ; ?p ?o }} }} "
        f"LIMIT {MAX_CITED + 1}"
    )
    cut = {
        name
        for name, rows, limit in (
            ("out", out, MAX_OUT),
            ("in", incoming, MAX_IN),
            ("cited", cited, MAX_CITED),
        )
        if len(rows) > limit
    }
    statements = list(
        dict.fromkeys(Statement(r["p"].value, r["o"], _graph(r)) for r in out[:MAX_OUT])
    )
    pointing = sorted(
        {
            (r["s"].value, r["p"].value)
            for r in incoming[:MAX_IN]
            if isinstance(r["s"], ox.NamedNode) and r["p"].value != str(KG.about)
        },
        key=lambda pair: (pair[1], pair[0]),
    )
    citations = _citations(cited[:MAX_CITED])
    organisations: list[str] = []
    if any(s.predicate == RDF_TYPE and s.value.value == UNIT for s in statements):
        rows = read(
            f"SELECT ?org WHERE {{ {node} <{ORG.subOrganizationOf}>*/<{ORG.unitOf}> "
            f"?org }} LIMIT {MAX_ORGANISATIONS}"
        )
        organisations = sorted({r["org"].value for r in rows if isinstance(r["org"], ox.NamedNode)})
    mentioned = {iri} | set(organisations)
    mentioned |= {s.predicate for s in statements}
    mentioned |= {s.value.value for s in statements if isinstance(s.value, ox.NamedNode)}
    mentioned |= {s for pair in pointing for s in pair}
    for c in citations:
        mentioned |= {p for p, _ in c.statements}
        mentioned |= {v.value for _, v in c.statements if isinstance(v, ox.NamedNode)}
        mentioned |= c.supports
    return Description(
        iri=iri,
        statements=statements,
        incoming=pointing,
        citations=citations,
        labels=labels(read, mentioned),
        cut=cut,
        organisations=organisations,
    )


def _graph(row: dict[str, Term]) -> str | None:
    g = row.get("g")
    return g.value if isinstance(g, ox.NamedNode) else None


def _citations(rows: Iterable[dict[str, Term]]) -> list[Citation]:
    found: dict[str, Citation] = {}
    for row in rows:
        c = row["c"]
        if not isinstance(c, ox.NamedNode):
            continue
        citation = found.setdefault(c.value, Citation(c.value, _graph(row)))
        p, o = row["p"].value, row["o"]
        citation.statements.append((p, o))
        if p == str(PROV.wasDerivedFrom):
            citation.source = o.value
        elif p == str(KG.quote):
            citation.quote = o.value
        elif p == str(KG.supports):
            citation.supports.add(o.value)
        elif p == str(KG.verbatim):
            citation.verbatim = o.value in ("true", "1")  # Virtuoso answers 1
        elif p in QUALIFIERS:
            citation.qualifiers.append((p, o))
        elif p not in CITATION_CORE:
            citation.provenance.append((p, o))
    return sorted(found.values(), key=lambda c: (c.source or "", c.iri))


def labels(select: Callable[[str], list[dict[str, Term]]], iris: Iterable[str]) -> dict[str, str]:
    """A label for each IRI that has one (rdfs:label, else skos:prefLabel, else dct:title),
    English or untagged first."""
    wanted = sorted({i for i in iris if i and not any(c in i for c in '<>"{}|\\^` ')})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(wanted), 500):
        values = " ".join(f"<{i}>" for i in wanted[start : start + 500])
        # One UNION branch a label property: Oxigraph plans this well (a VALUES of
        # properties joined to the nodes reads far more than it needs).
        rows = select(
            "SELECT ?n ?p ?l WHERE { "
            + " UNION ".join(
                f"{{ VALUES ?n {{ {values} }} ?n <{p}> ?l BIND(<{p}> AS ?p) }}" for p in _LABELS
            )
            + " }"
        )
        for row in rows:
            literal = row["l"]
            if not isinstance(literal, ox.Literal):
                continue
            rank = _LABELS.index(row["p"].value) * 2 + (
                0 if (literal.language or "en").startswith("en") else 1
            )
            key = row["n"].value
            if key not in found or (rank, literal.value) < found[key]:
                found[key] = (rank, literal.value)
    return {iri: label for iri, (_, label) in found.items()}
