"""/sparql in-process (Starlette AppClient), over both stores (``article_store``)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.http import guard
from kg.http.app import create_app
from kg.model import paths, rdf
from kg.model.namespaces import ONTOLOGY_GRAPH
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.listener import Listener

TOKEN = "test-token-0123456789"
ORG_LABELS = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?org ?label WHERE { ?org a org:FormalOrganization ; rdfs:label ?label } ORDER BY ?org
"""
ORG_GRAPH = """
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?org rdfs:label ?label } WHERE { ?org a org:FormalOrganization ; rdfs:label ?label }
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def reference() -> ox.Store:
    """The shipped files loaded straight into pyoxigraph: what the endpoint must agree with."""
    ref = ox.Store()
    onto = ox.NamedNode(str(ONTOLOGY_GRAPH))
    ref.extend(
        ox.Quad(q.subject, q.predicate, q.object, onto) for q in rdf.parse_file(paths.ONTOLOGY)
    )
    ref.extend(rdf.parse_file(paths.ARTICLE_GRAPH))
    return ref


def expected_rows(reference: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = reference.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) for n in names) for s in result]


def rows_of(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[str, ...]]:
    result = ox.parse_query_results(body, fmt)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(str(s[n]) for n in names) for s in result]


def client_for(store: Store, **settings: object) -> AppClient:
    return AppClient(create_app(Settings(**settings), store=store))  # type: ignore[arg-type]


@pytest.fixture
def client(article_store: Store) -> Iterator[AppClient]:
    with client_for(article_store, write_token=TOKEN) as c:
        yield c


def quad_count(client: AppClient) -> int:
    r = client.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_select_by_get_form_and_direct_post(
    client: AppClient, reference: ox.Store, how: str
) -> None:
    if how == "get":
        r = client.get("/sparql", params={"query": ORG_LABELS})
    elif how == "form":
        r = client.post("/sparql", data={"query": ORG_LABELS})
    else:
        r = client.post(
            "/sparql", content=ORG_LABELS, headers={"Content-Type": "application/sparql-query"}
        )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    rows = rows_of(r.content, ox.QueryResultsFormat.JSON)
    assert rows == expected_rows(reference, ORG_LABELS)
    assert '"OpenAI"' in {label for _, label in rows}


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", ox.QueryResultsFormat.CSV),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("text/html;q=0.9, application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_result_formats_by_accept(
    client: AppClient, reference: ox.Store, accept: str, fmt: ox.QueryResultsFormat
) -> None:
    r = client.get("/sparql", params={"query": ORG_LABELS}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == fmt.media_type.split(";")[0]
    want = expected_rows(reference, ORG_LABELS)
    if fmt == ox.QueryResultsFormat.CSV:  # CSV keeps only the values, not the term kinds
        lines = list(csv.reader(io.StringIO(r.text)))
        plain = reference.query(ORG_LABELS, use_default_graph_as_union=True)
        assert isinstance(plain, ox.QuerySolutions)
        assert lines[0] == ["org", "label"]
        assert lines[1:] == [[s["org"].value, s["label"].value] for s in plain]  # type: ignore[union-attr]
    else:
        assert rows_of(r.content, fmt) == want


def test_ask(client: AppClient) -> None:
    yes = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ASK { ?o rdfs:label 'OpenAI' }"
    no = (
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> ASK { ?o rdfs:label 'Nobody at all' }"
    )
    assert client.get("/sparql", params={"query": yes}).json()["boolean"] is True
    assert client.get("/sparql", params={"query": no}).json()["boolean"] is False
    r = client.get(
        "/sparql", params={"query": yes}, headers={"Accept": "application/sparql-results+xml"}
    )
    assert isinstance(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML), ox.QueryBoolean)
    assert bool(ox.parse_query_results(r.content, ox.QueryResultsFormat.XML))


@pytest.mark.parametrize(
    "fmt", [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD]
)
def test_construct_in_each_graph_format(
    client: AppClient, reference: ox.Store, fmt: ox.RdfFormat
) -> None:
    r = client.get("/sparql", params={"query": ORG_GRAPH}, headers={"Accept": fmt.media_type})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    got = {q.triple for q in ox.parse(r.content, fmt)}
    want = set(reference.query(ORG_GRAPH, use_default_graph_as_union=True))  # type: ignore[arg-type]
    assert got == want and len(got) > 5


def test_graph_for_a_client_that_only_takes_xml_is_rdf_xml(client: AppClient) -> None:
    accept = {"Accept": "application/sparql-results+xml"}
    r = client.get("/sparql", params={"query": ORG_GRAPH}, headers=accept)
    assert r.headers["content-type"].startswith("application/rdf+xml")
    assert len(list(ox.parse(r.content, ox.RdfFormat.RDF_XML))) > 5


def test_describe_returns_the_node(client: AppClient) -> None:
    q = "DESCRIBE <https://w3id.org/aikg/id/org/openai>"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    triples = list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES))
    openai = ox.NamedNode("https://w3id.org/aikg/id/org/openai")
    # What DESCRIBE returns is the engine's choice (SPARQL 1.1 section 16.4): Oxigraph gives the
    # node's own statements, Virtuoso those naming it as object too. Both describe the node.
    assert any(t.subject == openai for t in triples)
    assert all(openai in (t.subject, t.object) for t in triples)


def test_format_parameter_overrides_accept(client: AppClient) -> None:
    r = client.get("/sparql", params={"query": ORG_LABELS, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    # A format that cannot hold the answer is left to Accept (clients send several).
    r = client.get(
        "/sparql",
        params={"query": ORG_GRAPH, "format": ["csv", "nonsense"]},
        headers={"Accept": "application/n-triples"},
    )
    assert r.status_code == 200 and r.headers["content-type"] == "application/n-triples"


def test_dataset_parameters_choose_the_graphs(client: AppClient, reference: ox.Store) -> None:
    onto = str(ONTOLOGY_GRAPH)
    in_ontology = client.get(
        "/sparql", params={"query": ORG_LABELS, "default-graph-uri": onto}
    ).json()
    assert in_ontology["results"]["bindings"] == []  # no organisations in the ontology graph
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    named = client.get("/sparql", params={"query": q, "named-graph-uri": onto}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [onto]


def test_service_description(client: AppClient, article_store: Store) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    sd = ox.Store()
    sd.load(r.content, ox.RdfFormat.TURTLE)
    ns = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = ox.NamedNode("http://testserver/sparql")
    assert ox.Quad(endpoint, ox.NamedNode(ns + "endpoint"), endpoint) in sd
    union = ox.NamedNode(ns + "UnionDefaultGraph")
    assert ox.Quad(endpoint, ox.NamedNode(ns + "feature"), union) in sd
    names = {
        str(t.object.value) for t in sd.quads_for_pattern(None, ox.NamedNode(ns + "name"), None)
    }
    assert names == set(article_store.named_graphs())
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(r.content, ox.RdfFormat.JSON_LD))) == len(sd)


def test_cors_lets_browser_tools_query(client: AppClient) -> None:
    r = client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"}
    )
    assert r.headers["access-control-allow-origin"] == "*"
    pre = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


# --- bad input -------------------------------------------------------------------------------


def test_malformed_query_gets_400_with_the_parser_message(
    client: AppClient, request: pytest.FixtureRequest
) -> None:
    before = quad_count(client)
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "query_error"
    if "virtuoso" in request.node.callspec.id:  # Virtuoso's parser words its message its own way
        assert "syntax error" in error["message"].lower() or "SP030" in error["message"]
    else:  # Oxigraph's parser says where and what it expected.
        assert "error at 1:26: expected" in error["message"]
    assert quad_count(client) == before


def test_update_needs_the_write_token(client: AppClient) -> None:
    before = quad_count(client)
    update = "INSERT DATA { GRAPH <urn:test:g> { <urn:test:s> <urn:test:p> 'x' } }"
    r = client.post("/sparql", data={"update": update})
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["error"]["code"] == "unauthorized"
    wrong = client.post(
        "/sparql",
        content=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 401 and "nope" not in wrong.text and TOKEN not in wrong.text
    assert quad_count(client) == before
    ok = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert ok.status_code == 204
    assert quad_count(client) == before + 1


def test_without_a_configured_token_writes_are_disabled(article_store: Store) -> None:
    with client_for(article_store) as c:
        before = quad_count(c)
        r = c.post(
            "/sparql",
            data={"update": "CLEAR ALL"},
            headers={"Authorization": "Bearer anything"},
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "writes_disabled"
        assert quad_count(c) == before


def test_an_update_sent_as_a_query_is_refused(client: AppClient) -> None:
    before = quad_count(client)
    r = client.post("/sparql", data={"query": "CLEAR ALL"})
    assert r.status_code == 400 and "update" in r.json()["error"]["message"]
    assert quad_count(client) == before


def test_update_by_get_is_refused(client: AppClient) -> None:
    r = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert r.status_code == 400 and "POST" in r.json()["error"]["message"]


def test_service_and_load_are_refused_without_any_outgoing_request(
    client: AppClient, listener: Listener
) -> None:
    before = quad_count(client)
    target = f"http://127.0.0.1:{listener.port}"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { ?a ?b ?c OPTIONAL { { SELECT * WHERE { "
        f"SERVICE SILENT <{target}/s> {{ ?s ?p ?o }} }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{target}/s> {{ ?s ?p ?o }} }} }}",
    ]
    for q in queries:
        r = client.get("/sparql", params={"query": q})
        assert r.status_code == 400 and "SERVICE" in r.json()["error"]["message"], q
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for u in [
        f"LOAD <{target}/x.ttl>",
        f"LOAD SILENT <{target}/x.ttl> INTO GRAPH <urn:test:g>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}/s> {{ ?s ?p ?o }} }}",
    ]:
        r = client.post("/sparql", data={"update": u}, headers=auth)
        assert r.status_code == 400, u
        assert "outgoing" in r.json()["error"]["message"]
    listener.close()
    assert listener.connections == 0
    assert quad_count(client) == before


def test_a_query_over_the_time_limit_is_stopped(article_store: Store) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with client_for(article_store, query_timeout=1.0) as c:
        started = time.monotonic()
        r = c.get("/sparql", params={"query": slow})
        took = time.monotonic() - started
        assert r.status_code == 503 and r.json()["error"]["code"] == "query_timeout"
        assert took < 5
        started = time.monotonic()
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        assert time.monotonic() - started < 2


def test_a_result_over_the_row_cap_is_refused(article_store: Store) -> None:
    with client_for(article_store, max_results=5) as c:
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 413 and r.json()["error"]["code"] == "result_too_large"
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
        assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 5


def test_an_oversized_body_gets_413(article_store: Store) -> None:
    with client_for(article_store, max_body=2000, write_token=TOKEN) as c:
        before = quad_count(c)
        big = "INSERT DATA { GRAPH <urn:test:g> { <urn:s> <urn:p> '" + "x" * 5000 + "' } }"
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        r = c.post("/sparql", content=big, headers=auth)
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

        def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for i in range(0, len(big), 1000):
                yield big[i : i + 1000].encode()

        r = c.post("/sparql", content=chunked(), headers=auth)
        assert r.status_code == 413
        assert quad_count(c) == before


# --- the guard on its own --------------------------------------------------------------------


def test_guard_tells_the_form_and_ignores_keywords_in_strings_and_iris() -> None:
    assert guard.inspect_query("CONSTRUCT WHERE { ?s ?p ?o }").form == "CONSTRUCT"
    assert guard.inspect_query("SELECT * { ?s ?p 'SERVICE <http://x/>' }").form == "SELECT"
    assert guard.inspect_query("ASK { <http://x/SERVICE> ?p ?o }").form == "ASK"


def test_guard_refuses_syntax_outside_its_grammar_instead_of_guessing() -> None:
    # A triple term (RDF 1.2) is outside SPARQL 1.1: the guard cannot judge it, so it refuses.
    for text in [
        "SELECT * { << ?s ?p ?o >> ?q ?r . SERVICE <http://127.0.0.1:1/> {} }",
        "SELECT * { << ?s ?p ?o >> ?q 'SERVICE' }",
    ]:
        with pytest.raises(QueryError, match=r"outside SPARQL 1\.1"):
            guard.inspect_query(text)


def test_the_readme_sparql_example_shows_its_real_output(client: AppClient) -> None:
    readme = (paths.ONTOLOGY_DIR.parent / "README.md").read_text()
    section = readme.split("## A first SPARQL query\n", 1)[1]
    query = section.split("```sparql\n", 1)[1].split("```", 1)[0]
    shown = section.split("```csv\n", 1)[1].split("```", 1)[0]
    r = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert r.status_code == 200
    assert r.text.replace("\r\n", "\n") == shown


def test_guard_parses_long_texts_within_its_limits() -> None:
    values = " ".join(f"<urn:v:{i}>" for i in range(3000))
    long_query = f"SELECT * WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}"
    assert 20_000 < len(long_query) < guard.MAX_QUERY_LENGTH
    roomy = guard.Limits(parse_timeout=30.0)  # about a second on an idle machine
    assert guard.inspect_query(long_query, roomy).form == "SELECT"
    # Refused either way: SERVICE seen, or (rdflib backtracks over the VALUES) not judged in time.
    with pytest.raises(QueryError, match=r"SERVICE|could not be checked"):
        guard.inspect_query(long_query.replace("?s ?p ?o", "SERVICE <http://127.0.0.1:1/> {}"))
    with pytest.raises(QueryError, match="LOAD"):
        guard.inspect_update(
            f"INSERT DATA {{ <urn:a> <urn:b> 'x' }} ; LOAD <urn:x> # {values}", roomy
        )
    with pytest.raises(QueryError, match=r"the limit is 1,000 \(setting max_query_length"):
        guard.inspect_query(long_query, guard.Limits(max_length=1000))
