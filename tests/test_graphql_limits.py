"""Limits and failures: each bad request gets a clear GraphQL error, unexpected errors are
masked for the client and logged with the request, and the server stays up."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kg.store.embedded import EmbeddedStore
from kg.store.protocol import Row
from tests.plugins.graphql_api import GraphQL
from tests.plugins.server import Server
from tests.plugins.stores import STORE_KINDS, empty

DEEP = "{ organisations { nodes { units { parent { parent { parent { name } } } } } } }"
WIDE = "{ a: organisations { totalCount } b: units { totalCount } c: events { totalCount } }"
LONG = "{ organisations { nodes { " + "name " * 120 + "} } }"
BAD_REQUESTS = {
    DEEP: "exceeds maximum operation depth of 5",
    WIDE: "3 aliases found. Allowed: 2",
    LONG: "Document contains more than 100 tokens",
    "{ organisations(first: 11) { totalCount } }": (
        "first: 11 is more than the largest page, 10 (setting max_page_size)"
    ),
    "{ organisations { nodes { name }": "Syntax Error",
    "{ organisations { nodes { salary } } }": "Cannot query field 'salary' on type 'Organisation'",
    '{ node(id: "a b") { id } }': "malformed id 'a b'",
}
LIMITS = {"max_depth": 5, "max_aliases": 2, "max_tokens": 100, "max_page_size": 10}


@pytest.mark.parametrize(("query", "message"), BAD_REQUESTS.items())
def test_bad_requests_get_clear_errors(graphql: GraphQL, query: str, message: str) -> None:
    body = graphql.with_settings(**LIMITS).post(query)
    assert not any((body.get("data") or {}).values())
    assert any(message in e["message"] for e in body["errors"]), body["errors"]


def test_a_request_past_the_time_limit_is_stopped(graphql: GraphQL) -> None:
    errors = graphql.with_settings(query_timeout=1e-6).errors("{ organisations { totalCount } }")
    assert errors == ["the request ran past the time limit of 1e-06 s (setting query_timeout)"]


def test_limits_allow_what_is_within_them(graphql: GraphQL) -> None:
    data = graphql.with_settings(**LIMITS).data(
        "{ a: organisations(first: 10) { totalCount } b: units(first: 10) { nodes { name } } }"
    )
    assert data["a"]["totalCount"] > 10


class FailingStore(EmbeddedStore):
    """An embedded store whose queries fail with an error kg does not expect."""

    def select(self, query: str, *, timeout: float | None = None) -> list[Row]:
        raise RuntimeError("disk controller says: secret detail")


def test_unexpected_errors_are_masked_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = GraphQL(FailingStore(str(tmp_path / "store")))
    with caplog.at_level(logging.ERROR, logger="kg.graphql"):
        body = client.post("query Units { units { totalCount } }")
    assert body["errors"][0]["message"] == "Unexpected error."
    assert "secret" not in str(body)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "query Units { units { totalCount } }" in logged
    assert "secret detail" in caplog.text


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_the_server_stays_up(
    kind: str, kg_server_factory: Callable[..., Server], request: pytest.FixtureRequest
) -> None:
    env = {f"KG_{k.upper()}": str(v) for k, v in LIMITS.items()}
    if kind != "embedded":  # kg serve over a SPARQL server, emptied (kg serve seeds it)
        remote = request.getfixturevalue(f"{kind}_server")
        empty(remote.url)
        env["KG_STORE"] = remote.url
    server = kg_server_factory(env=env)
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for query, message in BAD_REQUESTS.items():
                response = http.post("/graphql", json={"query": query})
                assert message in response.text
            ok = http.post("/graphql", json={"query": "{ organisations(first: 3) { totalCount } }"})
        assert ok.status_code == 200
        assert ok.json()["data"]["organisations"]["totalCount"] > 3
        assert server.process.poll() is None
    finally:
        server.stop()
