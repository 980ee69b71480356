"""Every GraphQL error carries ``extensions.code`` from the documented list (docs/graphql.md), and
a request ``/graphql`` cannot run is answered in GraphQL's response shape with its status."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from kg import errors
from kg.graphql import codes
from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Row, Store
from tests.asgi import AppClient
from tests.plugins.graphql_api import GraphQL

DOCS = Path(__file__).parent.parent / "docs" / "graphql.md"
GQL = "application/graphql-response+json"


def codes_of(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


def test_a_document_that_does_not_parse_is_graphql_parse_failed(graphql: GraphQL) -> None:
    assert codes_of(graphql.post("{ organisations { nodes { name }")) == ["GRAPHQL_PARSE_FAILED"]


def test_a_document_against_graphqls_rules_is_graphql_validation_failed(graphql: GraphQL) -> None:
    body = graphql.post("{ organisations { nodes { salary } } }")
    assert codes_of(body) == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ node(id: "a b") { id } }', {}),
        ('{ organisations(after: "not a cursor") { totalCount } }', {}),
        ("query($n: Int) { organisations(first: $n) { totalCount } }", {"n": "ten"}),
    ],
    ids=["bad-id", "bad-cursor", "bad-variable"],
)
def test_bad_ids_cursors_and_variables_are_bad_user_input(
    graphql: GraphQL, query: str, variables: dict[str, Any]
) -> None:
    assert codes_of(graphql.post(query, variables)) == ["BAD_USER_INPUT"]


def test_a_change_the_history_does_not_hold_is_not_found(graphql: GraphQL) -> None:
    body = graphql.post('{ changes(after: "change/no-such-change") { id } }')
    assert codes_of(body) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("limit", "query", "code"),
    [
        (
            {"max_document": 40},
            "{ organisations { totalCount } }" + " " * 20,
            "DOCUMENT_SIZE_LIMIT",
        ),
        ({"max_tokens": 20}, "{ organisations { nodes { " + "name " * 30 + "} } }", "TOKEN_LIMIT"),
        ({"max_depth": 2}, "{ organisations { nodes { units { name } } } }", "DEPTH_LIMIT"),
        ({"max_aliases": 1}, "{ a: units { totalCount } b: units { totalCount } }", "ALIAS_LIMIT"),
        ({"max_cost": 2}, "{ organisations(first: 3) { nodes { name } } }", "COST_LIMIT"),
        ({"max_page_size": 10}, "{ organisations(first: 11) { totalCount } }", "PAGE_SIZE_LIMIT"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isupper() else "",
)
def test_each_limit_has_its_code(
    graphql: GraphQL, limit: dict[str, int], query: str, code: str
) -> None:
    assert codes_of(graphql.with_settings(**limit).post(query)) == [code]


class Failing:
    """A store whose SELECT queries fail with ``error``."""

    def __init__(self, store: Store, error: Exception) -> None:
        self.store = store
        self.error = error

    def select(self, query: str, *, timeout: float | None = None) -> list[Row]:
        raise self.error

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


ORGANISATIONS = "{ organisations(first: 1) { nodes { name } } }"


@pytest.mark.parametrize(
    ("error", "extensions"),
    [
        (errors.QueryTimeout("past the time limit"), {"code": "TIMEOUT"}),
        (errors.ServiceBusy("too many queries"), {"code": "BUSY", "retryAfter": 1}),
        (errors.QueryOutOfMemory("too much memory"), {"code": "OUT_OF_MEMORY"}),
        (errors.ResultTooLarge("too many rows"), {"code": "RESULT_TOO_LARGE"}),
        (errors.StoreUnavailable("no answer"), {"code": "STORE_UNAVAILABLE"}),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else "",
)
def test_store_failures_have_their_codes(
    article_store: Store, error: errors.KgError, extensions: dict[str, Any]
) -> None:
    body = GraphQL(Failing(article_store, error)).post(ORGANISATIONS)
    [reported] = body["errors"]
    assert reported["extensions"] == extensions


def test_an_unexpected_error_is_masked_as_internal_server_error(
    article_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Failing(article_store, RuntimeError("disk controller secret"))
    [reported] = GraphQL(broken).post(ORGANISATIONS)["errors"]
    assert reported["message"] == "Unexpected error."
    assert reported["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "disk controller secret" in caplog.text  # logged, not sent


WRITE = """mutation($id: ID!) { deleteUnit(id: $id) {
  ... on Unauthorized { code } ... on NotFound { code } ... on InvalidInput { code } } }"""


@pytest.mark.parametrize(
    ("configured", "sent", "node", "code"),
    [
        ("the-token", None, "unit/x", "UNAUTHENTICATED"),
        ("the-token", "another", "unit/x", "UNAUTHENTICATED"),
        (None, "the-token", "unit/x", "FORBIDDEN"),
        ("the-token", "the-token", "unit/no-such-unit", "NOT_FOUND"),
        ("the-token", "the-token", "http://a b", "BAD_USER_INPUT"),
    ],
)
def test_failed_writes_carry_the_same_codes(
    article_store: Store, configured: str | None, sent: str | None, node: str, code: str
) -> None:
    app = create_app(Settings(load_article=False, write_token=configured), store=article_store)
    headers = {"Authorization": f"Bearer {sent}"} if sent else {}
    body = {"query": WRITE, "variables": {"id": node}}
    response = AppClient(app).post("/graphql", json=body, headers=headers)
    assert response.json()["data"]["deleteUnit"] == {"code": code}


def test_a_lookup_that_finds_nothing_says_not_found(graphql: GraphQL) -> None:
    data = graphql.data('{ lookup(id: "org/nobody") { ... on NodeNotFound { code } } }')
    assert data["lookup"] == {"code": "NOT_FOUND"}


@pytest.fixture
def http(article_store: Store) -> AppClient:
    return AppClient(create_app(Settings(load_article=False, max_body=1000), store=article_store))


JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "code"),
    [
        ("POST", {"content": b"{not json", "headers": JSON}, 400, "BAD_REQUEST"),
        ("POST", {"json": {"variables": {}}}, 400, "BAD_REQUEST"),
        (
            "POST",
            {"content": b"{ a }", "headers": {"content-type": "text/plain"}},
            400,
            "BAD_REQUEST",
        ),
        (
            "POST",
            {"json": {"query": "query A { __typename }", "operationName": "B"}},
            400,
            "OPERATION_RESOLUTION_FAILURE",
        ),
        ("PUT", {"json": {"query": "{ __typename }"}}, 405, "METHOD_NOT_ALLOWED"),
        ("POST", {"json": {"query": "{ __typename }" + " " * 2000}}, 413, "PAYLOAD_TOO_LARGE"),
    ],
    ids=["not-json", "no-query", "content-type", "operation", "method", "body-size"],
)
def test_requests_graphql_cannot_run_answer_in_graphql_shape(
    http: AppClient, method: str, kwargs: dict[str, Any], status: int, code: str
) -> None:
    response = http.request(method, "/graphql", **kwargs)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert set(response.json()) == {"errors"}
    assert error["message"] and error["extensions"] == {"code": code}


def test_graphql_response_clients_get_request_errors_in_that_type(http: AppClient) -> None:
    response = http.post("/graphql", content=b"{not json", headers={**JSON, "accept": GQL})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GQL)
    assert codes_of(response.json()) == ["BAD_REQUEST"]


def test_a_body_that_comes_too_slowly_is_body_timeout(article_store: Store) -> None:
    app = create_app(Settings(load_article=False, body_timeout=0.2), store=article_store)

    async def slowly() -> AsyncIterator[bytes]:
        yield b'{"query": '
        await asyncio.sleep(1)
        yield b'"{ __typename }"}'

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
            return await client.post("/graphql", content=slowly(), headers=JSON)

    response = asyncio.run(send())
    assert response.status_code == 408
    assert codes_of(response.json()) == ["BODY_TIMEOUT"]


def test_other_routes_keep_kgs_json_shape(http: AppClient) -> None:
    response = http.get("/sparql", params={"query": "SELEC nothing"})
    assert response.status_code == 400
    assert set(response.json()) == {"error"} and response.json()["error"]["code"] == "query_error"


def documented_codes() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z_]+)` \|", text, flags=re.MULTILINE))


def test_every_code_is_in_the_documented_table() -> None:
    def subclasses(cls: type[errors.KgError]) -> list[type[errors.KgError]]:
        return [cls] + [s for sub in cls.__subclasses__() for s in subclasses(sub)]

    raised = {
        cls.graphql_code for cls in subclasses(errors.KgError) if cls.__module__ == "kg.errors"
    }
    assert raised | {codes.PARSE_FAILED, codes.VALIDATION_FAILED} == documented_codes()


def test_a_python_graphql_client_reads_the_code(kg_server: str) -> None:
    transport = HTTPXTransport(url=f"{kg_server}/graphql", timeout=10)
    with Client(transport=transport) as session:
        with pytest.raises(TransportQueryError) as failed:
            session.execute(gql('{ node(id: "a b") { id } }'))
        assert failed.value.errors is not None
        assert failed.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
        with pytest.raises(TransportQueryError) as refused:
            session.execute(gql("{ organisations(first: 100000) { totalCount } }"))
        assert refused.value.errors is not None
        assert refused.value.errors[0]["extensions"]["code"] == "PAGE_SIZE_LIMIT"
