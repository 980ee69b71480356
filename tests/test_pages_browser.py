"""The front page and the node pages in headless Chromium, against a live ``kg serve``: one
header on every page, links that lead where they say, nothing requested outside loopback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx

from tests.plugins.browser import QUERY_TEXT, RESULT_TEXT, BrowserPage

PAGES = [
    "/",
    "/id/org/openai",
    "/id/unit/openai-commercial-partnerships",
    "/def",
    "/def/Citation",
    "/orgchart",
    "/orgchart/openai",
    "/timeline",
    "/graphql",
]
NAVIGATION = [
    "GraphQL playground",
    "SPARQL",
    "Organisation charts",
    "Strategy timeline",
    "Ontology",
    "Data",
]


def shots() -> Path | None:
    folder = os.environ.get("KG_SCREENSHOTS")
    return Path(folder) if folder else None


def test_every_page_has_the_one_header(kg_server: str, browser_page: BrowserPage) -> None:
    page = browser_page.page
    for path in PAGES:
        page.goto(f"{kg_server}{path}")
        header = page.locator("header.kg-bar")
        assert header.count() == 1, path
        names = header.locator("nav a").all_inner_texts()
        assert names == NAVIGATION, path
        assert header.get_by_role("link", name="kg").get_attribute("href") == "/"
    browser_page.assert_loopback_only()
    browser_page.assert_no_errors()


def test_from_the_front_page_to_a_node_its_chart_and_the_playground(
    kg_server: str, browser_page: BrowserPage
) -> None:
    page = browser_page.page
    page.goto(f"{kg_server}/")
    assert page.get_by_role("heading", name="What it holds").is_visible()
    if shots():
        browser_page.screenshot(shots() / "front-page.png")  # type: ignore[operator]

    page.get_by_role("link", name="OpenAI", exact=True).first.click()
    page.wait_for_url("**/id/org/openai")
    assert page.get_by_role("heading", level=1).inner_text() == "OpenAI"
    assert page.get_by_role("heading", name="Sources").is_visible()
    if shots():
        browser_page.screenshot(shots() / "node-openai.png")  # type: ignore[operator]

    page.get_by_role("link", name="OpenAI infrastructure team").first.click()
    page.wait_for_url("**/id/unit/openai-infrastructure")
    page.get_by_role("link", name="Commercial Partnerships").first.click()
    page.wait_for_url("**/id/unit/openai-commercial-partnerships")
    page.get_by_role("link", name="Organisation chart of OpenAI").click()
    page.wait_for_url("**/orgchart/org/openai")
    assert "Organisation chart: OpenAI" in page.get_by_role("heading", level=1).inner_text()

    page.go_back()
    page.get_by_role("link", name="Query it in the playground").click()
    run = page.get_by_role("button", name="Execute query (Ctrl-Enter)")
    run.wait_for(timeout=30_000)
    query = page.evaluate(QUERY_TEXT)
    assert 'node(id: "unit/openai-commercial-partnerships")' in query
    run.click()
    page.wait_for_function(f"() => ({RESULT_TEXT})().includes('\"data\"')", timeout=30_000)
    shown = json.loads(page.evaluate(RESULT_TEXT))
    expected = httpx.post(f"{kg_server}/graphql", json={"query": query}, timeout=30).json()
    assert shown == expected
    assert shown["data"]["node"]["name"] == "Commercial Partnerships"
    browser_page.assert_loopback_only()
    assert browser_page.blocked == []
    browser_page.assert_no_errors()
