"""The competency questions in queries/*.graphql give their expected answers over HTTP, on the
embedded and the remote store and from a running ``kg serve``; the README shows the first."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kg.model import paths
from tests.plugins.graphql_api import GraphQL
from tests.plugins.server import Server
from tests.plugins.stores import SparqlServer

QUERIES = paths.ONTOLOGY_DIR.parent / "queries"
CASES = sorted(p for p in QUERIES.glob("*.graphql") if p.with_suffix(".expected.json").exists())
README = paths.ONTOLOGY_DIR.parent / "README.md"


def expected(path: Path) -> dict:  # type: ignore[type-arg]
    result: dict = json.loads(path.with_suffix(".expected.json").read_text())  # type: ignore[type-arg]
    return result


def test_every_competency_question_has_a_graphql_query() -> None:
    questions = {p.stem for p in QUERIES.glob("*.rq")}
    assert questions <= {p.stem for p in CASES}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_query_gives_its_expected_answer(graphql: GraphQL, path: Path) -> None:
    assert graphql.post(path.read_text()) == expected(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_query_over_a_running_server(kg_server: str, path: Path) -> None:
    response = httpx.post(f"{kg_server}/graphql", json={"query": path.read_text()}, timeout=30)
    assert response.status_code == 200
    assert response.json() == expected(path)


def test_queries_over_a_server_on_the_remote_store(
    kg_server_factory: Callable[..., Server], remote_server: SparqlServer
) -> None:
    # remote_server is emptied: kg serve seeds it
    server = kg_server_factory(env={"KG_STORE": remote_server.url})
    try:
        for path in CASES:
            response = httpx.post(
                f"{server.url}/graphql", json={"query": path.read_text()}, timeout=30
            )
            assert response.json() == expected(path), path.name
    finally:
        server.stop()


def test_readme_shows_the_first_query_with_its_real_output() -> None:
    first = QUERIES / "providers-openai-turns-to.graphql"
    readme = README.read_text()
    section = readme.split("## A first GraphQL query\n", 1)[1].split("\n## ", 1)[0]
    assert f"```graphql\n{first.read_text()}```\n" in section
    shown = section.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(shown) == expected(first)
