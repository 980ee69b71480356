"""The GraphQL playground: GraphiQL served by kg itself, usable with no internet.

In-process checks of the page and the /static routes, then headless Chromium against a real
``kg serve``: it opens /graphql, runs the example query and reads the result in the page, while
every request that would leave loopback is recorded and aborted.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.http import assets
from kg.http.app import create_app
from kg.http.playground import FALLBACK_QUERY, default_example_query, graphiql_page
from kg.model import paths, rdf
from kg.settings import Settings
from tests.plugins.browser import QUERY_TEXT, RESULT_TEXT


class Links(HTMLParser):
    """The URLs a page loads (script src, link href) and the links it offers (a href)."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.anchors: dict[str, str] = {}
        self._anchor: str | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.loads.append(values["src"] or "")
        if tag == "link" and values.get("href"):
            self.loads.append(values["href"] or "")
        if tag == "a":
            self._anchor = values.get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self.anchors[data.strip()] = self._anchor
            self._anchor = None


async def get_all(urls: list[str]) -> list[httpx.Response]:
    app = create_app(Settings(store="memory", load_article=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
        return [await client.get(url) for url in urls]


def run(coro: Any) -> Any:
    import asyncio

    return asyncio.run(coro)


def test_the_page_loads_only_files_that_kg_serves() -> None:
    loads = Links(graphiql_page("{ __typename }")).loads
    assert loads, "the page loads no script or stylesheet"
    local = [url for url in loads if url.startswith("/static/")]
    assert local == [url for url in loads if not url.startswith("data:")]

    responses = run(get_all(local))

    for url, response in zip(local, responses, strict=True):
        assert response.status_code == 200, url
        kind = "text/javascript" if url.endswith(".js") else "text/css"
        assert response.headers["content-type"].startswith(kind), url
        assert response.headers["x-content-type-options"] == "nosniff"
        if url.startswith("/static/vendor/"):
            assert "immutable" in response.headers["cache-control"], url
        else:
            assert response.headers["cache-control"] == "no-cache", url


async def get_with(url: str, headers: dict[str, str]) -> httpx.Response:
    app = create_app(Settings(store="memory", load_article=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
        return await client.get(url, headers=headers)


def test_graphiql_goes_gzip_compressed_to_browsers_that_accept_it() -> None:
    url = "/static/vendor/" + assets.vendor_path("graphiql", "graphiql.min.js")
    on_disk = (assets.VENDOR_DIR / assets.vendor_path("graphiql", "graphiql.min.js")).read_bytes()

    zipped = run(get_with(url, {"accept-encoding": "gzip"}))
    plain = run(get_with(url, {"accept-encoding": "identity"}))

    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(on_disk) / 3
    assert zipped.content == on_disk  # httpx decodes it
    assert zipped.headers["content-type"].startswith("text/javascript")
    assert "content-encoding" not in plain.headers
    assert plain.content == on_disk
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert "Accept-Encoding" in plain.headers["vary"]


def test_the_page_forbids_other_origins() -> None:
    page = graphiql_page("{ __typename }")
    assert "default-src 'self'" in page
    assert "script-src 'self'" in page
    assert "unpkg" not in page and "https://" not in page


def test_the_header_links_to_the_pictures() -> None:
    anchors = Links(graphiql_page("{ __typename }")).anchors
    assert anchors["Organisation charts"] == "/orgchart"
    assert anchors["Strategy timeline"] == "/timeline"


def test_the_page_opens_with_the_example_query_even_with_markup_in_it() -> None:
    query = '# not a </script> end\n{ label(lang: "en&fr") }\n'
    page = graphiql_page(query)
    start = page.index('id="kg-playground-config">') + len('id="kg-playground-config">')
    config = json.loads(page[start : page.index("</script>", start)])
    assert config["query"] == query


def test_the_example_query_comes_from_queries(tmp_path: Path) -> None:
    assert default_example_query(tmp_path) == FALLBACK_QUERY
    (tmp_path / "b.graphql").write_text("{ b }")
    (tmp_path / "a.graphql").write_text("{ a }")
    assert default_example_query(tmp_path) == "{ a }\n"
    (tmp_path / "example.graphql").write_text("{ example }")
    assert default_example_query(tmp_path) == "{ example }\n"


def test_without_its_assets_the_page_says_how_to_fetch_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "vendor")
    page = graphiql_page("{ __typename }")
    assert "assets are missing" in page
    assert "<code>kg assets</code>" in page
    assert "graphiql-3" in page  # names the missing files
    assert "{ __typename }" in page
    assert Links(page).loads == ["data:,", "/static/kg.css", "/static/playground.css"]


def test_the_opening_queries_run_on_the_article() -> None:
    from kg.graphql.schema import execute
    from kg.store.opening import ensure_seeded, open_store

    store = open_store("memory")
    ensure_seeded(store)
    groups = {
        row["label"].value
        for row in store.select(
            "SELECT ?label WHERE { ?unit <http://www.w3.org/ns/org#subOrganizationOf> "
            "<https://w3id.org/aikg/id/unit/openai-infrastructure> ; <" + RDFS_LABEL + "> ?label }"
        )
    }
    fallback = execute(store, Settings(), FALLBACK_QUERY)
    shipped = execute(store, Settings(), default_example_query())
    store.close()

    assert "errors" not in fallback and "errors" not in shipped
    assert len(groups) == 3
    assert {unit["name"] for unit in fallback["data"]["node"]["subUnits"]} == groups
    assert strings_in(shipped["data"]) & article_labels()


# ---- in Chromium, against a real kg serve


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def article_labels() -> set[str]:
    return {
        quad.object.value
        for quad in rdf.parse_file(paths.ARTICLE_GRAPH)
        if quad.predicate.value == RDFS_LABEL
    }


def strings_in(value: object) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value))
    return set()


def test_the_playground_runs_the_example_query_with_no_internet(
    kg_server: str, browser_page: Any, tmp_path: Path
) -> None:
    page = browser_page.page
    page.goto(f"{kg_server}/graphql")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").wait_for(timeout=30_000)
    config = json.loads(page.locator("#kg-playground-config").text_content())
    query = config["query"]
    assert page.evaluate(QUERY_TEXT) == query

    page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
    page.wait_for_function(f"() => ({RESULT_TEXT})().includes('\"data\"')", timeout=30_000)
    shown = json.loads(page.evaluate(RESULT_TEXT))
    screenshot = browser_page.screenshot(tmp_path / "playground.png")

    expected = httpx.post(f"{kg_server}/graphql", json={"query": query}, timeout=30).json()
    assert shown == expected
    assert "errors" not in shown
    assert strings_in(shown["data"]) & article_labels(), "the result shows no label of the article"
    visible = page.locator(".result-window").inner_text()
    assert any(f'"{label}"' in visible for label in article_labels()), visible
    assert page.get_by_role("link", name="Strategy timeline").get_attribute("href") == "/timeline"
    browser_page.assert_loopback_only()
    assert browser_page.blocked == []
    browser_page.assert_no_errors()
    print(f"screenshot: {screenshot}")


def test_graphql_get_from_a_browser_is_the_offline_playground(kg_server: str) -> None:
    response = httpx.get(f"{kg_server}/graphql", headers={"accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    loads = Links(response.text).loads
    assert any(url.endswith("/graphiql.min.js") for url in loads)
    assert all(url.startswith(("/static/", "data:")) for url in loads)


def test_on_a_phone_the_result_is_below_the_query(kg_server: str, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{kg_server}/graphql")
    page.get_by_role("button", name="Execute query (Ctrl-Enter)").wait_for(timeout=30_000)
    query = page.locator(".graphiql-query-editor").bounding_box()
    result = page.locator(".graphiql-response").bounding_box()
    assert result["y"] >= query["y"] + query["height"] - 1
    assert result["width"] > 0.6 * 390
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.get_by_role("link", name="Organisation charts").is_visible()
    browser_page.assert_loopback_only()
    browser_page.assert_no_errors()


def test_the_header_links_lead_to_pages(kg_server: str) -> None:
    page = httpx.get(f"{kg_server}/graphql", headers={"accept": "text/html"}, timeout=30).text
    for name, href in Links(page).anchors.items():
        response = httpx.get(f"{kg_server}{href}", timeout=60)
        assert response.status_code == 200, (name, href)
        assert response.headers["content-type"].startswith("text/html"), (name, href)
