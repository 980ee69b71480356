"""The read side of the W3C Graph Store Protocol tests (``tests/w3c/graph-store-protocol``, from
w3c/rdf-tests, indirect graph identification), run against ``GET``/``HEAD`` of ``/store`` and
``/export`` over the embedded store and each remote engine.

kg's Graph Store Protocol endpoint is read-only, so the writes a test makes first (``PUT``,
``POST``, ``DELETE``) are made on the store directly, with the same meaning; each ``GET`` and
``HEAD`` then goes to kg and must answer what the suite expects: the status, the media type and
a graph isomorphic to the expected one. Not applicable, and so not run: ``post_get_new_graph``
(the server mints a new graph's IRI on ``POST``), and on an engine whose default graph is the
union of the named graphs (Virtuoso) ``put_get_default`` (it has no default graph of its own).
"""

from __future__ import annotations

import email
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import open_store
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.stores import STORE_KINDS, empty

SUITE = Path(__file__).parent / "w3c" / "graph-store-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
NOT_APPLICABLE = {"post_get_new_graph"}


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: set[int]
    media_type: str | None
    expected: str | None


def _headers(manifest: Graph, node: object) -> dict[str, str]:
    listed = manifest.value(node, HT.headers)  # type: ignore[arg-type]
    if listed is None:
        return {}
    return {
        str(manifest.value(h, HT.fieldName)).lower(): str(manifest.value(h, HT.fieldValue))
        for h in Collection(manifest, listed)
    }


def load_suite() -> dict[str, list[Request]]:
    manifest = Graph().parse(SUITE / "manifest-indirect.ttl")
    (root,) = manifest.subjects(RDF.type, MF.Manifest)
    cases: dict[str, list[Request]] = {}
    for entry in Collection(manifest, manifest.value(root, MF.entries)):
        assert isinstance(entry, URIRef)
        steps = []
        action = manifest.value(entry, MF.action)
        for req in Collection(manifest, manifest.value(action, HT.requests)):
            resp = manifest.value(req, HT.resp)
            body = manifest.value(req, HT.body)
            expected = manifest.value(resp, HT.body)
            media = _headers(manifest, resp).get("content-type")
            steps.append(
                Request(
                    method=str(manifest.value(req, HT.methodName)),
                    path=str(manifest.value(req, HT.absolutePath)),
                    headers=_headers(manifest, req),
                    body=None if body is None else str(manifest.value(body, CNT.chars)),
                    statuses={
                        STATUS[str(s).rsplit("#", 1)[-1]]
                        for s in manifest.objects(resp, MF.expectedStatus)
                    },
                    media_type=None if media is None else media.split(";")[0].strip(),
                    expected=None if expected is None else str(manifest.value(expected, CNT.chars)),
                )
            )
        cases[str(entry).rsplit("#", 1)[-1]] = steps
    return cases


CASES = load_suite()


def test_the_copy_of_the_suite_is_whole() -> None:
    assert len(CASES) == 9 and (SUITE / "LICENSE.md").is_file()


@pytest.fixture(scope="module", params=STORE_KINDS)
def gsp_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[AppClient, Store, str]]:
    kind = request.param
    if kind == "embedded":
        store = open_store(str(tmp_path_factory.mktemp("gsp") / "store"))
    else:
        store = open_store(request.getfixturevalue(f"{kind}_server").url)
    yield AppClient(create_app(Settings(load_article=False), store=store)), store, kind
    if kind != "embedded":
        empty(store.url)  # type: ignore[attr-defined]
    store.close()


def _triples(text: str, content_type: str) -> list[ox.Triple]:
    """The triples of a Turtle body, or of each Turtle part of a multipart/form-data body."""
    if not content_type.startswith("multipart/"):
        return list(ox.parse(text.encode(), ox.RdfFormat.TURTLE))
    message = email.message_from_string(f"Content-Type: {content_type}\r\n\r\n{text}")
    out: list[ox.Triple] = []
    for part in message.get_payload():  # type: ignore[union-attr]
        payload = part.get_payload(decode=True)  # type: ignore[union-attr]
        out += ox.parse(payload, ox.RdfFormat.TURTLE)
    return out


def write_on_the_store(store: Store, step: Request) -> None:
    """What the suite's PUT, POST or DELETE means, done on the store."""
    params = parse_qs(urlsplit(step.path).query, keep_blank_values=True)
    graph: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(params["graph"][0]) if "graph" in params else ox.DefaultGraph()
    )
    name = graph.value if isinstance(graph, ox.NamedNode) else None
    if step.method == "DELETE":
        store.update(f"DROP SILENT GRAPH <{name}>" if name else "DROP SILENT DEFAULT")
        return
    triples = _triples(step.body or "", step.headers.get("content-type", "text/turtle"))
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    replace = [name] if step.method == "PUT" and name else []
    if step.method == "PUT" and name is None:
        store.update("DROP SILENT DEFAULT")
    store.add_quads(quads, replace_graphs=replace)


@pytest.mark.parametrize("prefix", ["/store", "/export"])
@pytest.mark.parametrize("name", sorted(set(CASES) - NOT_APPLICABLE))
def test_graph_store_read(name: str, prefix: str, gsp_app: tuple[AppClient, Store, str]) -> None:
    client, store, kind = gsp_app
    if name == "put_get_default" and kind == "virtuoso":
        pytest.skip("Virtuoso has no default graph of its own (see the module docstring)")
    store.update("DROP ALL")
    for number, step in enumerate(CASES[name], 1):
        if step.method not in ("GET", "HEAD"):
            write_on_the_store(store, step)
            continue
        path = prefix + step.path.removeprefix("/gsp")
        response = client.request(step.method, path, headers=step.headers)
        where = f"{name}, request {number} ({step.method} {path})"
        assert response.status_code in step.statuses, (where, response.status_code, response.text)
        if step.media_type is not None:
            media = response.headers.get("content-type", "").split(";")[0].strip()
            assert media == step.media_type, where
        if step.expected is not None and step.method == "GET":
            got = Graph().parse(data=response.text, format="turtle")
            want = Graph().parse(data=step.expected, format="turtle")
            assert isomorphic(got, want), (where, response.text)
