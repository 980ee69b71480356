"""application/graphql-response+json on /graphql (kg.http.graphql_http), in-process.

A small strawberry schema stands behind the middleware for the cases the article's schema
cannot produce on purpose (a field error that nulls the whole result); the kg app itself is
checked for the wiring.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route
from strawberry.asgi import GraphQL

from kg.http.app import create_app
from kg.http.graphql_http import GraphQLResponseMedia, prefers_graphql_response
from kg.settings import Settings

GQL = "application/graphql-response+json"


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("no value")


def small_app() -> Starlette:
    view = GraphQL(strawberry.Schema(Query))
    return Starlette(
        routes=[Route("/graphql", view, methods=["GET", "POST"]), Route("/other", view)],
        middleware=[Middleware(GraphQLResponseMedia, path="/graphql")],
    )


def post(app: Any, query: str, accept: str | None, path: str = "/graphql") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
            headers = {"accept": accept} if accept else {}
            return await client.post(path, json={"query": query}, headers=headers)

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("accept", "prefers"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        (GQL, True),
        (f"{GQL}, application/json;q=0.9", True),
        (f"application/json, {GQL}", False),
        (f"application/json;q=0.5, {GQL}", True),
    ],
)
def test_which_clients_prefer_the_graphql_response_type(accept: str | None, prefers: bool) -> None:
    assert prefers_graphql_response(accept) is prefers


def test_a_document_that_does_not_parse_is_a_400_without_data() -> None:
    response = post(small_app(), "{ hello", GQL)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GQL)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("Syntax Error")


def test_a_document_that_does_not_validate_is_a_400_without_data() -> None:
    response = post(small_app(), "{ nope }", GQL)
    assert response.status_code == 400
    assert "data" not in response.json()


def test_json_clients_get_strawberrys_answer_unchanged() -> None:
    response = post(small_app(), "{ hello", "application/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["data"] is None


def test_a_field_error_keeps_data_null_and_status_200() -> None:
    response = post(small_app(), "{ broken }", GQL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GQL)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["broken"]


def test_a_good_query_is_answered_in_the_graphql_response_type() -> None:
    response = post(small_app(), "{ hello }", GQL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GQL)
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.json() == {"data": {"hello": "world"}}


def test_other_paths_are_left_alone() -> None:
    response = post(small_app(), "{ hello", GQL, path="/other")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


def test_the_kg_app_answers_graphql_response_json_on_graphql() -> None:
    app = create_app(Settings(store="memory", load_article=False))
    response = post(app, "{ __typename", GQL)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GQL)
    assert "data" not in response.json()
