"""kg's own graphs (history, ontology) cannot be written by loads or writes, RDF/XML with a
DOCTYPE is refused in every parse path, and running out of memory is unusable input (exit 2)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import ParseError
from kg.model import rdf
from kg.store.opening import ensure_seeded, open_store
from kg.store.protocol import Store
from tests.plugins.graphql_client import Client

HISTORY = "https://w3id.org/aikg/graph/history"
ONTOLOGY = "https://w3id.org/aikg/graph/ontology"
TRIPLE = '<http://example.org/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n'
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="http://example.org/x"><rdfs:label>&e;</rdfs:label></rdf:Description>
</rdf:RDF>
"""


def _seeded(location: Path) -> str:
    store = open_store(str(location))
    try:
        ensure_seeded(store)
    finally:
        store.close()
    return str(location)


def _graph_size(location: str, graph: str) -> int:
    store = open_store(location)
    try:
        rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    finally:
        store.close()
    return int(rows[0]["n"].value)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("name", "content", "args"),
    [
        ("history.ttl", TRIPLE, []),
        ("ontology.nt", TRIPLE, []),
        ("data.ttl", TRIPLE, ["--graph", ONTOLOGY]),
        ("data.trig", f"<{ONTOLOGY}> {{ {TRIPLE} }}\n", []),
        ("big.ttl", TRIPLE, ["--graph", HISTORY, "--bulk"]),
        ("big.trig", f"<{ONTOLOGY}> {{ {TRIPLE} }}\n", ["--bulk"]),
    ],
)
def test_kg_load_refuses_the_reserved_graphs(
    tmp_path: Path, name: str, content: str, args: list[str]
) -> None:
    location = _seeded(tmp_path / "store")
    before = _graph_size(location, ONTOLOGY)
    (tmp_path / name).write_text(content)
    result = CliRunner().invoke(main, ["load", "--store", location, *args, str(tmp_path / name)])
    assert result.exit_code == 2, result.output
    assert "reserved to kg" in result.output
    assert _graph_size(location, ONTOLOGY) == before > 0


def test_a_source_titled_history_gets_its_own_graph(article_store: Store) -> None:
    client = Client(article_store)
    mutation = (
        "mutation($input: SourceInput!) { result: recordSource(input: $input) { __typename "
        "... on WriteSuccess { id } } }"
    )
    source = {
        "title": "History",
        "publisher": "https://w3id.org/aikg/id/org/seemless",
        "datePublished": "2026-03-17",
        "url": "https://example.org/history",
        "facts": [],
    }
    result = client.write(mutation, input=source)
    assert result["__typename"] == "WriteSuccess", result
    assert result["id"] == "https://w3id.org/aikg/id/source/history-2"
    assert not article_store.ask(
        f"ASK {{ GRAPH <{HISTORY}> {{ <https://w3id.org/aikg/id/source/history-2> ?p ?o }} }}"
    )


def test_rdfxml_with_entities_is_refused_by_every_parse_path(tmp_path: Path) -> None:
    bomb = tmp_path / "laughs.rdf"
    bomb.write_text(LAUGHS)
    started = time.monotonic()
    result = CliRunner().invoke(main, ["validate", str(bomb)])
    assert result.exit_code == 2 and "DOCTYPE" in result.output, result.output
    location = _seeded(tmp_path / "store")
    for bulk in ("--no-bulk", "--bulk"):
        result = CliRunner().invoke(main, ["load", "--store", location, bulk, str(bomb)])
        assert result.exit_code == 2 and "DOCTYPE" in result.output, result.output
    with pytest.raises(ParseError, match="line 2"):
        list(rdf.iter_file(bomb, rdf.format_named("rdfxml")))
    assert time.monotonic() - started < 10


def test_rdfxml_without_a_doctype_still_loads(tmp_path: Path) -> None:
    plain = tmp_path / "plain.rdf"
    plain.write_text(LAUGHS.split("<rdf:RDF", 1)[0].split("<!DOCTYPE")[0] + "<rdf:RDF"
                     + LAUGHS.split("<rdf:RDF", 1)[1].replace("&e;", "x"))  # fmt: skip
    assert len(rdf.parse_file(plain)) == 1


@pytest.mark.slow
def test_out_of_memory_is_exit_2(tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w") as fh:
        for i in range(400_000):
            fh.write(f'<http://example.org/s{i}> <http://example.org/p> "value {i} padding" .\n')

    def cap() -> None:  # the address space of a small machine
        resource.setrlimit(resource.RLIMIT_AS, (800 << 20, 800 << 20))

    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "validate", str(big)],
        preexec_fn=cap,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "out of memory" in done.stderr
