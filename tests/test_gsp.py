"""/export, the Graph Store Protocol read side, /ontology, /shapes and /healthz, in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from kg.http.app import create_app
from kg.model import paths, rdf
from kg.model.namespaces import ONTOLOGY_GRAPH
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.stores import as_virtuoso_keeps

SOURCE_GRAPH = "https://w3id.org/aikg/graph/ciol-katti"


@pytest.fixture(scope="module")
def shipped() -> list[ox.Quad]:
    onto = ox.NamedNode(str(ONTOLOGY_GRAPH))
    return [
        *(ox.Quad(q.subject, q.predicate, q.object, onto) for q in rdf.parse_file(paths.ONTOLOGY)),
        *rdf.parse_file(paths.ARTICLE_GRAPH),
    ]


@pytest.fixture
def client(article_store: Store) -> Iterator[AppClient]:
    yield AppClient(create_app(Settings(), store=article_store))


def ground(quads: list[ox.Quad]) -> set[ox.Quad]:
    """The quads without blank nodes (blank node labels differ between serializations)."""
    return {
        q
        for q in quads
        if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
    }


@pytest.mark.parametrize(
    ("fmt", "accept"),
    [
        (ox.RdfFormat.TRIG, None),
        (ox.RdfFormat.N_QUADS, "application/n-quads"),
        (ox.RdfFormat.JSON_LD, "application/ld+json"),
    ],
)
def test_whole_dataset(
    client: AppClient,
    shipped: list[ox.Quad],
    store_kind: str,
    fmt: ox.RdfFormat,
    accept: str | None,
) -> None:
    r = client.get("/export", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"].startswith(fmt.media_type)
    quads = list(ox.parse(r.content, fmt))
    want = as_virtuoso_keeps(shipped) if store_kind == "virtuoso" else shipped
    assert len(quads) == len(set(want))
    assert ground(quads) == ground(want)


@pytest.mark.parametrize(
    "fmt",
    [ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD],
)
def test_one_graph_by_format_parameter(
    client: AppClient, shipped: list[ox.Quad], fmt: ox.RdfFormat
) -> None:
    r = client.get("/export", params={"graph": SOURCE_GRAPH, "format": fmt.file_extension})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(fmt.media_type)
    got = {q.triple for q in ox.parse(r.content, fmt)}
    want = {q.triple for q in shipped if q.graph_name == ox.NamedNode(SOURCE_GRAPH)}
    assert got == want and want


def test_graph_store_protocol_path_and_default_graph(client: AppClient) -> None:
    r = client.get("/store", params={"graph": str(ONTOLOGY_GRAPH)})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert len(list(ox.parse(r.content, ox.RdfFormat.TURTLE))) > 100
    r = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert r.status_code == 200  # kg writes every triple into a named graph
    assert list(ox.parse(r.content, ox.RdfFormat.N_TRIPLES)) == []


def test_gzip_when_asked(client: AppClient, shipped: list[ox.Quad]) -> None:
    r = client.get("/export?format=nquads", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    # httpx undoes the gzip coding; the body is the whole dataset.
    assert len(list(ox.parse(r.content, ox.RdfFormat.N_QUADS))) == len(set(shipped))
    plain = client.get("/export?format=nquads", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize("name", ["json", "jsonld", "ttl", "nt", "nq", "xml", "n-quads", "trig"])
def test_export_takes_every_format_name_kg_export_takes(
    client: AppClient, shipped: list[ox.Quad], store_kind: str, name: str
) -> None:
    expected = rdf.format_named(name)  # the table `kg export --format` reads
    r = client.get("/export", params={"format": name})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected.media_type
    triples = {q.triple for q in ground(list(ox.parse(r.content, expected)))}
    want = as_virtuoso_keeps(shipped) if store_kind == "virtuoso" else shipped
    assert triples == {q.triple for q in ground(want)}


def test_unknown_graph_and_format(client: AppClient) -> None:
    r = client.get("/export", params={"graph": "https://w3id.org/aikg/graph/none"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/export", params={"format": "docx"})
    assert r.status_code == 400 and "unknown export format" in r.json()["error"]["message"]


def test_ontology_shapes_and_health(client: AppClient) -> None:
    for route, path in (("/ontology", paths.ONTOLOGY), ("/shapes", paths.SHAPES)):
        r = client.get(route)
        assert r.status_code == 200 and r.content == path.read_bytes()
    assert client.get("/healthz").json() == {"status": "ok", "store": "answering"}
