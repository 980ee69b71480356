"""A reader replica (``writer_url`` set) sends writes to the writer and answers reads itself."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.http.app import create_app
from kg.http.forward import is_mutation, is_update
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.listener import Listener


def test_what_is_a_write() -> None:
    def body(query: str, name: str | None = None) -> bytes:
        return json.dumps({"query": query, "operationName": name}).encode()

    assert is_mutation(body('mutation { deleteUnit(id: "x") { __typename } }'), "application/json")
    assert not is_mutation(body("{ units { totalCount } }"), "application/json")
    two = 'query Q { units { totalCount } } mutation M { deleteUnit(id: "x") { __typename } }'
    assert is_mutation(body(two, "M"), "application/json")
    assert not is_mutation(body(two, "Q"), "application/json")
    with pytest.raises(InputError):
        is_mutation(b"not json", "application/json")
    assert is_mutation(b"mutation { a }", "application/graphql")
    assert is_update(b"update=CLEAR+ALL", "application/x-www-form-urlencoded", "")
    assert not is_update(b"query=ASK+%7B%7D", "application/x-www-form-urlencoded", "")
    assert is_update(b"CLEAR ALL", "application/sparql-update", "")


def test_a_reader_answers_reads_and_refuses_writes_clearly_when_the_writer_is_down(
    article_store: Store, listener: Listener
) -> None:
    listener.close()  # nothing listens on its port any more
    settings = Settings(writer_url=f"http://127.0.0.1:{listener.port}", writer_timeout=2)
    client = AppClient(create_app(settings, store=article_store))
    read = client.post("/graphql", json={"query": "{ units { totalCount } }"})
    assert read.status_code == 200 and read.json()["data"]["units"]["totalCount"] > 0
    asked = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert asked.status_code == 200
    write = client.post(
        "/graphql",
        json={"query": 'mutation { deleteUnit(id: "x") { __typename } }'},
        headers={"Authorization": "Bearer whatever"},
    )
    assert write.status_code == 503
    [error] = write.json()["errors"]
    assert error["extensions"]["code"] == "WRITER_UNAVAILABLE"
    assert "nothing was written" in error["message"]
    update = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert update.status_code == 503
    assert update.json()["error"]["code"] == "writer_unavailable"
    assert article_store.count() > 0


def test_a_reader_forwards_loads_into_the_store_to_the_writer(
    article_store: Store, listener: Listener
) -> None:
    listener.close()
    settings = Settings(writer_url=f"http://127.0.0.1:{listener.port}", writer_timeout=2)
    client = AppClient(create_app(settings, store=article_store))
    for method in ("PUT", "POST"):
        load = client.request(
            method,
            "/store",
            params={"graph": "https://w3id.org/aikg/graph/notes"},
            content=b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .",
            headers={"Content-Type": "text/turtle", "Authorization": "Bearer whatever"},
        )
        assert load.status_code == 503, load.text  # not written here: sent to the writer
        assert load.json()["error"]["code"] == "writer_unavailable"
    assert (
        client.get("/store", params={"graph": "https://w3id.org/aikg/graph/ciol-katti"}).status_code
        == 200
    )
