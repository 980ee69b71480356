"""Metrics an operator scrapes at /metrics, and the JSON access log."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import open_store
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.graphql_client import TOKEN, Client
from tests.plugins.server import Server


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text exposition, by name and labels."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def metrics(http: AppClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return scrape(response.text)


def test_requests_are_counted_by_route_template_not_path(article_store: Store) -> None:
    route = "/id/{path:path}"
    with AppClient(create_app(Settings(load_article=False), store=article_store)) as http:
        before = metrics(http)
        for path in ("/id/org/openai", "/id/org/google", "/id/org/no-such-org", "/no/such/page"):
            http.get(path)
        after = metrics(http)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("kg_http_requests_total", method="GET", route=route, status="200") == 2
    assert delta("kg_http_requests_total", method="GET", route=route, status="404") == 1
    assert delta("kg_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert not any("org/openai" in dict(labels).get("route", "") for _, labels in after)
    assert delta("kg_http_request_duration_seconds_count", method="GET", route=route) == 3
    # A node page reads the store four times, whatever the node (known or not).
    assert delta("kg_store_queries_per_request_count", route=route) == 3
    assert delta("kg_store_queries_per_request_sum", route=route) == 3 * 4
    assert delta("kg_store_calls_total", method="select") >= 11


def test_writes_validation_failures_and_searches_are_counted(client: Client) -> None:
    with AppClient(create_app(Settings(load_article=False), store=client.store)) as http:
        before = metrics(http)
    update = (
        'mutation($patch: UnitPatch!) { result: updateUnit(id: "unit/openai-facility-management",'
        ' source: "source/seemless-article", patch: $patch) { __typename } }'
    )
    assert client.write(update, patch={"description": "Runs the sites."})["__typename"] == (
        "WriteSuccess"
    )
    broken = client.write(update, patch={"unitOf": "org/openai", "label": None})
    assert broken["__typename"] == "ValidationFailed"
    client.query('{ search(text: "Stargate") { __typename } }')
    with AppClient(create_app(Settings(load_article=False), store=client.store)) as http:
        after = metrics(http)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("kg_writes_total", operation="updateUnit", result="committed") == 1
    assert delta("kg_writes_total", operation="updateUnit", result="validation_failed") == 1
    assert delta("kg_validation_failures_total") == 1
    assert delta("kg_searches_total") == 1


def test_one_json_access_log_line_per_request_with_control_characters_escaped(
    article_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.INFO, logger="kg.access"),
        AppClient(create_app(Settings(load_article=False), store=article_store)) as http,
    ):
        http.get("/id/org/openai", headers={"user-agent": "agent\r\nforged: line"})
        http.get("/nothing%0D%0A%7B%22status%22%3A200%7D")
    lines = [r.getMessage() for r in caplog.records if r.name == "kg.access"]
    assert len(lines) == 2
    assert all("\n" not in line and "\r" not in line for line in lines)
    first, second = (json.loads(line) for line in lines)
    assert first["route"] == "/id/{path:path}" and first["status"] == 200
    assert first["store_calls"] == 4 and first["ms"] > 0
    assert first["user_agent"] == "agent\r\nforged: line"
    assert second["path"] == '/nothing\r\n{"status":200}' and second["status"] == 404


def test_several_workers_answer_the_sum_of_their_counts(
    kg_server_factory: Callable[..., Server], oxigraph_server: object
) -> None:
    url = oxigraph_server.url  # type: ignore[attr-defined]
    server = kg_server_factory(env={"KG_STORE": url}, args=["--workers", "2"])
    for _ in range(20):  # new connections, so both workers answer some
        httpx.get(f"{server.url}/id/org/openai", headers={"Connection": "close"}, timeout=30)
    totals = set()
    for _ in range(6):
        samples = scrape(httpx.get(f"{server.url}/metrics", headers={"Connection": "close"}).text)
        totals.add(
            value(
                samples,
                "kg_http_requests_total",
                method="GET",
                route="/id/{path:path}",
                status="200",
            )
        )
    assert totals == {20.0}
    log = server.log()
    assert log.count('"route": "/id/{path:path}"') == 20


def test_sparql_updates_are_counted_as_writes(article_store: Store) -> None:
    app = create_app(Settings(load_article=False, write_token=TOKEN), store=article_store)
    update = (
        "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test> { "
        "<https://w3id.org/aikg/id/org/x> <http://www.w3.org/2000/01/rdf-schema#label> 'X' } }"
    )
    with AppClient(app) as http:
        before = metrics(http)
        done = http.post(
            "/sparql", data={"update": update}, headers={"authorization": f"Bearer {TOKEN}"}
        )
        refused = http.post("/sparql", data={"update": update})
        after = metrics(http)
    assert (done.status_code, refused.status_code) == (204, 401)
    key = {"operation": "sparqlUpdate", "result": "committed"}
    assert value(after, "kg_writes_total", **key) - value(before, "kg_writes_total", **key) == 1


def test_the_access_log_cuts_a_long_path_as_it_cuts_the_query(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store("memory")
    with (
        caplog.at_level(logging.INFO, logger="kg.access"),
        AppClient(create_app(Settings(load_article=False), store=store)) as http,
    ):
        http.get("/id/" + "p" * 20_000, params={"q": "q" * 20_000})
    store.close()
    (line,) = (json.loads(r.getMessage()) for r in caplog.records if r.name == "kg.access")
    assert line["path"] == ("/id/" + "p" * 20_000)[:1000]
    assert len(line["query"]) == 1000
