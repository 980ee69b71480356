"""The front page ``/`` and ``/schema.graphql``.

The front page says what kg is and what it holds (nodes by kind, the sources, the last change
in the history) and links to everything kg serves: the playground, the SPARQL endpoint (with a
query that runs), the pictures, the exports, the GraphQL schema, the ontology and the shapes.

Counting nodes by kind reads the whole graph, so what it holds is kept for ``HOLDINGS_TTL``
seconds per store and read again sooner only when the history's head moved (a write), checked
with one small query a request.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from kg.errors import KgError
from kg.graphql.mapping import RDF_CLASSES
from kg.graphql.schema import sdl
from kg.http.describe import RDFS_LABEL, VOCABULARY_LABELS, labels
from kg.http.layout import esc, href, page
from kg.http.state import state_of
from kg.model.namespaces import GRAPH, ONTOLOGY_GRAPH, PROV, SCHEMA
from kg.settings import Settings
from kg.store.protocol import Store
from kg.writes import history

#: The SPARQL query the front page shows and links as its example: a shorter form of the README's
#: first SPARQL query (the providers named as organisations, without platforms or groups).
SPARQL_EXAMPLE = """\
PREFIX kg:   <https://w3id.org/aikg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
# Whom does OpenAI get compute from, of what kind, and how far along is each relationship?
SELECT ?provider ?kind ?status WHERE {
  ?rel a kg:ProviderRelationship ;
       kg:customer/rdfs:label "OpenAI" ;
       kg:provider/rdfs:label ?provider ;
       kg:relationshipKind/skos:prefLabel ?kind ;
       kg:relationshipStatus/skos:prefLabel ?status .
}
ORDER BY ?provider
"""

#: How many sources the page lists (the newest first); the count covers them all.
MAX_SOURCES = 50
_SOURCE_KINDS = " ".join(f"<{c}>" for c in RDF_CLASSES["Source"])


def routes() -> list[BaseRoute]:
    return [
        Route("/", front_page, methods=["GET"]),
        Route("/schema.graphql", schema_sdl, methods=["GET"]),
    ]


@dataclass
class Holdings:
    kinds: list[tuple[str, str, int]] = field(default_factory=list)  # (class, label, count)
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # (iri, title, date)
    source_count: int = 0
    last_change: tuple[str, str, str | None] | None = None  # (operation, when, source)
    unavailable: str | None = None


def holdings(store: Store, settings: Settings) -> Holdings:
    """What the graph holds, outside the ontology and history graphs."""
    t = settings.query_timeout
    # The data graphs by name: a server's own graphs (Virtuoso's) are not kg's to count.
    kept_apart = {str(ONTOLOGY_GRAPH), history.HISTORY_GRAPH.value}
    graphs = " ".join(f"<{g}>" for g in store.named_graphs() if g not in kept_apart)
    kinds = (
        store.select(
            f"SELECT ?type (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?g {{ {graphs} }} "
            "GRAPH ?g { ?s a ?type } } GROUP BY ?type ORDER BY DESC(?n) LIMIT 100",
            timeout=t,
        )
        if graphs
        else []
    )
    sources = store.select(
        # Sorted outside the grouping: Virtuoso refuses an aggregate's name in ORDER BY.
        f"SELECT ?s ?label ?date WHERE {{ {{ SELECT ?s (SAMPLE(?l) AS ?label) "
        f"(SAMPLE(?d) AS ?date) WHERE {{ VALUES ?kind {{ {_SOURCE_KINDS} }} ?s a ?kind "
        f"OPTIONAL {{ ?s <{RDFS_LABEL}> ?l }} OPTIONAL {{ ?s <{SCHEMA.datePublished}> ?d }} }} "
        f"GROUP BY ?s }} }} ORDER BY DESC(STR(?date)) ?s LIMIT {MAX_SOURCES}",
        timeout=t,
    )
    counted = store.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?kind {{ {_SOURCE_KINDS} }} "
        "?s a ?kind }",
        timeout=t,
    )
    names = labels(store.select, [r["type"].value for r in kinds])
    found = Holdings(
        kinds=[
            (
                r["type"].value,
                names.get(r["type"].value)
                or VOCABULARY_LABELS.get(r["type"].value, "")
                or r["type"].value,
                int(r["n"].value),
            )
            for r in kinds
        ],
        sources=[
            (
                r["s"].value,
                r["label"].value if "label" in r else r["s"].value,
                r["date"].value if "date" in r else "",
            )
            for r in sources
        ],
        source_count=int(counted[0]["n"].value) if counted else 0,
    )
    head = history.read_head(store)
    if head.change is not None:
        rows = store.select(
            f"SELECT ?op ?src WHERE {{ GRAPH {history.HISTORY_GRAPH} {{ {head.change} "
            f"<{RDFS_LABEL}> ?op OPTIONAL {{ {head.change} <{PROV.used}> ?src }} }} }} LIMIT 1",
            timeout=t,
        )
        when = head.ended_at.strftime("%Y-%m-%d %H:%M:%S UTC") if head.ended_at else "unknown"
        op = rows[0]["op"].value if rows else "change"
        src = rows[0]["src"].value if rows and "src" in rows[0] else None
        found.last_change = (op, when, src)
    return found


#: Seconds the counts are kept when no write moved the history's head.
HOLDINGS_TTL = 60.0
_kept: weakref.WeakKeyDictionary[Store, tuple[float, str | None, Holdings]] = (
    weakref.WeakKeyDictionary()
)
_keeping = threading.Lock()


def current_holdings(store: Store, settings: Settings) -> Holdings:
    """:func:`holdings`, kept for ``HOLDINGS_TTL`` seconds unless a write moved the head."""
    head = history.read_head(store).change
    key = head.value if head is not None else None
    with _keeping:
        kept = _kept.get(store)
        if kept is not None and kept[1] == key and time.monotonic() - kept[0] < HOLDINGS_TTL:
            return kept[2]
        found = holdings(store, settings)
        _kept[store] = (time.monotonic(), key, found)
        return found


async def front_page(request: Request) -> Response:
    state = state_of(request)
    try:
        held = await run_in_threadpool(current_holdings, state.store, state.settings)
    except KgError as exc:  # the page still says what kg is and where everything is
        held = Holdings(unavailable=exc.message)
    return HTMLResponse(
        page("A knowledge graph of AI-infrastructure strategy", _body(held), current="/")
    )


async def schema_sdl(request: Request) -> Response:
    """The GraphQL schema in SDL, as committed in ``schema.graphql``."""
    return PlainTextResponse(
        sdl(), headers={"Content-Disposition": 'inline; filename="schema.graphql"'}
    )


def _holdings_html(held: Holdings) -> str:
    if held.unavailable is not None:
        return f"<p>The store did not answer: {esc(held.unavailable)}</p>"
    kinds = "".join(
        f'<tr><td>{_term_link(iri, label)}</td><td class="count">{n:,}</td></tr>'
        for iri, label, n in held.kinds
    )
    sources = "".join(
        f'<li><a href="{esc(href(iri) or iri)}">{esc(title)}</a>'
        + (f" ({esc(date)})" if date else " (undated)")
        + "</li>"
        for iri, title, date in held.sources
    )
    more = (
        f"<p>The newest {len(held.sources)} of {held.source_count:,} sources.</p>"
        if held.source_count > len(held.sources)
        else ""
    )
    if held.last_change is None:
        change = "<p>No write has changed the graph since it was loaded.</p>"
    else:
        op, when, src = held.last_change
        source = f' from <a href="{esc(href(src) or src)}">{esc(src)}</a>' if src else ""
        change = (
            f"<p>The last change: <code>{esc(op)}</code> at {esc(when)}{source}. "
            "Every write is listed by the GraphQL field <code>changes</code>.</p>"
        )
    return (
        '<h2 id="holds">What it holds</h2><table class="facts counts"><thead><tr><th scope="col">'
        f'Kind of node</th><th scope="col">How many</th></tr></thead><tbody>{kinds}</tbody></table>'
        f'<h3>Sources ({held.source_count:,})</h3><ul class="sources">{sources}</ul>{more}'
        f"<h3>Latest change</h3>{change}"
    )


def _term_link(iri: str, label: str) -> str:
    target = href(iri)
    return (
        f'<a href="{esc(target)}">{esc(label)}</a>'
        if target
        else f'<span title="{esc(iri)}">{esc(label)}</span>'
    )


def _body(held: Holdings) -> str:
    run = "/sparql?" + urlencode({"query": SPARQL_EXAMPLE})
    playground_query = "/graphql#query=" + quote(
        '# Who says what about OpenAI, in whose words?\n{\n  node(id: "org/openai") {\n'
        "    ... on Organisation { name kinds { label } units { name } }\n"
        "    sources { quote source { title } }\n  }\n}\n",
        safe="",
    )
    graph = quote(str(GRAPH["seemless-article"]), safe="")
    return (
        "<h1>kg: a knowledge graph of AI-infrastructure strategy</h1>"
        '<p class="lead">kg models the organisations, teams, compute providers and strategy '
        "events of OpenAI's Stargate shift as RDF, reusing W3C ORG, PROV-O, schema.org, SKOS and "
        "Dublin Core. Every fact carries its provenance: the source that states it and the "
        "sentence it rests on. SHACL shapes check every write; GraphQL and SPARQL answer "
        "questions over it. Every node has a page: start with "
        '<a href="/id/org/openai">OpenAI</a>.</p>'
        + _holdings_html(held)
        + '<h2 id="graphql">GraphQL</h2>'
        '<p><a href="/graphql">The playground</a> opens with an example query (OpenAI\'s units, '
        "their responsibilities, leaders and sources); press run. Or "
        f'<a href="{esc(playground_query)}">ask who says what about OpenAI</a>. Programs POST '
        'to <code>/graphql</code>; the schema: <a href="/schema.graphql">schema.graphql</a>.</p>'
        '<h2 id="sparql">SPARQL</h2>'
        "<p>The SPARQL 1.1 endpoint is <code>/sparql</code> (GET or POST; SPARQL JSON, XML, CSV "
        "or TSV). This query "
        f'(<a href="{esc(run)}">run it</a>, <a href="{esc(run + "&format=csv")}">as CSV</a>):</p>'
        f'<pre class="query"><code>{esc(SPARQL_EXAMPLE)}</code></pre>'
        '<p>Without a query, <a href="/sparql">/sparql</a> describes the service.</p>'
        '<h2 id="pictures">Pictures</h2><ul>'
        '<li><a href="/orgchart">Organisation charts</a>: one for each organisation with units '
        "in the graph</li>"
        '<li><a href="/timeline">Strategy timeline</a></li></ul>'
        '<h2 id="data">Data</h2><ul>'
        '<li><a href="/export">The whole dataset</a> (TriG; '
        '<a href="/export?format=nquads">N-Quads</a>, '
        '<a href="/export?format=jsonld">JSON-LD</a>), one graph per source, e.g. '
        f'<a href="/export?graph={esc(graph)}">the seed article\'s</a></li>'
        '<li><a href="/def">The ontology</a> (terms in <code>https://w3id.org/aikg/def#</code>; '
        'the file: <a href="/ontology">kg.ttl</a>) and '
        '<a href="/shapes">the SHACL shapes</a></li>'
        "<li>Every node, as a page or as RDF by content negotiation: "
        f'<a href="/id/org/openai">/id/org/openai</a>, '
        '<a href="/id/org/openai.ttl">/id/org/openai.ttl</a></li></ul>'
        '<h2 id="operators">For operators</h2><ul>'
        '<li><a href="/healthz">/healthz</a>: whether this server can take queries now '
        '(readiness), <a href="/livez">/livez</a>: whether it runs (liveness)</li>'
        '<li><a href="/metrics">/metrics</a>: Prometheus metrics</li></ul>'
    )
