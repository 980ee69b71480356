"""Two ``kg serve`` replicas over one Oxigraph server: a write validated against a state the
other replica has changed since never stands, and the graph stays valid.

Each round creates an organisation, then at the same moment asks one replica to delete it and
the other to add a unit to it. Without a precondition on the update both could validate (each
against the state before the other) and commit, leaving a unit of an organisation that no
longer exists. The head precondition stops a write prepared before the other committed; when
the server runs both updates at the same moment (Oxigraph takes no lock, so both can commit),
the write that finds the other after its commit is reverted and answers ``WriteConflict``.
So at most one of the two succeeds, each success is in the graph, and no unit dangles.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.store.opening import open_store
from kg.writes import history
from tests.plugins.graphql_client import TOKEN, LiveClient
from tests.plugins.server import start_server
from tests.plugins.stores import OxigraphServer

ID = "https://w3id.org/aikg/id/"
SOURCE = f"{ID}source/seemless-article"
ROUNDS = 12

CREATE_ORG = """mutation($label: String!, $source: ID!) {
  createOrganization(source: $source, input: {label: $label, kinds: [AI_LAB]}) {
    __typename ... on WriteSuccess { id }
  }
}"""
DELETE_ORG = """mutation($id: ID!) { deleteOrganization(id: $id) { __typename } }"""
CREATE_UNIT = """mutation($label: String!, $org: ID!, $source: ID!) {
  createUnit(source: $source, input: {label: $label, unitOf: $org}) {
    __typename ... on WriteSuccess { id }
  }
}"""


def race(a: LiveClient, b: LiveClient, org_id: str, i: int) -> tuple[dict[str, Any], ...]:
    """Delete the organisation through ``a`` while ``b`` adds a unit to it; both results."""
    results: dict[str, Any] = {}
    barrier = threading.Barrier(2)

    def delete() -> None:
        barrier.wait()
        results["delete"] = a.graphql(DELETE_ORG, id=org_id)["deleteOrganization"]

    def add_unit() -> None:
        barrier.wait()
        results["unit"] = b.graphql(
            CREATE_UNIT, label=f"Replica team {i}", org=org_id, source=SOURCE
        )["createUnit"]

    threads = [threading.Thread(target=delete), threading.Thread(target=add_unit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results["delete"], results["unit"]


@pytest.mark.timeout(240)
def test_two_replicas_never_commit_writes_validated_on_a_stale_state(
    tmp_path: Path, oxigraph_server: OxigraphServer
) -> None:
    httpx.post(f"{oxigraph_server.base}/update", data={"update": "DROP ALL"}).raise_for_status()
    env = {"KG_WRITE_TOKEN": TOKEN, "KG_STORE": oxigraph_server.url}
    first = start_server(tmp_path / "a", env)
    second = start_server(tmp_path / "b", env)
    a, b = LiveClient(first.url), LiveClient(second.url)
    outcomes: list[tuple[str, str]] = []
    orgs_deleted: list[str] = []
    units_added: list[str] = []
    try:
        for i in range(ROUNDS):
            org = a.graphql(CREATE_ORG, label=f"Replica lab {i}", source=SOURCE)
            org_id = org["createOrganization"]["id"]
            deleted, unit = race(a, b, org_id, i)
            outcomes.append((deleted["__typename"], unit["__typename"]))
            if deleted["__typename"] == "WriteSuccess":
                orgs_deleted.append(org_id)
            if unit["__typename"] == "WriteSuccess":
                units_added.append(unit["id"])
        # one more write after the races joins any fork they left in the history
        a.graphql(CREATE_ORG, label="Replica lab after", source=SOURCE)

        dangling = a.select(
            "SELECT ?unit WHERE { GRAPH ?g { ?unit <http://www.w3.org/ns/org#unitOf> ?org } "
            "FILTER NOT EXISTS { GRAPH ?h { ?org a <http://www.w3.org/ns/org#FormalOrganization> "
            "} } }"
        )
        nodes = {r["s"] for r in a.select("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t } }")}
    finally:
        a.close()
        b.close()
        first.stop()
        second.stop()
    store = open_store(oxigraph_server.url)
    try:
        report = history.validate(store)
    finally:
        store.close()

    print(f"outcomes: {outcomes}")
    expected = {"WriteSuccess", "ValidationFailed", "NotFound", "WriteConflict"}
    assert {kind for pair in outcomes for kind in pair} <= expected, outcomes
    assert ("WriteSuccess", "WriteSuccess") not in outcomes, outcomes
    # every acknowledged write stands, and nothing refused or reverted is left
    assert not set(orgs_deleted) & nodes
    assert set(units_added) <= nodes
    assert {n for n in nodes if "/unit/replica-team-" in n} == set(units_added)
    assert dangling == []
    assert report.conforms, report.to_text()  # one history head again, every change recorded
    assert TOKEN not in first.log() + second.log()
