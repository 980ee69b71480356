"""A bounded fuzz run over the GraphQL schema (hypothesis-graphql): no answer is a 5xx or an
unexpected error, and no request makes kg connect anywhere.

Queries and mutations are generated from ``schema.graphql``; each is sent as generated and
again with every string in it (ids, IRIs, texts) pointing at a loopback listener, which must
receive nothing. Mutations carry the write token, so they reach the writer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import StringValueNode, Visitor, parse, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from kg.graphql.schema import sdl
from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import ensure_seeded, open_store
from tests.asgi import AppClient
from tests.plugins.listener import Listener

TOKEN = "fuzz-write-token"
SCHEMA = sdl()
EXAMPLES = 40


class PointAt(Visitor):
    """Replaces every string literal with ``url``."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def enter_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode:
        return StringValueNode(value=self.url)


@pytest.fixture(scope="module")
def app_and_listener() -> Iterator[tuple[AppClient, Listener]]:
    store = open_store("memory")
    ensure_seeded(store)
    listener = Listener()
    yield (
        AppClient(create_app(Settings(load_article=False, write_token=TOKEN), store=store)),
        (listener),
    )
    assert listener.close() == 0
    store.close()


def check(http: AppClient, document: str) -> None:
    response = http.post(
        "/graphql",
        json={"query": document},
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code < 500, (document, response.text)
    body = response.json()
    messages = [e.get("message") for e in body.get("errors") or []] if "errors" in body else []
    assert "Unexpected error." not in messages, (document, body)


@pytest.mark.slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=st.one_of(queries(SCHEMA), mutations(SCHEMA)))
def test_fuzzed_documents_get_no_5xx_and_connect_nowhere(
    app_and_listener: tuple[AppClient, Listener], document: str
) -> None:
    http, listener = app_and_listener
    check(http, document)
    pointed = print_ast(visit(parse(document), PointAt(f"http://127.0.0.1:{listener.port}/x")))
    check(http, pointed)
    assert listener.connections == 0
