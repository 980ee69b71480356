"""A GraphQL client for mutation tests: the kg app in-process, over a store of each kind.

* ``client``: a :class:`Client` over ``article_store`` (embedded and remote); ``client.write``
  sends a mutation with the bearer token (or ``token=None``/another one) to an app configured
  with ``configured`` as its write token, and returns the data of its ``result`` field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from kg.app import create_app
from kg.settings import Settings
from kg.store import Store
from tests.asgi import AppClient

TOKEN = "test-write-token-5d1c"
LOCAL = True


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
        if LOCAL:
            import asyncio
            from types import SimpleNamespace

            import strawberry

            from kg.graphql.mutations import HistoryQuery, Mutation

            schema = strawberry.Schema(query=HistoryQuery, mutation=Mutation)
            ctx = {
                "store": self.store,
                "settings": settings,
                "request": SimpleNamespace(headers=headers),
            }
            r = asyncio.run(schema.execute(query, variable_values=variables, context_value=ctx))
            out: dict[str, Any] = {"data": r.data}
            if r.errors:
                out["errors"] = [{"message": e.message} for e in r.errors]
            return out
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
