"""Full-text search (kg/writes/search.py): ranked, filtered by kind, exact after writes and
loads, on the embedded store and a real Oxigraph server, and for a second process sharing that
server."""

from __future__ import annotations

import time
from pathlib import Path

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import Store
from kg.writes.load import load
from kg.writes.search import SearchIndex
from tests.asgi import AppClient
from tests.plugins.graphql_api import GraphQL
from tests.plugins.graphql_client import TOKEN, Client
from tests.plugins.stores import OxigraphServer

SEEMLESS = "https://w3id.org/aikg/id/source/seemless-article"
CREATE = """mutation($source: ID!, $input: OrganisationInput!) {
  result: createOrganisation(source: $source, input: $input) { __typename } }"""
UPDATE = """mutation($id: ID!, $source: ID!, $patch: OrganisationPatch!) {
  result: updateOrganisation(id: $id, source: $source, patch: $patch) { __typename } }"""
DELETE = "mutation($id: ID!) { result: deleteOrganisation(id: $id) { __typename } }"


def search(graphql: GraphQL | Client, args: str) -> list[str]:
    query = f"{{ search({args}) {{ __typename ... on Node {{ id }} }} }}"
    data = graphql.data(query) if isinstance(graphql, GraphQL) else graphql.query(query)
    return [f"{f['__typename']}:{f['id']}" for f in data["search"]]


def test_every_word_must_match_and_names_rank_first(graphql: GraphQL) -> None:
    found = search(graphql, 'text: "stargate"')
    # The node named Stargate (the overall compute strategy) ranks above those that only
    # mention it, such as "The Stargate Project".
    assert found[0] == "Initiative:initiative/openai-compute-strategy"
    assert "Initiative:initiative/stargate-project" in found
    chips = search(graphql, 'text: "chip manufacturers"')
    assert chips[0] == "UnnamedGroup:group/potential-chip-manufacturers"
    assert "ProviderRelationship:relationship/openai-potential-chip-manufacturers" in chips
    assert search(graphql, 'text: "CHIP nonexistentword"') == []


def test_the_last_word_matches_as_a_prefix(graphql: GraphQL) -> None:
    assert search(graphql, 'text: "chip manufact"') == search(graphql, 'text: "chip manufacturers"')
    assert search(graphql, 'text: "manufact chip"') == []  # only the last word is a prefix


def test_kinds_filter_and_first(graphql: GraphQL) -> None:
    everything = search(graphql, 'text: "openai", first: 100')
    orgs = search(graphql, 'text: "openai", kinds: ["Organisation"], first: 100')
    assert orgs and all(f.startswith("Organisation:") for f in orgs)
    assert set(orgs) < set(everything)
    assert search(graphql, 'text: "openai", first: 2') == everything[:2]
    errors = graphql.errors('{ search(text: "openai", kinds: ["Planet"]) { __typename } }')
    assert errors and "unknown kind(s) Planet" in errors[0]


def test_a_mutation_is_searchable_on_the_next_request(client: Client) -> None:
    assert search(client, 'text: "zorblatt"') == []
    created = client.write(
        CREATE, source=SEEMLESS, input={"label": "Zorblatt Compute", "kinds": ["CLOUD_PROVIDER"]}
    )
    assert created["__typename"] == "WriteSuccess"
    assert search(client, 'text: "zorblatt"') == ["Organisation:org/zorblatt-compute"]
    patch = {"description": "Rents out quuxly accelerators."}
    updated = client.write(
        UPDATE, id="https://w3id.org/aikg/id/org/zorblatt-compute", source=SEEMLESS, patch=patch
    )
    assert updated["__typename"] == "WriteSuccess"
    assert search(client, 'text: "quuxly"') == ["Organisation:org/zorblatt-compute"]
    deleted = client.write(DELETE, id="https://w3id.org/aikg/id/org/zorblatt-compute")
    assert deleted["__typename"] == "WriteSuccess"
    assert search(client, 'text: "quuxly"') == []
    assert search(client, 'text: "zorblatt"') == []


def test_a_sparql_update_is_searchable_on_the_next_request(client: Client) -> None:
    assert search(client, 'text: "frobnicator"') == []
    app = create_app(Settings(write_token=TOKEN, load_article=False), store=client.store)
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/x> { "
        "<https://w3id.org/aikg/id/org/openai> <http://purl.org/dc/terms/description> "
        '"Maker of the frobnicator." } }'
    )
    with AppClient(app) as http:
        response = http.post(
            "/sparql", data={"update": update}, headers={"authorization": f"Bearer {TOKEN}"}
        )
    assert response.status_code == 204, response.text
    assert search(client, 'text: "frobnicator"') == ["Organisation:org/openai"]


def test_a_second_process_on_the_same_server_follows_the_history(
    oxigraph_server: OxigraphServer,
) -> None:
    writer_store, reader_store = open_store(oxigraph_server.url), open_store(oxigraph_server.url)
    try:
        writer_store.update("DROP ALL")
        ensure_seeded(writer_store)
        reader = Client(reader_store)  # another replica, with its own index
        writer = Client(writer_store)
        assert search(reader, 'text: "plonkton"') == []
        input = {"label": "Plonkton Labs", "kinds": ["AI_LAB"]}
        assert writer.write(CREATE, source=SEEMLESS, input=input)["__typename"] == "WriteSuccess"
        assert search(reader, 'text: "plonkton"') == ["Organisation:org/plonkton-labs"]
    finally:
        writer_store.close()
        reader_store.close()


def test_writes_outside_kg_are_seen_once_the_index_is_older_than_max_age(
    article_store: Store,
) -> None:
    kinds = {"Organisation": ("http://www.w3.org/ns/org#FormalOrganization",)}
    index = SearchIndex(article_store, kinds, max_age=0.3)
    assert index.search("openai")[0] == "https://w3id.org/aikg/id/org/openai"
    article_store.update(
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/x> { "
        "<https://w3id.org/aikg/id/org/x> a <http://www.w3.org/ns/org#FormalOrganization> ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Wibblewick" } }'
    )
    assert index.search("wibblewick") == []  # a write kg was not told of
    time.sleep(0.4)
    assert index.search("wibblewick") == ["https://w3id.org/aikg/id/org/x"]
    assert index.rebuilds == 2


def test_search_text_needs_no_escaping(graphql: GraphQL) -> None:
    assert search(graphql, 'text: "\\" } } SELECT"') == []
    assert search(graphql, 'text: "*?~^"') == []


def test_a_load_is_searchable_on_the_next_request(client: Client, tmp_path: Path) -> None:
    assert search(client, 'text: "gadzooks"') == []
    data = tmp_path / "extra.ttl"
    data.write_text(
        "<https://w3id.org/aikg/id/org/openai> "
        '<http://purl.org/dc/terms/description> "Gadzooks, a description." .\n'
    )
    load(client.store, [data])
    assert search(client, 'text: "gadzooks"') == ["Organisation:org/openai"]
