"""Each request costs a bounded number of SPARQL queries: one per nesting level, whatever the
number of nodes (batched with VALUES), on the embedded and the remote store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import generate
from kg.model import paths, rdf
from kg.model.namespaces import ONTOLOGY_GRAPH
from kg.store.protocol import Store
from tests.plugins.graphql_api import CountingStore, GraphQL

NESTED = """
query($n: Int!) {
  organisations(first: $n) {
    totalCount
    nodes {
      name
      kinds { label }
      units(first: 20) {
        name parent { name } posts(first: 20) { title holder { __typename ... on Person { name } } }
      }
      posts(first: 20) { title }
      events(first: 20) { name date kind { label } }
    }
  }
}
"""


@pytest.fixture
def synthetic(store: Store, tmp_path: Path) -> Store:
    """A store holding a synthetic graph of about 80 organisations and the ontology."""
    path = tmp_path / "synthetic.nq"
    generate(str(path), triples=5_000, seed=0, broken_fraction=0.0)
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, ontology) for q in rdf.parse_file(paths.ONTOLOGY)
    ]
    store.add_quads([*quads, *rdf.parse_file(path)])
    return store


def run(store: Store, n: int) -> tuple[dict, list[str]]:  # type: ignore[type-arg]
    counting = CountingStore(store)
    data = GraphQL(counting).data(NESTED, {"n": n})
    return data, counting.selects


def test_query_count_does_not_grow_with_the_page(synthetic: Store) -> None:
    small, small_queries = run(synthetic, 5)
    large, large_queries = run(synthetic, 50)
    assert len(small["organisations"]["nodes"]) == 5
    assert len(large["organisations"]["nodes"]) == 50
    assert sum(len(o["units"]) for o in large["organisations"]["nodes"]) > 0
    assert sum(len(o["events"]) for o in large["organisations"]["nodes"]) > 0
    assert len(small_queries) == len(large_queries)
    # page + its count (totalCount) + organisations + their units/posts/events
    # + parents/posts + holders
    assert len(large_queries) == 6
    assert "COUNT" in large_queries[1]
    assert all("VALUES ?s" in q for q in large_queries[2:])


def test_nodes_are_batched_in_values(synthetic: Store) -> None:
    _, queries = run(synthetic, 50)
    level = queries[2]
    assert level.count("<https://w3id.org/aikg/id/org/") >= 50


def test_the_list_is_counted_only_when_total_count_is_asked_for(synthetic: Store) -> None:
    counted = CountingStore(synthetic)
    GraphQL(counted).data("{ organisations(first: 5) { totalCount nodes { name } } }")
    plain = CountingStore(synthetic)
    GraphQL(plain).data("{ organisations(first: 5) { nodes { name } } }")
    assert len(counted.selects) == len(plain.selects) + 1
    assert not any("COUNT" in q for q in plain.selects)
