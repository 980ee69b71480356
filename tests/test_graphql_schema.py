"""The committed schema.graphql is the schema the code builds; ``kg schema`` prints it;
``kg query`` runs a query and ``--explain`` shows the SPARQL it generated."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli.commands import main
from kg.graphql.schema import sdl
from kg.model import paths

COMMITTED = paths.ONTOLOGY_DIR.parent / "schema.graphql"


def test_committed_sdl_matches_the_code() -> None:
    assert COMMITTED.read_text() == sdl(), (
        "schema.graphql is stale: run `kg schema > schema.graphql`"
    )


def test_kg_schema_prints_the_sdl() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert result.output == COMMITTED.read_text()
    assert "type Organisation implements Node" in result.output


def test_kg_query_prints_json_and_explains() -> None:
    result = CliRunner().invoke(
        main,
        [
            "query",
            "--store",
            "memory",
            "--explain",
            "--variables",
            '{"id": "org/openai"}',
            "query($id: ID!) { node(id: $id) { ... on Organisation { name units { name } } } }",
        ],
    )
    assert result.exit_code == 0, result.output
    body, _, explained = result.output.partition("\n# SPARQL query 1 of 2\n")
    assert json.loads(body)["data"]["node"]["name"] == "OpenAI"
    assert "VALUES ?s { <https://w3id.org/aikg/id/org/openai> }" in explained
    assert "# SPARQL query 2 of 2" in explained


def test_kg_query_exit_codes() -> None:
    runner = CliRunner()
    failed = runner.invoke(main, ["query", "--store", "memory", "{ nothing }"])
    assert failed.exit_code == 1
    assert "Cannot query field 'nothing'" in failed.output
    unusable = runner.invoke(main, ["query", "--store", "memory", "--variables", "[1]", "{ x }"])
    assert unusable.exit_code == 2
    assert "--variables must be a JSON object" in unusable.output


def test_execute_in_process_with_or_without_a_running_loop() -> None:
    import asyncio

    from kg.graphql.schema import execute
    from kg.settings import Settings
    from kg.store.opening import ensure_seeded, open_store

    store = open_store("memory")
    ensure_seeded(store)
    query = '{ node(id: "org/openai") { ... on Organisation { name } } }'
    expected = {"data": {"node": {"name": "OpenAI"}}}
    assert execute(store, Settings(), query) == expected

    async def inside_a_loop() -> dict:  # type: ignore[type-arg]
        return execute(store, Settings(), query)

    assert asyncio.run(inside_a_loop()) == expected
