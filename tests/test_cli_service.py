"""The commands beside a running ``kg serve`` on the same embedded store: the README's and
docs/cli.md's examples, through the service (``kg.cli.service``, ``kg.store.serving``)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from kg.cli.commands import main
from kg.store import serving
from kg.store.embedded import EmbeddedStore
from tests.plugins.server import Server
from tests.test_validate_cli import VALID_TURTLE as VALID

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "a-write-token-for-the-tests"
NOTES = "https://w3id.org/aikg/graph/notes"


@pytest.fixture(scope="module")
def served(
    kg_server_factory: Callable[..., Server], tmp_path_factory: pytest.TempPathFactory
) -> Server:
    store = tmp_path_factory.mktemp("served") / "store"
    env = {"KG_STORE": str(store), "KG_WRITE_TOKEN": TOKEN, "KG_MAX_BODY": "100000"}
    return kg_server_factory(env=env)


@pytest.fixture
def kg(served: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    """``kg ARGS...`` in the repository's directory, on the store the server holds."""
    monkeypatch.chdir(ROOT)
    for name in [n for n in os.environ if n.startswith("KG_")]:
        monkeypatch.delenv(name)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env={"KG_STORE": served.store, **(env or {})})

    yield run


def test_the_readme_query_runs_while_kg_serve_holds_the_store(
    served: Server, kg: Callable[..., Result]
) -> None:
    result = kg("query", "@queries/providers-openai-turns-to.graphql")
    assert result.exit_code == 0, result.output
    expected = json.loads((ROOT / "queries/providers-openai-turns-to.expected.json").read_text())
    assert json.loads(result.stdout) == expected
    assert f"held by kg serve (pid {served.process.pid}); using {served.url}" in result.stderr


def test_explain_runs_over_the_services_sparql_endpoint(kg: Callable[..., Result]) -> None:
    result = kg("query", "{ organisations(first: 2) { totalCount } }", "--explain")
    assert result.exit_code == 0, result.output
    assert "# SPARQL query 1 of" in result.stdout


def test_sparql_export_and_validate_run_while_kg_serve_holds_the_store(
    kg: Callable[..., Result], tmp_path: Path
) -> None:
    table = kg("sparql", "@queries/providers-openai-turns-to.rq")
    assert table.exit_code == 0, table.output
    header, _, first, *_ = table.stdout.splitlines()
    assert header.split()[:5] == ["provider", "platform", "kind", "lang(kind)", "status"]
    assert first.split()[:6] == ["Amazon", "AWS", "Not", "stated", "en", "Not"]
    assert "@en" not in table.stdout

    out = tmp_path / "editorial.ttl"
    exported = kg("export", "--graph", "https://w3id.org/aikg/graph/kg-editorial", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    assert len(ox.parse(path=str(out), format=ox.RdfFormat.TURTLE).__iter__().__next__()) > 0

    checked = kg("validate", "--store")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("Conforms")


def test_load_goes_through_the_services_write_path(
    kg: Callable[..., Result], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.ttl"
    notes.write_text(VALID)
    refused = kg("load", str(notes), "--graph", NOTES)
    assert refused.exit_code == 1
    assert "write token" in refused.output and "KG_WRITE_TOKEN" in refused.output

    loaded = kg("load", str(notes), "--graph", NOTES, env={"KG_WRITE_TOKEN": TOKEN})
    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("Loaded 3 triples into 1 graph(s) from 1 file(s) through")
    history = kg(
        "sparql",
        "SELECT ?what WHERE { GRAPH <https://w3id.org/aikg/graph/history> "
        "{ ?c rdfs:label ?what ; kg:addedStatements ?added } FILTER(CONTAINS(?added, 'Acme')) }",
    )
    assert "load" in history.stdout and "(1 row)" in history.stdout

    broken = tmp_path / "broken.ttl"
    broken.write_text(VALID.replace('rdfs:label "Acme" ;', ""))
    failed = kg("load", str(broken), "--graph", NOTES, "--token", TOKEN)
    assert failed.exit_code == 1
    assert (
        "<https://example.org/org/acme>" in failed.output and "nothing was written" in failed.output
    )


def test_a_load_over_the_services_body_limit_says_so(
    kg: Callable[..., Result], tmp_path: Path
) -> None:
    big = tmp_path / "big.nt"
    big.write_text(
        "".join(
            f'<https://example.org/x/{n}> <http://www.w3.org/2000/01/rdf-schema#comment> "{n}" .\n'
            for n in range(3000)
        )
    )
    result = kg("load", str(big), "--graph", NOTES, "--token", TOKEN)
    assert result.exit_code == 2
    assert "more than the service at" in result.output
    assert "max_body: 100,000 bytes" in result.output


def test_a_held_store_without_a_service_says_what_to_do(tmp_path: Path) -> None:
    location = tmp_path / "store"
    held = EmbeddedStore(str(location))
    try:
        result = CliRunner().invoke(main, ["sparql", "ASK {}", "--store", str(location)])
    finally:
        held.close()
    assert result.exit_code == 1
    assert "no running kg serve is recorded" in result.output
    assert "--store http://HOST:PORT/sparql" in result.output


def test_a_record_whose_process_is_gone_is_stale(tmp_path: Path) -> None:
    location = tmp_path / "store"
    path = serving.publish(location, "http://127.0.0.1:9")
    assert serving.find(location) == serving.Service("http://127.0.0.1:9", os.getpid())
    path.write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2**22 + 12345}))
    assert serving.find(location) is None
    serving.withdraw(location)  # another process's record: kept
    assert path.exists()
