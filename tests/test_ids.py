"""Ids round-trip: every ID argument takes the ``id`` a query returned, its ``~`` form, or the
full IRI, in queries and in mutations alike."""

from __future__ import annotations

import base64

from kg.graphql.mapping import iri_of, node_id
from tests.plugins.graphql_client import Client

ID = "https://w3id.org/aikg/id/"

CREATE_UNIT = """
mutation($source: ID!, $input: UnitInput!) {
  result: createUnit(source: $source, input: $input) {
    __typename
    ... on WriteSuccess { id change { id source } }
    ... on InvalidInput { message field }
    ... on NotFound { message }
  }
}"""

UPDATE_UNIT = """
mutation($id: ID!, $source: ID!, $patch: UnitPatch!) {
  result: updateUnit(id: $id, source: $source, patch: $patch) {
    __typename
    ... on WriteSuccess { id }
    ... on InvalidInput { message field }
  }
}"""


def tilde(iri: str) -> str:
    return "~" + base64.urlsafe_b64encode(iri.encode()).decode().rstrip("=")


def test_ids_from_a_query_are_accepted_by_a_mutation(client: Client) -> None:
    found = client.query(
        "{ sources(first: 100) { nodes { id } } organisations(first: 100) { nodes { id name } } }"
    )
    source = next(s["id"] for s in found["sources"]["nodes"] if "centerconsulting" in s["id"])
    openai = next(o["id"] for o in found["organisations"]["nodes"] if o["name"] == "OpenAI")
    assert (source, openai) == ("source/centerconsulting-2025-stargate", "org/openai")

    result = client.write(
        CREATE_UNIT, source=source, input={"label": "Ids Test Group", "unitOf": openai}
    )

    assert result["__typename"] == "WriteSuccess", result
    assert result["change"]["source"] == f"{ID}{source}"
    unit = client.query(
        '{ node(id: "unit/ids-test-group") { ... on Unit { organisation { id } } } }'
    )
    assert unit["node"]["organisation"]["id"] == "org/openai"


def test_every_form_of_an_id_names_the_same_node(client: Client) -> None:
    iri = f"{ID}org/openai"
    for form in ("org/openai", iri, tilde(iri)):
        data = client.query(
            f'{{ node(id: "{form}") {{ id iri }} '
            f'   units(organisation: "{form}") {{ totalCount }} }}'
        )
        assert data["node"] == {"id": "org/openai", "iri": iri}, form
        assert data["units"]["totalCount"] > 0, form


def test_the_full_iri_and_the_tilde_form_work_in_mutations(client: Client) -> None:
    source = f"{ID}source/seemless-article"
    created = client.write(
        CREATE_UNIT,
        source=tilde(source),
        input={"label": "Tilde Group", "unitOf": f"{ID}org/openai"},
    )
    assert created["__typename"] == "WriteSuccess", created
    updated = client.write(
        UPDATE_UNIT,
        id=created["id"],
        source="source/seemless-article",
        patch={"description": "Named by its IRI."},
    )
    assert updated == {"__typename": "WriteSuccess", "id": created["id"]}
    by_change = client.query(
        f'{{ changes(after: "{created["change"]["id"].removeprefix(ID)}") {{ operation }} }}'
    )
    assert by_change["changes"] == [{"operation": "updateUnit"}]


def test_node_ids_and_iris_map_one_to_one() -> None:
    for iri in (f"{ID}org/openai", "http://example.org/x", f"{ID}urn:x", f"{ID}~x"):
        assert iri_of(node_id(iri)) == iri
    # The rest of an IRI that would read as an IRI scheme, or as a ~ id, keeps the ~ form.
    assert node_id(f"{ID}urn:x").startswith("~")
    assert node_id(f"{ID}~x").startswith("~")
