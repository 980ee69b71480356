"""A static cost limit computed before a request runs, and pages for lists inside nodes.

Lists inside nodes once had no bound: a page of 1,000 nodes listing all their sources'
citations answered 3 MB in 6.8 s on a 1M-triple store, and fan-out multiplies. Now every list
of nodes has a page size (``first``, by default ``nested_page_size``) and a document whose
pages multiply past ``max_cost`` nodes is refused before it runs.
"""

from __future__ import annotations

from graphql import get_introspection_query

from kg.store.protocol import Store
from tests.plugins.graphql_api import CountingStore, GraphQL

SEEMLESS = "source/seemless-article"
FAN = "{ organisations(first: 1000) { nodes { sources { source { citations { quote } } } } } }"


def test_a_document_over_the_cost_limit_is_refused_with_its_cost_and_the_limit(
    article_store: Store,
) -> None:
    counting = CountingStore(article_store)
    errors = GraphQL(counting).errors(FAN)
    # 1,000 organisations, 100 sources each (nested_page_size), 100 citations per source
    assert errors == [
        "'anonymous' may return up to 10101000 nodes, more than the limit of 500000 "
        "(setting max_cost); ask for smaller pages (first) of the lists inside lists"
    ]
    assert counting.selects == []  # refused before any query ran


def test_smaller_pages_bring_it_within_the_limit(graphql: GraphQL) -> None:
    query = FAN.replace("sources {", "sources(first: 5) {").replace(
        "citations {", "citations(first: 10) {"
    )
    assert graphql.data(query)["organisations"]["nodes"]


def test_the_limit_and_the_default_page_are_settings(graphql: GraphQL) -> None:
    query = f'{{ node(id: "{SEEMLESS}") {{ ... on Source {{ citations {{ id }} }} }} }}'
    small = graphql.with_settings(nested_page_size=3)
    assert len(small.data(query)["node"]["citations"]) == 3
    assert graphql.with_settings(max_cost=2, nested_page_size=3).errors(query) == [
        "'anonymous' may return up to 3 nodes, more than the limit of 2 (setting max_cost); "
        "ask for smaller pages (first) of the lists inside lists"
    ]


def citations(graphql: GraphQL, args: str) -> list[str]:
    query = f'{{ node(id: "{SEEMLESS}") {{ ... on Source {{ citations{args} {{ id }} }} }} }}'
    return [c["id"] for c in graphql.data(query)["node"]["citations"]]


def test_nested_lists_page_with_first_and_after(graphql: GraphQL) -> None:
    everything = citations(graphql, "(first: 1000)")
    query = f'{{ citations(source: "{SEEMLESS}", first: 1) {{ totalCount }} }}'
    total = graphql.data(query)["citations"]["totalCount"]
    assert len(everything) == total > 20  # the article's citations, more than one page of 20
    pages: list[str] = []
    after = ""
    while True:
        page = citations(graphql, f"(first: 20{after})")
        if not page:
            break
        pages += page
        after = f', after: "{page[-1]}"'
    assert pages == everything
    assert citations(graphql, "") == everything[:100]


def test_aliases_with_different_pages_of_one_list(graphql: GraphQL) -> None:
    everything = citations(graphql, "(first: 1000)")
    query = f"""{{ node(id: "{SEEMLESS}") {{ ... on Source {{
        a: citations(first: 2) {{ id }}
        b: citations(first: 3, after: "{everything[1]}") {{ id }}
    }} }} }}"""
    source = graphql.data(query)["node"]
    assert [c["id"] for c in source["a"]] == everything[:2]
    assert [c["id"] for c in source["b"]] == everything[2:5]


def test_bad_nested_pages_are_clear_errors(graphql: GraphQL) -> None:
    base = f'{{ node(id: "{SEEMLESS}") {{ ... on Source {{ citations(%s) {{ id }} }} }} }}'
    assert graphql.errors(base % "first: 1001") == [
        "citations(first: 1001): first must be 0 to 1000 (setting max_page_size)"
    ]
    assert graphql.errors(base % 'after: "org/nobody"') == [
        "citations(after: 'org/nobody'): no such node in the list"
    ]


def test_paged_nested_lists_stay_one_query_per_level(article_store: Store) -> None:
    query = """{ organisations(first: 50) { nodes { name
        units(first: 2) { name posts(first: 1) { title } }
        sources(first: 3) { quote source { label } } } } }"""
    counting = CountingStore(article_store)
    data = GraphQL(counting).data(query)
    nodes = data["organisations"]["nodes"]
    assert any(len(n["sources"]) == 3 for n in nodes)
    assert all(len(n["units"]) <= 2 for n in nodes)
    # page + organisations + their units and sources + posts and sources' sources
    assert len(counting.selects) == 4


def test_the_playgrounds_introspection_is_within_the_limit(graphql: GraphQL) -> None:
    assert graphql.data(get_introspection_query(descriptions=True))["__schema"]["types"]


def test_introspection_is_refused_when_nested_and_costs_what_the_schema_holds(
    graphql: GraphQL,
) -> None:
    query = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    assert graphql.errors(query) == ["Maximum introspection depth exceeded"]  # GraphQL's rule
    [error] = graphql.with_settings(max_cost=1000).errors(get_introspection_query())
    assert "nodes, more than the limit of 1000 (setting max_cost)" in error
