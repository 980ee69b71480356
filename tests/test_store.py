"""The store interface, run the same on the embedded store and on a real Oxigraph server."""

from __future__ import annotations

import csv
import gc
import io
import json
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from kg.errors import QueryError, QueryTimeout, ResultTooLarge
from kg.model.namespaces import ONTOLOGY_GRAPH, sparql_prefixes
from kg.store import engines
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import Store
from kg.store.remote import RemoteStore
from tests.plugins.stores import OxigraphServer
from tests.plugins.virtuoso import VirtuosoServer

P = sparql_prefixes()
ARTICLE = "https://w3id.org/aikg/graph/seemless-article"
OPENAI = ox.NamedNode("https://w3id.org/aikg/id/org/openai")
ORGS = P + "SELECT ?org ?label WHERE { ?org a org:FormalOrganization ; rdfs:label ?label }"
#: A join over every triple three times: billions of rows to count on the article graph.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def quad(s: str, o: str, g: str = "http://example.org/g") -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"http://example.org/{s}"),
        ox.NamedNode("http://example.org/p"),
        ox.Literal(o),
        ox.NamedNode(g),
    )


def test_a_fresh_store_is_empty(store: Store) -> None:
    assert store.is_empty()
    assert store.named_graphs() == []
    assert store.count() == 0


def test_seeding_loads_the_ontology_and_the_article_once(store: Store) -> None:
    assert ensure_seeded(store) is True
    graphs = store.named_graphs()
    assert str(ONTOLOGY_GRAPH) in graphs and ARTICLE in graphs
    count = store.count()
    assert count > 1000
    assert ensure_seeded(store) is False
    assert store.count() == count


def test_select_reads_the_union_of_the_named_graphs(article_store: Store) -> None:
    rows = article_store.select(ORGS)
    labels = {row["label"].value for row in rows}
    assert {"OpenAI", "Microsoft", "Google", "Amazon"} <= labels
    # Concept labels live in the ontology graph, organisations in the article graphs.
    rows = article_store.select(
        P + f"SELECT ?kind WHERE {{ <{OPENAI.value}> org:classification/skos:prefLabel ?kind }}"
    )
    assert [r["kind"] for r in rows] == [ox.Literal("AI lab", language="en")]


def test_unbound_variables_are_absent_from_rows(article_store: Store) -> None:
    rows = article_store.select(
        P + f"SELECT ?org ?none WHERE {{ BIND(<{OPENAI.value}> AS ?org) "
        "OPTIONAL { ?org kg:nothing ?none } }"
    )
    assert rows == [{"org": OPENAI}]


def test_a_dataset_named_by_the_caller_replaces_the_union(article_store: Store) -> None:
    raw = article_store.query_raw(
        P + "SELECT ?label WHERE { ?o a org:FormalOrganization ; rdfs:label ?label }",
        result_format="json",
        default_graph_uris=[str(ONTOLOGY_GRAPH)],
    )
    assert json.loads(b"".join(raw.chunks))["results"]["bindings"] == []
    raw = article_store.query_raw(
        P + "SELECT ?label WHERE { ?o a org:FormalOrganization ; rdfs:label ?label }",
        result_format="json",
        default_graph_uris=[ARTICLE],
    )
    labels = {b["label"]["value"] for b in json.loads(b"".join(raw.chunks))["results"]["bindings"]}
    assert "OpenAI" in labels and "Odaily" not in labels


def test_ask_and_construct(article_store: Store) -> None:
    assert article_store.ask(P + "ASK { ?o rdfs:label 'OpenAI' }")
    assert not article_store.ask(P + "ASK { ?o rdfs:label 'No such organisation' }")
    triples = article_store.construct(
        P + "CONSTRUCT { ?o rdfs:label ?l } WHERE { ?o a org:FormalOrganization ; rdfs:label ?l }"
    )
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ox.Triple(OPENAI, label, ox.Literal("OpenAI")) in triples


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_select_results_in_every_format(article_store: Store, fmt: str, media_type: str) -> None:
    raw = article_store.query_raw(ORGS + " ORDER BY ?label", result_format=fmt, timeout=10)
    body = b"".join(raw.chunks).decode()
    assert raw.media_type.startswith(media_type)
    if media_type.endswith("json"):
        labels = [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]
    elif media_type.endswith("xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        root = ElementTree.fromstring(body)
        labels = [
            b.findtext(f"{ns}literal") or ""
            for b in root.iter(f"{ns}binding")
            if b.get("name") == "label"
        ]
    elif media_type == "text/csv":
        labels = [row["label"] for row in csv.DictReader(io.StringIO(body))]
    else:
        labels = [line.split("\t")[1].strip('"') for line in body.splitlines()[1:]]
    assert "OpenAI" in labels and labels == sorted(labels)


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("ntriples", ox.RdfFormat.N_TRIPLES),
        ("rdfxml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_graph_results_in_every_format(
    article_store: Store, fmt: str, rdf_format: ox.RdfFormat
) -> None:
    query = P + "CONSTRUCT WHERE { ?o a org:FormalOrganization ; rdfs:label ?l }"
    raw = article_store.query_raw(query, result_format=fmt)
    assert raw.media_type == rdf_format.media_type
    parsed = {q.triple for q in ox.parse(b"".join(raw.chunks), rdf_format)}
    assert parsed == set(article_store.construct(query))


def test_a_format_that_does_not_fit_the_query_form_falls_back(article_store: Store) -> None:
    raw = article_store.query_raw(ORGS, result_format="text/turtle")
    assert raw.media_type == "application/sparql-results+json"
    raw = article_store.query_raw(P + "CONSTRUCT WHERE { ?s a ?o }", result_format="csv")
    assert raw.media_type == "text/turtle"


def test_ask_in_result_formats(article_store: Store) -> None:
    raw = article_store.query_raw("ASK { ?s ?p ?o }", result_format="json")
    assert json.loads(b"".join(raw.chunks)) == {"head": {}, "boolean": True}
    raw = article_store.query_raw("ASK { ?s ?p ?o }", result_format="xml")
    assert b"<boolean>true</boolean>" in b"".join(raw.chunks)


def test_bad_sparql_names_where(store: Store) -> None:
    with pytest.raises(QueryError) as caught:
        store.select("SELECT ?x WHERE { ?x ?p }")
    assert "1:" in caught.value.message  # the parser's line:column
    with pytest.raises(QueryError):
        store.select("SELEC ?x WHERE { ?x ?p ?o }", timeout=5)


def test_the_row_cap(article_store: Store) -> None:
    assert len(article_store.select(ORGS, max_results=100)) < 100
    with pytest.raises(ResultTooLarge):
        article_store.select("SELECT * WHERE { ?s ?p ?o }", max_results=10)
    with pytest.raises(ResultTooLarge):
        article_store.query_raw("SELECT * { ?s ?p ?o }", result_format="json", max_results=10)
    with pytest.raises(ResultTooLarge):
        article_store.construct("CONSTRUCT WHERE { ?s ?p ?o }", max_results=10, timeout=10)


def _children() -> set[int]:
    """This process's child processes (tasks may end while they are read)."""
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return pids


def _cpu(pids: set[int]) -> float:
    """CPU seconds used so far by the processes ``pids`` still running."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _settle(pids: set[int], within: float = 15.0) -> bool:
    """Whether the processes ``pids`` stop using CPU within ``within`` seconds (a query still
    evaluating would keep one busy; a worker starting up settles in a second or so)."""
    deadline = time.monotonic() + within
    before = _cpu(pids)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _cpu(pids)
        if now - before < 0.05:
            return True
        before = now
    return False


def test_the_time_limit_stops_the_query(article_store: Store) -> None:
    before = _children()
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        article_store.select(SLOW, timeout=1.0)
    assert time.monotonic() - started < 4
    # No evaluation left running in this machine's processes: the query workers (the one that
    # ran it is killed, its replacement starts) and any process started meanwhile go idle.
    workers = {p.pid for p in multiprocessing.active_children() if p.name == "kg-worker"}
    assert _settle({pid for pid in workers if pid is not None} | (_children() - before))
    # The store still answers afterwards.
    assert article_store.ask("ASK { ?s ?p ?o }", timeout=5)


def test_update_applies_all_or_nothing(store: Store) -> None:
    store.update(
        "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> "
        '<http://example.org/p> "1" } }'
    )
    assert store.count() == 1
    with pytest.raises(QueryError):
        store.update("INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/b> ")
    assert store.count() == 1


def test_add_quads_replaces_the_named_graphs(store: Store) -> None:
    assert store.add_quads([quad("a", "1"), quad("b", "2"), quad("c", "3", "http://x/h")]) == 3
    assert store.named_graphs() == ["http://example.org/g", "http://x/h"]
    store.add_quads([quad("d", "4")], replace_graphs=["http://example.org/g"])
    rows = store.select("SELECT ?s WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }")
    assert [r["s"].value for r in rows] == ["http://example.org/d"]
    assert store.count() == 2
    # Replacing two graphs at once.
    store.add_quads(
        [quad("e", "5"), quad("f", "6", "http://x/h")],
        replace_graphs=["http://example.org/g", "http://x/h"],
    )
    # (Virtuoso's union also holds its own graphs: docs/sparql.md, "SPARQL engines")
    example = 'FILTER(STRSTARTS(STR(?s), "http://example.org/"))'
    rows = store.select(f"SELECT ?s WHERE {{ ?s ?p ?o {example} }} ORDER BY ?s")
    assert [r["s"].value for r in rows] == ["http://example.org/e", "http://example.org/f"]


def test_dump_streams_in_chunks(store: Store) -> None:
    quads = [quad(f"s{i}", "x" * 100) for i in range(20_000)]
    store.add_quads(quads)
    chunks = list(store.dump(ox.RdfFormat.N_QUADS))
    assert len(chunks) > 1
    assert {*ox.parse(b"".join(chunks), ox.RdfFormat.N_QUADS)} == set(quads)


def test_dump_stops_when_the_reader_stops(store: Store) -> None:
    store.add_quads([quad(f"s{i}", "x" * 100) for i in range(20_000)])
    stream = store.dump(ox.RdfFormat.N_QUADS)
    first = next(iter(stream))
    assert first
    close = getattr(stream, "close", None)
    if close is not None:
        close()
    assert store.count() == 20_000


def test_the_union_of_the_named_graphs_is_the_same_on_every_engine(
    oxigraph_server: OxigraphServer, virtuoso_server: VirtuosoServer, tmp_path: Path
) -> None:
    """Oxigraph's union parameter, Virtuoso's union default graph, a listed dataset and the
    embedded store: the same answers to kg's questions."""
    stores = [
        open_store(str(tmp_path / "embedded")),
        open_store(oxigraph_server.url),
        open_store(virtuoso_server.url),
        RemoteStore(oxigraph_server.url, engine=engines.generic("graphs")),
    ]
    try:
        for s in stores[:3]:
            s.update("DROP ALL")
            ensure_seeded(s)
        by_graph = P + (
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/aikg/")) } GROUP BY ?g'
        )
        kg_terms = P + "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(kg:))) }"
        for query in (ORGS, by_graph, kg_terms):
            answers = [_sorted(s.select(query)) for s in stores]
            assert all(a == answers[0] for a in answers), query
        assert {r["label"].value for r in stores[3].select(ORGS)} >= {"OpenAI", "Microsoft"}
        assert [s.count() for s in stores] == [stores[0].count()] * 4
        assert [s.named_graphs() for s in stores] == [stores[0].named_graphs()] * 4
    finally:
        for s in stores:
            s.close()


def _sorted(rows: list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]) -> list[str]:
    return sorted(str(sorted((k, str(v)) for k, v in row.items())) for row in rows)


def test_a_directory_in_use_is_refused_until_closed(tmp_path: Path) -> None:
    from kg.errors import StoreUnavailable
    from kg.store.opening import open_store

    first = open_store(str(tmp_path / "store"))
    with pytest.raises(StoreUnavailable) as caught:
        open_store(str(tmp_path / "store"))
    assert "another kg process" in caught.value.message
    first.close()
    second = open_store(str(tmp_path / "store"))
    assert second.is_empty()
    second.close()


def test_a_plain_pyoxigraph_directory_is_used_as_it_is(tmp_path: Path) -> None:
    from kg.store.opening import open_store

    plain = ox.Store(str(tmp_path))
    plain.add(quad("a", "1"))
    del plain
    store = open_store(str(tmp_path))
    try:
        assert store.count() == 1
        assert getattr(store, "generation", "?") is None
    finally:
        store.close()


def test_a_query_naming_its_own_dataset_reads_only_that(article_store: Store) -> None:
    everything = article_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    ontology = article_store.select(
        f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    )
    graphs = article_store.select(
        f"SELECT DISTINCT ?g FROM NAMED <{ARTICLE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    )
    assert 0 < int(ontology[0]["n"].value) < int(everything[0]["n"].value)
    assert [r["g"].value for r in graphs] == [ARTICLE]


#: Reads that fail on the worker thread while pyoxigraph's result is being read: past the row
#: cap, and with an error raised inside the iteration (a SERVICE that cannot be called, wrapped
#: in a QueryError whose cause keeps the reading frame).
FAILING_READS = [
    ("SELECT * WHERE { ?s ?p ?o }", ResultTooLarge),
    ("SELECT * WHERE { ?s ?p ?o SERVICE <urn:nowhere> { ?a ?b ?c } }", QueryError),
]


@pytest.mark.parametrize("method", ["select", "evaluate"])
@pytest.mark.parametrize(("query", "error"), FAILING_READS, ids=["too-many-rows", "fails-inside"])
def test_a_read_that_fails_on_a_worker_thread_frees_its_result_there(
    tmp_path: Path, method: str, query: str, error: type[Exception]
) -> None:
    """pyoxigraph's results may be freed only on the thread that made them: a read that fails
    on a worker thread must not hand its result to the thread that handles the error, nor to
    the cycle collector running on any thread (pytest turns the "unsendable" error of a result
    freed elsewhere into a failure)."""
    store = open_store(str(tmp_path / "store"))
    try:
        ensure_seeded(store)
        read = getattr(store, method)
        with ThreadPoolExecutor(1) as pool:
            for _ in range(3):
                future = pool.submit(read, query, max_results=1)
                with pytest.raises(error):
                    future.result()
                del future
                gc.collect()
    finally:
        store.close()


@pytest.mark.parametrize("method", ["select", "evaluate"])
def test_a_remote_read_that_fails_on_a_worker_thread_frees_its_result_there(
    article_store: Store, method: str
) -> None:
    """The same over a SPARQL server: the parsed answer is freed on the thread that read it."""
    read = getattr(article_store, method)
    with ThreadPoolExecutor(1) as pool:
        for _ in range(3):
            future = pool.submit(read, "SELECT * WHERE { ?s ?p ?o }", max_results=1)
            with pytest.raises(ResultTooLarge):
                future.result()
            del future
            gc.collect()
