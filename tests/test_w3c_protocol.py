"""The W3C SPARQL 1.1 Protocol test suite (``tests/w3c/protocol``, from w3c/rdf-tests), run
against ``/sparql`` over the embedded store and over each remote engine: 34 of 34.

Each test is a list of HTTP requests with what the answer must be: a status class, a result
format (boolean, tabular, RDF) and for ASK its value. Its ``ut:graphData`` is loaded first into
an emptied store, each file as the named graph of its label. kg asks for the write token on
updates, so every request carries it (the suite does not speak of authentication).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import open_store
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.stores import STORE_KINDS, empty

SUITE = Path(__file__).parent / "w3c" / "protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "w3c-protocol-token"
BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/"

FORMATS = {
    "boolean": ("application/sparql-results+json", "application/sparql-results+xml"),
    "tabular": (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ),
    "RDF": ("application/rdf+xml", "text/turtle", "application/n-triples"),
}


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    boolean: bool | None
    result_format: str | None


@dataclass
class Case:
    name: str
    title: str
    graphs: dict[str, Path] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)


def _status_classes(manifest: Graph, response: Node) -> set[int]:
    classes = set()
    for status in manifest.objects(response, MF.expectedStatus):
        digit = str(status).removeprefix(str(HTS)).removeprefix("StatusCode")[0]
        classes.add(int(digit))
    return classes


def load_suite() -> list[Case]:
    manifest = Graph().parse(SUITE / "manifest.ttl", publicID=BASE + "manifest.ttl")
    (root,) = manifest.subjects(RDF.type, MF.Manifest)
    entries = Collection(manifest, manifest.value(root, MF.entries))
    cases = []
    for entry in entries:
        assert isinstance(entry, URIRef)
        case = Case(str(entry).split("#")[-1], str(manifest.value(entry, MF.name)))
        for data in manifest.objects(entry, UT.graphData):
            file = str(manifest.value(data, UT.graph)).rsplit("/", 1)[-1]
            case.graphs[str(manifest.value(data, RDFS.label))] = SUITE / file
        action = manifest.value(entry, MF.action)
        for request in Collection(manifest, manifest.value(action, HT.requests)):
            headers = {}
            listed = manifest.value(request, HT.headers)
            for header in Collection(manifest, listed) if listed is not None else []:
                name = str(manifest.value(header, HT.fieldName))
                headers[name] = str(manifest.value(header, HT.fieldValue))
            body = manifest.value(request, HT.body)
            content = None
            if body is not None:
                encoding = str(manifest.value(body, CNT.characterEncoding) or "UTF-8")
                content = str(manifest.value(body, CNT.chars)).encode(encoding.lower())
            response = manifest.value(request, HT.resp)
            boolean = manifest.value(response, MF.expectedBoolean)
            fmt = manifest.value(response, MF.expectedFormat)
            case.steps.append(
                Step(
                    method=str(manifest.value(request, HT.methodName)),
                    path=str(manifest.value(request, HT.absolutePath)).replace(
                        "/sparql/", "/sparql", 1
                    ),
                    headers=headers,
                    body=content,
                    statuses=_status_classes(manifest, response),
                    boolean=None if boolean is None else bool(boolean.toPython()),
                    result_format=None if fmt is None else str(fmt),
                )
            )
        cases.append(case)
    return cases


SUITE_CASES = load_suite()


def test_the_copy_of_the_suite_is_whole() -> None:
    assert len(SUITE_CASES) == 34
    assert (SUITE / "LICENSE.md").is_file()


@pytest.fixture(scope="module", params=STORE_KINDS)
def protocol_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[AppClient, Store]]:
    kind = request.param
    if kind == "embedded":
        store = open_store(str(tmp_path_factory.mktemp("w3c") / "store"))
    else:
        url = request.getfixturevalue(f"{kind}_server").url
        store = open_store(url)
    settings = Settings(write_token=TOKEN, load_article=False)
    yield AppClient(create_app(settings, store=store)), store
    if kind != "embedded":
        empty(store.url)  # type: ignore[attr-defined]
    store.close()


def check(step: Step, response: httpx.Response) -> list[str]:
    """What is wrong with ``response`` to ``step`` (nothing: an empty list)."""
    problems = []
    if response.status_code // 100 not in step.statuses:
        problems.append(f"status {response.status_code}: {response.text[:300]}")
        return problems
    media = response.headers.get("content-type", "").split(";")[0].strip()
    if step.result_format is not None and media not in FORMATS[step.result_format]:
        problems.append(f"{media} is not a {step.result_format} result format")
    if step.boolean is not None:
        parsed: Any = ox.parse_query_results(
            response.content, ox.QueryResultsFormat.from_media_type(media)
        )
        if not isinstance(parsed, ox.QueryBoolean) or bool(parsed) != step.boolean:
            problems.append(f"expected the boolean {step.boolean}, got {response.text[:200]}")
    if step.result_format == "RDF":
        list(ox.parse(response.content, ox.RdfFormat.from_media_type(media)))
    return problems


@pytest.mark.parametrize("case", SUITE_CASES, ids=lambda c: c.name)
def test_protocol(case: Case, protocol_app: tuple[AppClient, Store]) -> None:
    client, store = protocol_app
    store.update("DROP ALL")
    for graph, path in case.graphs.items():
        triples = ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)
        name = ox.NamedNode(graph)
        store.add_quads([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples])
    for number, step in enumerate(case.steps, 1):
        headers = {**step.headers, "Authorization": f"Bearer {TOKEN}"}
        response = client.request(step.method, step.path, headers=headers, content=step.body)
        problems = check(step, response)
        assert not problems, f"{case.title}, request {number}: {problems}"
