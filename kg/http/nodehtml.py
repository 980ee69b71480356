"""The HTML of a node page and of the ontology page, in the shared frame (:mod:`kg.http.layout`).

A node page shows what the graph says about the node, one row a property, each row with the
sources that state it (a numbered citation: the source, its hedges and attribution; the quoted
sentence is listed under Sources); what refers to the node; links to its organisation chart or
timeline where it has one, to the playground with a query for it, and to its RDF. Every value is
escaped: nothing from the graph reaches the page as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from kg.graphql.mapping import RDF_CLASSES, curie, node_id
from kg.graphql.types import NODE_TYPES
from kg.http.describe import RDF_TYPE, RDFS_COMMENT, RDFS_LABEL, Citation, Description, Statement
from kg.http.layout import chart_href, esc, href, page, query_value
from kg.model.namespaces import DCT, GRAPH, KG, ONTOLOGY_GRAPH, ORG, PROV
from kg.settings import Settings
from kg.store.protocol import Store, Term

XSD = "http://www.w3.org/2001/XMLSchema#"
_FIRST = [RDF_TYPE, RDFS_LABEL, str(DCT.title), str(DCT.description), RDFS_COMMENT]


def link(iri: str, label: str) -> str:
    target = href(iri)
    if target is not None:
        return f'<a href="{esc(target)}">{esc(label)}</a>'
    if iri.startswith(("http://", "https://")) and label == iri:
        return f'<a href="{esc(iri)}" rel="nofollow noopener">{esc(iri)}</a>'
    return f'<span title="{esc(iri)}">{esc(label)}</span>'


def term_link(iri: str, label: str) -> str:
    """A property or class name, linked to its definition: kg's terms to their page under
    ``/def/``, the reused vocabularies' (ORG, PROV-O, schema.org...) to their IRI."""
    target = href(iri)
    if target is None and iri.startswith(("http://", "https://")):
        target = iri
    if target is None:
        return f'<span title="{esc(iri)}">{esc(label)}</span>'
    return f'<a href="{esc(target)}" title="{esc(curie(iri))}">{esc(label)}</a>'


def value_html(d: Description, value: Term) -> str:
    if isinstance(value, ox.NamedNode):
        return link(value.value, d.label_of(value.value))
    if isinstance(value, ox.BlankNode):
        return "<em>(a node without a name)</em>"
    text = esc(value.value)
    if value.language:
        return f'<span lang="{esc(value.language)}">{text}</span>'
    datatype = value.datatype.value
    if datatype not in (f"{XSD}string", f"{XSD}boolean"):
        return f'{text} <small class="kind">({esc(curie(datatype))})</small>'
    return text


def _sources_of(d: Description, statements: list[Statement], numbers: dict[str, int]) -> str:
    cited: list[Citation] = []
    for s in statements:
        cited += [c for c in d.citations_of(s) if c not in cited]
    if not cited:
        graphs = sorted({s.graph for s in statements if s.graph})
        where = ", ".join(
            f'<a href="/export?graph={esc(quote(g, safe=""))}">{esc(_graph_name(g))}</a>'
            for g in graphs
        )
        return f'<p class="cited">No citation states this.{" In: " + where if where else ""}</p>'
    refs = ", ".join(
        f'<a href="#cite-{numbers[c.iri]}">[{numbers[c.iri]}] '
        f"{esc(d.label_of(c.source) if c.source else 'unknown source')}</a>"
        + (f" ({esc(_hedges(d, c))})" if _hedges(d, c) else "")
        for c in cited
    )
    return f'<p class="cited">Stated in {refs}</p>'


def _hedges(d: Description, c: Citation) -> str:
    parts = [f"{d.label_of(p)}: {_plain(d, v)}" for p, v in c.qualifiers]
    if c.verbatim is False:
        parts.append("not the source's exact words")
    return "; ".join(parts)


def _plain(d: Description, value: Term) -> str:
    return d.label_of(value.value) if isinstance(value, ox.NamedNode) else value.value


def _graph_name(graph: str) -> str:
    return graph[len(str(GRAPH)) :] if graph.startswith(str(GRAPH)) else graph


def _facts(d: Description, numbers: dict[str, int]) -> str:
    by_predicate: dict[str, list[Statement]] = {}
    for s in d.statements:
        by_predicate.setdefault(s.predicate, []).append(s)
    order = sorted(
        by_predicate,
        key=lambda p: (_FIRST.index(p) if p in _FIRST else len(_FIRST), d.label_of(p)),
    )
    rows = []
    for predicate in order:
        statements = by_predicate[predicate]
        values = list(dict.fromkeys(s.value for s in statements))
        items = "".join(f"<li>{value_html(d, v)}</li>" for v in values)
        rows.append(
            f'<tr><th scope="row">{term_link(predicate, d.label_of(predicate))}</th>'
            f"<td><ul>{items}</ul>{_sources_of(d, statements, numbers)}</td></tr>"
        )
    note = "<p>Only the first statements are shown.</p>" if "out" in d.cut else ""
    return f'<h2>Facts</h2><table class="facts">{"".join(rows)}</table>{note}'


def _incoming(d: Description) -> str:
    if not d.incoming:
        return ""
    groups: dict[str, list[str]] = {}
    for subject, predicate in d.incoming:
        groups.setdefault(predicate, []).append(subject)
    rows = "".join(
        f'<tr><th scope="row">{term_link(p, d.label_of(p))}</th><td><ul>'
        + "".join(f"<li>{link(s, d.label_of(s))}</li>" for s in subjects)
        + "</ul></td></tr>"
        for p, subjects in sorted(groups.items(), key=lambda item: d.label_of(item[0]))
    )
    note = "<p>Only the first of them are shown.</p>" if "in" in d.cut else ""
    return (
        "<h2>Referred to by</h2><p>Nodes that name this one, by the property they name it with."
        f'</p><table class="facts">{rows}</table>{note}'
    )


def _citations(d: Description, numbers: dict[str, int]) -> str:
    if not d.citations:
        return "<h2>Sources</h2><p>No citation in the graph is about this node.</p>"
    items = []
    for c in d.citations:
        source = link(c.source, d.label_of(c.source)) if c.source else "unknown source"
        supports = ", ".join(esc(d.label_of(p)) for p in sorted(c.supports, key=d.label_of))
        qualifiers = "; ".join(sorted(f"{d.label_of(p)}: {_plain(d, v)}" for p, v in c.qualifiers))
        provenance = "; ".join(f"{esc(d.label_of(p))} {value_html(d, v)}" for p, v in c.provenance)
        words = {True: "The source's own words.", False: "Not the source's exact words."}
        items.append(
            f'<li id="cite-{numbers[c.iri]}"><blockquote>{esc(c.quote)}</blockquote>'
            f"<p>{source}. {words.get(c.verbatim, '') if c.verbatim is not None else ''}"
            + (f" Hedges and attribution: {esc(qualifiers)}." if qualifiers else "")
            + (f" Provenance: {provenance}." if provenance else "")
            + (f" States: {supports}." if supports else "")
            + f' <a href="{esc(href(c.iri) or c.iri)}">The citation</a></p></li>'
        )
    return f'<h2>Sources</h2><ol class="citations">{"".join(items)}</ol>'


def _related(d: Description) -> list[str]:
    """Links to the pictures that show the node."""
    types, out = set(d.types), []
    ident = node_id(d.iri)
    pointing = {p for _, p in d.incoming}
    if str(ORG.FormalOrganization) in types:
        if str(ORG.unitOf) in pointing:
            out.append(f'<a href="{esc(chart_href(ident))}">Organisation chart</a>')
        if str(PROV.wasAssociatedWith) in pointing:
            out.append(f'<a href="/timeline?organisation={esc(query_value(ident))}">Timeline</a>')
    if str(ORG.OrganizationalUnit) in types:
        for org in d.organisations:
            out.append(
                f'<a href="{esc(chart_href(node_id(org)))}">Organisation chart of '
                f"{esc(d.label_of(org))}</a>"
            )
    if str(KG.StrategyEvent) in types:
        out.append('<a href="/timeline">Strategy timeline</a>')
    return out


def playground_query(d: Description) -> str:
    """A GraphQL query for the node: its kind, name and who says so."""
    name = ""
    for type_name, classes in RDF_CLASSES.items():
        cls = NODE_TYPES.get(type_name)
        if cls is None or not set(classes) & set(d.types):
            continue
        fields = {f.python_name for f in cls.__strawberry_definition__.fields}  # type: ignore[attr-defined]
        if "name" in fields:
            name = f"    ... on {type_name} {{ name }}\n"
        break
    label = d.label.replace("\n", " ")
    return (
        f"# What the graph says about {label}, and who says so. Press run (Ctrl-Enter).\n"
        f'{{\n  node(id: "{node_id(d.iri)}") {{\n    __typename\n    id\n{name}'
        "    sources { quote verbatim attribution { label } source { id title url } }\n  }\n}\n"
    )


def node_html(d: Description) -> str:
    numbers = {c.iri: i for i, c in enumerate(d.citations, start=1)}
    kinds = ", ".join(term_link(t, d.label_of(t)) for t in d.types)
    page_path = href(d.iri) or ""
    formats = " · ".join(
        f'<a href="{esc(page_path + suffix)}" type="{media}">{name}</a>'
        for suffix, media, name in (
            (".ttl", "text/turtle", "Turtle"),
            (".jsonld", "application/ld+json", "JSON-LD"),
            (".nt", "application/n-triples", "N-Triples"),
            (".rdf", "application/rdf+xml", "RDF/XML"),
        )
    )
    playground = "/graphql#query=" + quote(playground_query(d), safe="")
    actions = [
        *_related(d),
        f'<a href="{esc(playground)}">Query it in the playground</a>',
    ]
    descriptions = d.values(str(DCT.description)) + d.values(RDFS_COMMENT)
    body = (
        f"<h1>{esc(d.label)}</h1>"
        + (f'<p class="kinds">{kinds}</p>' if kinds else "")
        + f'<p class="iri"><code>{esc(d.iri)}</code></p>'
        + "".join(f'<p class="lead">{esc(v.value)}</p>' for v in descriptions[:1])
        + f'<ul class="actions">{"".join(f"<li>{a}</li>" for a in actions)}</ul>'
        + _facts(d, numbers)
        + _incoming(d)
        + _citations(d, numbers)
        + f'<p class="formats">This description as data: {formats}</p>'
    )
    alternates = "".join(
        f'<link rel="alternate" type="{m}" href="{esc(page_path + s)}">'
        for s, m in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"))
    )
    return page(d.label, body, head_extra=alternates)


# ---------------------------------------------------------------- the ontology


@dataclass(frozen=True)
class Term_:
    iri: str
    kind: str
    label: str
    comment: str


_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "Classes",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "Relations",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "Attributes",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "Controlled lists",
    "http://www.w3.org/2004/02/skos/core#Concept": "Concepts",
}


def ontology_terms(store: Store, settings: Settings) -> list[Term_]:
    """Every term of kg's namespace that the ontology graph types, with its label and comment."""
    rows = store.select(
        f"SELECT ?t ?type (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment) WHERE {{ "
        f"GRAPH <{ONTOLOGY_GRAPH}> {{ ?t a ?type "
        f"OPTIONAL {{ ?t <{RDFS_LABEL}>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }} "
        f"OPTIONAL {{ ?t <{RDFS_COMMENT}> ?c }} }} "
        f'FILTER(STRSTARTS(STR(?t), "{KG}")) }} GROUP BY ?t ?type ORDER BY ?t LIMIT 5000',
        timeout=settings.query_timeout,
    )
    return [
        Term_(
            r["t"].value,
            _KINDS.get(r["type"].value, "Other terms"),
            r["label"].value if "label" in r else r["t"].value[len(str(KG)) :],
            r["comment"].value if "comment" in r else "",
        )
        for r in rows
    ]


def ontology_html(terms: list[Term_]) -> str:
    sections = []
    for kind in [*_KINDS.values(), "Other terms"]:
        chosen = sorted({t.iri: t for t in terms if t.kind == kind}.values(), key=lambda t: t.label)
        if not chosen:
            continue
        items = "".join(
            f'<dt id="{esc(t.iri[len(str(KG)) :])}"><a href="{esc(href(t.iri) or "")}">'
            f"{esc(t.label)}</a> <code>kg:{esc(t.iri[len(str(KG)) :])}</code></dt>"
            f"<dd>{esc(t.comment)}</dd>"
            for t in chosen
        )
        sections.append(f'<h2>{esc(kind)}</h2><dl class="terms">{items}</dl>')
    body = (
        "<h1>The kg ontology</h1>"
        f"<p>The terms kg mints, in <code>{esc(KG)}</code>; everything else is reused from W3C "
        "ORG, PROV-O, schema.org, SKOS, Dublin Core and OWL-Time. As a file: "
        '<a href="/ontology">kg.ttl</a>; the SHACL shapes: <a href="/shapes">shapes.ttl</a>. '
        'As data: <a href="/def.ttl" type="text/turtle">Turtle</a> · '
        '<a href="/def.jsonld" type="application/ld+json">JSON-LD</a> · '
        '<a href="/def.nt" type="application/n-triples">N-Triples</a> · '
        '<a href="/def.rdf" type="application/rdf+xml">RDF/XML</a>.</p>' + "".join(sections)
    )
    return page("Ontology", body, current="/def")
