"""Pages of the root lists, on the embedded store and over each SPARQL engine: keyset cursors
that walk a list forwards and backwards in every order, stay put when the list changes between
two pages, and refuse cursors that are not theirs."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
import pytest

from kg.model.namespaces import KG, ORG
from kg.store.protocol import Store
from tests.plugins.graphql_api import GraphQL

ID = "https://w3id.org/aikg/id/"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
GRAPH = ox.NamedNode("https://w3id.org/aikg/source/test-pages")

#: (list, order, the field that names a node) for every order of two lists.
ORDERS = [
    ("organisations", "NAME_ASC", "name"),
    ("organisations", "NAME_DESC", "name"),
    ("events", "DATE_ASC", "id"),
    ("events", "DATE_DESC", "id"),
    ("events", "NAME_ASC", "id"),
]


def page(
    graphql: GraphQL, field: str, order: str, arguments: str, variables: dict[str, Any]
) -> dict[str, Any]:
    declared = ", ".join(f"${v}: String" for v in ("after", "before") if f"${v}" in arguments)
    query = (
        f"query{f'({declared})' if declared else ''} {{ {field}(orderBy: {order}, {arguments}) "
        "{ pageInfo { hasNextPage hasPreviousPage startCursor endCursor } "
        "edges { cursor node { id name } } } }"
    )
    connection: dict[str, Any] = graphql.data(query, variables)[field]
    return connection


def walk(graphql: GraphQL, field: str, order: str, size: int, *, backwards: bool) -> list[str]:
    """Every node of the list, a page of ``size`` at a time, from its start (``first``/
    ``after``) or from its end (``last``/``before``)."""
    count, cursor, more, behind, next_cursor = (
        ("last", "before", "hasPreviousPage", "hasNextPage", "startCursor")
        if backwards
        else ("first", "after", "hasNextPage", "hasPreviousPage", "endCursor")
    )
    seen: list[str] = []
    at = None
    while True:
        p = page(graphql, field, order, f"{count}: {size}, {cursor}: ${cursor}", {cursor: at})
        assert p["pageInfo"][behind] is (at is not None)
        ids = [e["node"]["id"] for e in p["edges"]]
        seen = ids + seen if backwards else seen + ids
        if not p["pageInfo"][more]:
            return seen
        at = p["pageInfo"][next_cursor]


def walk_forwards(graphql: GraphQL, field: str, order: str, size: int) -> list[str]:
    return walk(graphql, field, order, size, backwards=False)


def walk_backwards(graphql: GraphQL, field: str, order: str, size: int) -> list[str]:
    return walk(graphql, field, order, size, backwards=True)


def whole(graphql: GraphQL, field: str, order: str) -> list[str]:
    return [e["node"]["id"] for e in page(graphql, field, order, "first: 1000", {})["edges"]]


@pytest.mark.parametrize(("field", "order", "_"), ORDERS)
def test_pages_walk_the_list_both_ways_in_every_order(
    graphql: GraphQL, field: str, order: str, _: str
) -> None:
    everything = whole(graphql, field, order)
    assert len(everything) >= 6
    assert len(set(everything)) == len(everything)
    # Page sizes that leave a short last page both ways.
    assert walk_forwards(graphql, field, order, 4) == everything
    assert walk_backwards(graphql, field, order, 5 if len(everything) < 10 else 3) == everything


def test_an_order_is_the_reverse_of_the_other(graphql: GraphQL) -> None:
    ascending = whole(graphql, "organisations", "NAME_ASC")
    assert whole(graphql, "organisations", "NAME_DESC") == ascending[::-1]
    names = [
        e["node"]["name"]
        for e in page(graphql, "organisations", "NAME_ASC", "first: 1000", {})["edges"]
    ]
    assert names == sorted(names, key=str.lower)


def add_event(store: Store, key: str, name: str, date: str | None) -> str:
    node = ox.NamedNode(f"{ID}event/{key}")
    quads = [
        ox.Quad(node, TYPE, ox.NamedNode(str(KG.StrategyEvent)), GRAPH),
        ox.Quad(node, LABEL, ox.Literal(name), GRAPH),
    ]
    if date is not None:
        quads.append(
            ox.Quad(
                node,
                ox.NamedNode(str(KG.date)),
                ox.Literal(date, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
                GRAPH,
            )
        )
    store.add_quads(quads)
    return f"event/{key}"


def test_undated_events_come_last_in_both_date_orders(
    graphql: GraphQL, article_store: Store
) -> None:
    undated = add_event(article_store, "zz-undated-test", "An undated event", None)
    early = add_event(article_store, "aa-undated-test", "Another undated event", None)
    for order in ("DATE_ASC", "DATE_DESC"):
        events = graphql.data(
            f"{{ events(orderBy: {order}, first: 1000) {{ nodes {{ id date }} }} }}"
        )
        dates = [e["date"] for e in events["events"]["nodes"]]
        dated = [d for d in dates if d is not None]
        assert dates == dated + [None] * (len(dates) - len(dated)), order
        assert dated == sorted(dated, reverse=order == "DATE_DESC")
        tail = [e["id"] for e in events["events"]["nodes"]][len(dated) :]
        assert {undated, early} <= set(tail)
        everything = whole(graphql, "events", order)
        assert walk_forwards(graphql, "events", order, 3) == everything
        assert walk_backwards(graphql, "events", order, 3) == everything


def test_a_node_added_between_two_pages_shifts_nothing(
    graphql: GraphQL, article_store: Store
) -> None:
    first = page(graphql, "organisations", "NAME_ASC", "first: 5", {})
    after = {"after": first["pageInfo"]["endCursor"]}
    second = page(graphql, "organisations", "NAME_ASC", "first: 5, after: $after", after)
    node = ox.NamedNode(f"{ID}org/aaa-added-between-pages")
    article_store.add_quads(
        [
            ox.Quad(node, TYPE, ox.NamedNode(str(ORG.FormalOrganization)), GRAPH),
            ox.Quad(node, LABEL, ox.Literal("00 added between pages"), GRAPH),
        ]
    )
    again = page(graphql, "organisations", "NAME_ASC", "first: 5, after: $after", after)
    assert again["edges"] == second["edges"]
    assert whole(graphql, "organisations", "NAME_ASC")[0] == "org/aaa-added-between-pages"


def test_cursors_that_are_not_the_lists_are_refused(graphql: GraphQL) -> None:
    cursor = page(graphql, "organisations", "NAME_ASC", "first: 2", {})["pageInfo"]["endCursor"]
    query = (
        "query($after: String) "
        "{ organisations(orderBy: NAME_DESC, first: 2, after: $after) { nodes { name } } }"
    )
    [message] = graphql.errors(query, {"after": cursor})
    assert "NAME_ASC" in message and "NAME_DESC" in message
    for bad in ("b2Zmc2V0OjM=", "not a cursor", "WyJrMSIsIDFd"):
        [message] = graphql.errors(query, {"after": bad})
        assert message.startswith("malformed cursor"), message


def test_a_cursor_with_quotes_and_backslashes_is_only_data(graphql: GraphQL) -> None:
    """The key and IRI a cursor carries go into the SPARQL as escaped strings."""
    import base64
    import json

    hostile = '"} } DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER("\\\\'
    raw = json.dumps(["k1", "NAME_ASC", hostile, hostile]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode()
    p = page(graphql, "organisations", "NAME_ASC", "first: 3, after: $after", {"after": cursor})
    assert all(e["node"]["name"] for e in p["edges"])
