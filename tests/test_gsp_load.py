"""Loads through the writer: ``PUT``/``POST /store`` with the write token (``kg.http.gsp``,
``kg.writes.load.write_quads``): validated, recorded in the history, graphs replaced whole."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import ensure_seeded
from kg.store.protocol import Store
from kg.writes import history
from tests.asgi import AppClient
from tests.test_validate_cli import VALID_TURTLE

TOKEN = "a-token-for-loads"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
NOTES = "https://w3id.org/aikg/graph/notes"
#: An organisation that conforms, with a blank node (a replaced graph loses it too).
ACME = VALID_TURTLE.replace(
    "kg:Publisher .", 'kg:Publisher ;\n    rdfs:seeAlso [ rdfs:label "a blank node" ] .'
)


@pytest.fixture
def client(store: Store) -> Iterator[AppClient]:
    ensure_seeded(store)
    yield AppClient(create_app(Settings(write_token=TOKEN), store=store))


def names(store: Store) -> list[str]:
    rows = store.select(
        f"SELECT ?name WHERE {{ GRAPH <{NOTES}> {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "
        "?name } } ORDER BY ?name"
    )
    return [r["name"].value for r in rows]


def test_put_replaces_the_graph_and_records_the_change(client: AppClient, store: Store) -> None:
    first = client.put("/store", params={"graph": NOTES}, content=ACME, headers=AUTH)
    assert first.status_code == 200, first.text
    assert first.json()["triples"] == 5 and first.json()["graphs"] == [NOTES]
    assert names(store) == ["Acme", "a blank node"]
    again = client.put(
        "/store",
        params={"graph": NOTES},
        content=ACME.replace('"Acme"', '"Acme Corp"'),
        headers=AUTH,
    )
    assert again.status_code == 200, again.text
    assert names(store) == ["Acme Corp", "a blank node"]  # the graph was replaced whole
    [change] = history.changes(store, after=first.json()["change"])
    assert change.operation == "load" and change.iri == again.json()["change"]


def test_post_adds_to_the_graph(client: AppClient, store: Store) -> None:
    client.put("/store", params={"graph": NOTES}, content=ACME, headers=AUTH)
    more = ACME.replace("org/acme", "org/beta").replace('"Acme"', '"Beta"')
    added = client.post("/store", params={"graph": NOTES}, content=more, headers=AUTH)
    assert added.status_code == 200, added.text
    assert names(store) == ["Acme", "Beta", "a blank node", "a blank node"]


def test_loads_need_the_token_and_conforming_data(client: AppClient, store: Store) -> None:
    anonymous = client.put(
        "/store", params={"graph": NOTES}, content=ACME, headers={"Content-Type": "text/turtle"}
    )
    assert anonymous.status_code == 401
    broken = client.put(
        "/store",
        params={"graph": NOTES},
        content=ACME.replace('rdfs:label "Acme" ;', ""),
        headers=AUTH,
    )
    assert broken.status_code == 422
    assert broken.json()["error"]["violations"][0]["focusNode"] == "https://example.org/org/acme"
    reserved = client.put(
        "/store", params={"graph": str(history.HISTORY_GRAPH.value)}, content=ACME, headers=AUTH
    )
    assert reserved.status_code == 400 and "reserved" in reserved.json()["error"]["message"]
    unnamed = client.put("/store", content=ACME, headers=AUTH)
    assert unnamed.status_code == 400 and "?graph=IRI" in unnamed.json()["error"]["message"]
    assert names(store) == []


def test_a_load_over_max_body_is_refused_at_the_door(store: Store) -> None:
    client = AppClient(create_app(Settings(write_token=TOKEN, max_body=100), store=store))
    refused = client.put("/store", params={"graph": NOTES}, content=ACME, headers=AUTH)
    assert refused.status_code == 413
    assert "max_body" in refused.json()["error"]["message"]
