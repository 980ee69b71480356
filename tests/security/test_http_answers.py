"""Every HTTP answer carries the security headers; errors share kg's one JSON shape (GraphQL's
response shape on /graphql); bad ids and IRIs are clear client errors, never "Unexpected error."
or a parser's message."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import anyio
import pytest
from starlette.requests import Request
from starlette.responses import Response

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient

JSON = {"content-type": "application/json"}


@pytest.fixture
def http(article_store: Store) -> AppClient:
    return AppClient(create_app(Settings(load_article=False), store=article_store))


def kg_error(response: Any, status: int, code: str) -> str:
    """The message of a kg error answer, after checking its status and shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/healthz", {}),
        ("GET", "/graphql", {"headers": {"accept": "text/html"}}),
        ("POST", "/graphql", {"json": {"query": "{ __typename }"}}),
        ("GET", "/sparql", {"params": {"query": "ASK {}"}}),
        ("GET", "/timeline", {}),
        ("GET", "/timeline", {"params": {"format": "svg"}}),
        ("GET", "/static/playground.js", {}),
        ("GET", "/no/such/page", {}),
        ("PUT", "/graphql", {}),
    ],
)
def test_every_answer_has_the_security_headers(
    http: AppClient, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = http.request(method, path, **kwargs)
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp


def test_the_chart_page_runs_only_scripts_served_by_kg(http: AppClient) -> None:
    response = http.get("/orgchart/openai")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    scripts = csp.split("script-src")[1].split(";")[0] if "script-src" in csp else "'self'"
    assert "unsafe-inline" not in scripts and "'self'" in scripts
    assert re.search(r"<script(?![^>]*\bsrc=\"/static/)", response.text) is None


def test_unknown_paths_and_methods_answer_in_kg_shape(http: AppClient) -> None:
    assert kg_error(http.get("/no/such/page"), 404, "not_found") == "Not Found"
    response = http.request("DELETE", "/sparql")
    assert kg_error(response, 405, "method_not_allowed") == "Method Not Allowed"
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        (b"{not json", JSON, "Unable to parse request body as JSON"),
        (b"\xff\xfe{}", JSON, "Unable to parse request body as JSON"),
        (b"x", {"content-type": "text/weird"}, "Unsupported content type"),
        (b"[" * 100_000 + b"]" * 100_000, JSON, "the request body is JSON nested too deeply"),
        (b'{"query": {"a": ' * 50_000 + b"1" + b"}" * 50_000, JSON, "nested too deeply"),
    ],
)
def test_the_graphql_views_own_errors_answer_in_graphql_shape(
    http: AppClient, body: bytes, headers: dict[str, str], message: str
) -> None:
    response = http.post("/graphql", content=body, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert message in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}


def test_an_unexpected_error_answers_500_in_kg_shape_without_detail(article_store: Store) -> None:
    app = create_app(Settings(load_article=False), store=article_store)

    async def broken(request: Request) -> Response:
        raise RuntimeError("disk controller says: secret detail")

    app.add_route("/broken", broken)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/broken", "headers": []}
    scope |= {"query_string": b"", "root_path": "", "scheme": "http", "server": ("t", 80)}
    with pytest.raises(RuntimeError):  # re-raised after the answer, for the server's log
        anyio.run(app, scope, receive, send)
    start, body = sent[0], sent[1]
    assert start["status"] == 500
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    assert headers["x-content-type-options"] == "nosniff"
    assert json.loads(body["body"]) == {
        "error": {"code": "internal_error", "message": "Unexpected error."}
    }


BAD_IRIS = {
    "http://a\u0000b": "character 9 is the control character U+0000",
    "http://a/%zz": "a % must be followed by two hexadecimal digits",
    "http://[::1/": "does not have the syntax of an absolute IRI",
    "http://a\ud800b": "character 9 is a lone surrogate (U+D800)",
}


def graphql(http: AppClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    # json.dumps escapes a lone surrogate as \\ud800, as a client's JSON would
    body = json.dumps({"query": query, "variables": variables}).encode()
    response = http.post("/graphql", content=body, headers=JSON)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(("iri", "why"), BAD_IRIS.items())
def test_bad_iris_in_graphql_arguments_are_clear_errors(
    http: AppClient, iri: str, why: str
) -> None:
    query = "query($i: String!) { lookup(iri: $i) { __typename } }"
    errors = graphql(http, query, {"i": iri})["errors"]
    assert len(errors) == 1
    assert errors[0]["message"].startswith("not an IRI: ")
    assert why in errors[0]["message"]


@pytest.mark.parametrize("iri", BAD_IRIS)
def test_bad_ids_and_texts_are_clear_errors(http: AppClient, iri: str) -> None:
    tilde = "~" + base64.urlsafe_b64encode(iri.encode("utf-8", "surrogatepass")).decode()
    for query, variables in [
        ("query($i: ID!) { node(id: $i) { id } }", {"i": tilde}),
        ("query($i: ID!) { node(id: $i) { id } }", {"i": "org/" + iri[7:]}),
        ("query($i: ID) { units(organisation: $i) { totalCount } }", {"i": "org/" + iri[7:]}),
    ]:
        messages = [e["message"] for e in graphql(http, query, variables)["errors"]]
        assert len(messages) == 1
        assert messages[0].startswith("malformed id ")


@pytest.mark.parametrize("text", ["a\u0000b", "a\ud800b", "a\u0001"])
def test_text_arguments_with_non_characters_are_clear_errors(http: AppClient, text: str) -> None:
    query = "query($t: String!) { search(text: $t) { __typename } }"
    messages = [e["message"] for e in graphql(http, query, {"t": text})["errors"]]
    assert len(messages) == 1
    assert messages[0].startswith("a string argument: character 2 is ")


def test_text_arguments_with_tabs_and_line_breaks_are_fine(http: AppClient) -> None:
    query = "query($t: String!) { search(text: $t) { __typename } }"
    assert graphql(http, query, {"t": "Open\tAI\r\n"}) == {"data": {"search": []}}


def test_orgchart_with_a_nul_id_is_400(http: AppClient) -> None:
    message = kg_error(http.get("/orgchart/%00"), 400, "bad_input")
    assert message.startswith("not a valid organisation id: '\\x00'")
