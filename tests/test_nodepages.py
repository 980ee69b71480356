"""Every node dereferences: an HTML page for browsers, RDF by content negotiation or suffix,
404 in the common error shape for a node the graph does not mention; the ontology likewise."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import unquote

import httpx
import pytest
import rdflib
from rdflib import RDFS, Literal, URIRef

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.graphql_client import Client

ID = "https://w3id.org/aikg/id/"
KG = "https://w3id.org/aikg/def#"
OPENAI = URIRef(f"{ID}org/openai")
PARTNERSHIPS = f"{ID}unit/openai-commercial-partnerships"
INFRASTRUCTURE = f"{ID}unit/openai-infrastructure"
FORMATS = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", "json-ld"),
    "application/n-triples": ("nt", "nt"),
    "application/rdf+xml": ("rdf", "xml"),
}


class Anchors(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]


def get(store: Store, path: str, accept: str | None = None) -> httpx.Response:
    headers = {"accept": accept} if accept else {}
    with AppClient(create_app(Settings(load_article=False), store=store)) as http:
        return http.get(path, headers=headers)


def graph_of(response: httpx.Response, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=response.content, format=fmt, publicID=str(response.url))


def test_a_browser_gets_the_facts_with_their_sources(article_store: Store) -> None:
    response = get(article_store, "/id/unit/openai-commercial-partnerships", "text/html,*/*;q=0.8")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    page = response.text
    assert "<h1>Commercial Partnerships</h1>" in page
    # A fact, the source stating it, and the source's sentence.
    assert "Securing advanced hardware" in page
    assert "Stated in" in page and "Seemless" in page
    assert "negotiating terms that safeguard OpenAI&#x27;s intellectual property" in page
    assert "The source's own words." in page
    hrefs = Anchors(page).hrefs
    assert "/id/unit/openai-infrastructure" in hrefs  # related nodes: the team it is part of
    assert "/orgchart/org/openai" in hrefs  # the chart of the organisation the team is in
    playground = next(h for h in hrefs if h.startswith("/graphql#query="))
    assert 'node(id: "unit/openai-commercial-partnerships")' in unquote(playground)
    assert "/id/unit/openai-commercial-partnerships.ttl" in hrefs


def test_hedges_and_attribution_are_shown_with_the_fact(article_store: Store) -> None:
    rows = article_store.select(
        f"SELECT ?node ?label WHERE {{ ?c <{KG}about> ?node ; <{KG}attribution> ?a . "
        "?a <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 1"
    )
    assert rows, "the shipped graph has facts resting on attributed sources"
    node, label = rows[0]["node"].value, rows[0]["label"].value
    page = get(article_store, "/id/" + node.removeprefix(ID)).text
    facts = page[page.index("<h2>Facts</h2>") : page.index("<h2>Sources</h2>")]
    assert f"attribution: {label}" in facts


@pytest.mark.parametrize("media", FORMATS)
def test_rdf_by_content_negotiation_and_by_suffix(article_store: Store, media: str) -> None:
    suffix, fmt = FORMATS[media]
    negotiated = get(article_store, "/id/org/openai", media)
    by_suffix = get(article_store, f"/id/org/openai.{suffix}")

    for response in (negotiated, by_suffix):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media)
    assert negotiated.headers["content-location"] == f"/id/org/openai.{suffix}"
    graph = graph_of(negotiated, fmt)
    assert (OPENAI, RDFS.label, Literal("OpenAI")) in graph
    # What points at the node and who says so travel with it.
    assert (URIRef(INFRASTRUCTURE), URIRef("http://www.w3.org/ns/org#unitOf"), OPENAI) in graph
    assert any(graph.triples((None, URIRef(f"{KG}about"), OPENAI)))
    assert set(graph) == set(graph_of(by_suffix, fmt))


def test_an_unknown_node_is_404_in_the_common_error_shape(article_store: Store) -> None:
    for accept in ("text/html", "text/turtle"):
        response = get(article_store, "/id/org/no-such-organisation", accept)
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["code"] == "not_found"
        assert "org/no-such-organisation" in error["message"]


def test_the_ontology_dereferences(article_store: Store) -> None:
    page = get(article_store, "/def", "text/html").text
    assert 'id="Citation"' in page and 'id="attribution"' in page
    turtle = get(article_store, "/def", "text/turtle")
    assert turtle.headers["content-type"].startswith("text/turtle")
    ontology = graph_of(turtle, "turtle")
    assert (URIRef(f"{KG}Citation"), RDFS.label, None) in ontology
    assert len(graph_of(get(article_store, "/def.nt"), "nt")) == len(ontology)

    term = get(article_store, "/def/Citation", "text/html").text
    assert "<h1>Citation</h1>" in term
    as_data = graph_of(get(article_store, "/def/Citation.ttl"), "turtle")
    assert (URIRef(f"{KG}Citation"), RDFS.label, None) in as_data
    assert get(article_store, "/def/NoSuchTerm").status_code == 404


HOSTILE = "<script>alert('x')</script>\"' & </td><img src=x onerror=alert(1)>"


def test_every_value_is_escaped(client: Client) -> None:
    created = client.write(
        "mutation($source: ID!, $input: OrganisationInput!, $citation: CitationInput) {"
        " result: createOrganisation(source: $source, input: $input, citation: $citation) {"
        " __typename ... on WriteSuccess { id } } }",
        source="source/seemless-article",
        input={"label": f"Evil {HOSTILE}", "kinds": ["AI_LAB"], "description": HOSTILE},
        citation={"quote": f"Quoted {HOSTILE}", "verbatim": False},
    )
    assert created["__typename"] == "WriteSuccess", created
    page = get(client.store, "/id/" + created["id"].removeprefix(ID)).text

    assert "<script>alert" not in page and "<img src=x" not in page and "</td><img" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&#x27; &amp;" in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # name, description, quote
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None  # no inline script at all


def test_a_linked_data_client_dereferences_a_node_over_http(kg_server: str) -> None:
    graph = rdflib.Graph().parse(f"{kg_server}/id/org/openai")
    assert (OPENAI, RDFS.label, Literal("OpenAI")) in graph
    assert (URIRef(INFRASTRUCTURE), URIRef("http://www.w3.org/ns/org#unitOf"), OPENAI) in graph
    for media, (_, fmt) in FORMATS.items():
        typed = rdflib.Graph().parse(f"{kg_server}/id/org/openai", format=fmt)
        assert set(typed) == set(graph), media


def test_a_graph_iri_leads_to_its_export(article_store: Store) -> None:
    with AppClient(create_app(Settings(load_article=False), store=article_store)) as http:
        moved = http.get("/graph/seemless-article")
        assert moved.status_code == 303
        graph = http.get(moved.headers["location"], headers={"accept": "text/turtle"})
    assert graph.status_code == 200
    assert (OPENAI, RDFS.label, Literal("OpenAI")) in graph_of(graph, "turtle")


def test_a_node_whose_iri_is_not_ascii(article_store: Store) -> None:
    iri = f"{ID}org/zürich-☁"
    article_store.update(
        f"INSERT DATA {{ GRAPH <https://w3id.org/aikg/graph/test> {{ <{iri}> "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Zürich ☁" }} }}'
    )
    page = get(article_store, "/id/org/z%C3%BCrich-%E2%98%81")
    assert page.status_code == 200 and "<h1>Zürich ☁</h1>" in page.text
    assert "/id/org/z%C3%BCrich-%E2%98%81.ttl" in page.headers["link"]
    turtle = get(article_store, "/id/org/z%C3%BCrich-%E2%98%81", "text/turtle")
    assert (URIRef(iri), RDFS.label, Literal("Zürich ☁")) in graph_of(turtle, "turtle")
