"""GraphQL over HTTP against the kg app in-process, over a store of each kind.

* ``graphql``: a :class:`GraphQL` client over ``article_store`` (embedded and remote), with
  default settings; ``graphql.with_settings(max_depth=3)`` gives one with other settings.
* :class:`CountingStore`: a real store that counts the SELECT queries sent through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.protocol import Row, Store
from tests.asgi import AppClient


class CountingStore:
    """Passes everything to ``store`` and records each SELECT it runs."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.selects: list[str] = []

    def select(self, query: str, *, timeout: float | None = None) -> list[Row]:
        self.selects.append(query)
        return self.store.select(query, timeout=timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@dataclass
class GraphQL:
    store: Any
    settings: Settings = field(default_factory=lambda: Settings(load_article=False))

    def with_settings(self, **values: Any) -> GraphQL:
        return GraphQL(self.store, Settings(load_article=False, **values))

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of POST /graphql."""
        app = create_app(self.settings, store=self.store)
        response = AppClient(app).post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert response.headers["content-type"].startswith("application/"), response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The data of a request that must succeed."""
        body = self.post(query, variables)
        assert not body.get("errors"), body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        return [e["message"] for e in self.post(query, variables).get("errors") or []]


@pytest.fixture
def graphql(article_store: Store) -> GraphQL:
    return GraphQL(article_store)
