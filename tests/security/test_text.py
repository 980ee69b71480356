"""Characters XML cannot carry never reach the graph (writes and loads refuse them), the
pictures drop any a store holds, and text from requests cannot forge a log line."""

from __future__ import annotations

import logging
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import InputError
from kg.http.app import create_app
from kg.model.text import SafeFormatter, log_safe
from kg.settings import Settings
from kg.store.protocol import Store
from kg.writes.load import load
from tests.asgi import AppClient
from tests.plugins.graphql_client import Client, count_quads
from tests.plugins.server import Server

ID = "https://w3id.org/aikg/id/"
CREATE = """
mutation($input: OrganisationInput!) {
  result: createOrganisation(source: "https://w3id.org/aikg/id/source/seemless-article",
                             input: $input) {
    __typename ... on InvalidInput { message field }
  }
}"""


@pytest.mark.parametrize("bad", ["\u0001", "\u000b", "\ufffe", "\u0000"])
def test_a_write_with_a_character_xml_cannot_carry_is_refused(client: Client, bad: str) -> None:
    before = count_quads(client.store)
    result = client.write(
        CREATE, input={"label": "Example", "kinds": ["CLOUD_PROVIDER"], "description": f"ab{bad}c"}
    )
    assert result["__typename"] == "InvalidInput"
    assert result["field"] == "description"
    assert f"character 3 is the control character U+{ord(bad):04X}" in result["message"] or (
        f"U+{ord(bad):04X}, which is not a character" in result["message"]
    )
    assert count_quads(client.store) == before


def test_tabs_and_line_breaks_are_written(client: Client) -> None:
    result = client.write(
        CREATE, input={"label": "Example", "kinds": ["CLOUD_PROVIDER"], "description": "a\tb\r\nc"}
    )
    assert result["__typename"] == "WriteSuccess"


TURTLE = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/aikg/id/org/x> rdfs:label "X\\u0007Y" .
"""


@pytest.mark.parametrize("bulk", [False, True])
def test_a_load_with_such_a_character_is_refused_and_loads_nothing(
    store: Store, tmp_path: Path, bulk: bool
) -> None:
    path = tmp_path / "bell.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    before = count_quads(store)
    with pytest.raises(InputError) as raised:
        load(store, [path], bulk=bulk)
    assert str(path) in raised.value.message
    assert "character 2 is the control character U+0007" in raised.value.message
    assert count_quads(store) == before


def test_kg_load_exits_2_on_such_a_character(tmp_path: Path) -> None:
    path = tmp_path / "bell.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["load", "--store", str(tmp_path / "s"), str(path)])
    assert result.exit_code == 2
    assert "U+0007" in result.output


def test_the_timeline_stays_valid_xml_when_the_store_holds_such_a_character(
    article_store: Store,
) -> None:
    """A store kg did not fill (or filled before these checks) may hold one: the SVG drops it."""
    rows = article_store.select(
        "SELECT ?e WHERE { ?e a <https://w3id.org/aikg/def#StrategyEvent> } LIMIT 1"
    )
    event = rows[0]["e"].value
    article_store.update(
        f"INSERT DATA {{ GRAPH <urn:x:test> {{ <{event}> "
        '<http://purl.org/dc/terms/description> "bell\\u0007" ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> "Bell\\u0007 event" } }'
    )
    http = AppClient(create_app(Settings(load_article=False), store=article_store))
    response = http.get("/timeline", params={"format": "svg"})
    assert response.status_code == 200
    svg = ET.fromstring(response.content)  # raises on invalid XML
    assert "Bell event" in "".join(svg.itertext())


def test_log_lines_cannot_be_forged() -> None:
    record = logging.LogRecord(
        "kg", logging.INFO, __file__, 1, "GraphQL error: %s", ("x\r\nINFO: forged\x1b[2J",), None
    )
    line = SafeFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO GraphQL error: x\\r\\nINFO: forged\\x1b[2J"
    assert log_safe("a\u2028b\u0085c\x7f") == "a\\x2028b\\x85c\\x7f"


def test_a_tracebacks_lines_are_indented_and_escaped() -> None:
    try:
        raise RuntimeError("boom\nINFO: forged")
    except RuntimeError:
        record = logging.LogRecord("kg", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    lines = SafeFormatter("%(levelname)s %(message)s").format(record).splitlines()
    assert lines[0] == "ERROR failed"
    assert all(line.startswith("    ") for line in lines[1:])
    assert "    INFO: forged" in lines  # the forged text stays inside the indented traceback


def test_a_running_server_writes_no_forged_line(
    kg_server_factory: Callable[..., Server],
) -> None:
    server = kg_server_factory()
    forged = "INFO:     127.0.0.1:1 - FORGED"
    queries = [
        "{ organisations(text: 1) \r\n" + forged + "\n",  # a syntax error quoting the document
        '{ node(id: "a\\r\\n' + forged + '") { id } }',  # an id quoted in an error
    ]
    for query in queries:
        httpx.post(f"{server.url}/graphql", json={"query": query}, timeout=30)
    httpx.get(f"{server.url}/sparql", params={"query": "SELECT * {\r\n" + forged}, timeout=30)
    server.stop()
    log = server.log()
    assert "FORGED" in log  # the text was logged...
    assert not [line for line in log.splitlines() if line.startswith(forged)]  # ...not as a line
