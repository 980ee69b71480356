"""A GraphQL client for mutation tests: the kg app in-process, over a store of each kind.

* ``client``: a :class:`Client` over ``article_store`` (embedded and remote); ``client.write``
  sends a mutation with the bearer token (or ``token=None``/another one) to an app configured
  with ``configured`` as its write token, and returns the data of its ``result`` field.
* ``LiveClient(url)``: GraphQL and SPARQL over HTTP to a running ``kg serve``.
* ``writer_env``: parametrized ``["embedded", "remote"]``: the environment for a ``kg serve``
  that accepts writes with ``TOKEN``, over its own on-disk store or the emptied Oxigraph server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.stores import STORE_KINDS, empty

TOKEN = "test-write-token-5d1c"


def count_quads(store: Store) -> int:
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    return int(rows[0]["n"].value)


@dataclass
class Client:
    store: Store

    def post(
        self, query: str, variables: dict[str, Any], token: str | None, configured: str | None
    ) -> dict[str, Any]:
        settings = Settings(write_token=configured, load_article=False)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        app = create_app(settings, store=self.store)
        with AppClient(app) as http:
            response = http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        body: dict[str, Any] = response.json()
        return body

    def write(
        self,
        mutation: str,
        *,
        token: str | None = TOKEN,
        configured: str | None = TOKEN,
        **variables: Any,
    ) -> dict[str, Any]:
        body = self.post(mutation, variables, token, configured)
        assert not body.get("errors"), body["errors"]
        result: dict[str, Any] = body["data"]["result"]
        return result

    def errors(self, mutation: str, **variables: Any) -> list[str]:
        body = self.post(mutation, variables, TOKEN, TOKEN)
        return [e["message"] for e in body.get("errors") or []]

    def query(self, query: str, token: str | None = TOKEN) -> dict[str, Any]:
        body = self.post(query, {}, token, TOKEN)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def client(article_store: Store) -> Client:
    return Client(article_store)


@dataclass
class LiveClient:
    """GraphQL and SPARQL over HTTP to a running ``kg serve`` (thread-safe: one httpx client)."""

    url: str
    token: str | None = TOKEN

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=60)

    def graphql(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.http.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def all_changes(self, fields: str = "id") -> list[dict[str, Any]]:
        """Every change in the history, read a page (the maximum, 1000) at a time."""
        query = f"query($after: ID) {{ changes(limit: 1000, after: $after) {{ id {fields} }} }}"
        found: list[dict[str, Any]] = []
        while page := self.graphql(query, after=found[-1]["id"] if found else None)["changes"]:
            found += page
        return found

    def select(self, query: str) -> list[dict[str, str]]:
        response = self.http.post(
            f"{self.url}/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
        )
        response.raise_for_status()
        return [
            {k: v["value"] for k, v in row.items()}
            for row in response.json()["results"]["bindings"]
        ]

    def close(self) -> None:
        self.http.close()


@pytest.fixture(params=STORE_KINDS)
def writer_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """Environment for a ``kg serve`` accepting writes (``TOKEN``) on each kind of store:
    its own on-disk store, or one of the session's SPARQL servers emptied for the test."""
    env = {"KG_WRITE_TOKEN": TOKEN}
    if request.param != "embedded":
        remote = request.getfixturevalue(f"{request.param}_server")
        empty(remote.url)
        env["KG_STORE"] = remote.url
    return env
