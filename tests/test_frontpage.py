"""The front page: what kg is and holds, and a working link to everything it serves."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx

from kg.http.app import create_app
from kg.model import paths
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient
from tests.plugins.graphql_client import Client

ID = "https://w3id.org/aikg/id/"


class Page(HTMLParser):
    """The links of a page and the rows of its first table."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def app_client(store: Store) -> AppClient:
    return AppClient(create_app(Settings(load_article=False), store=store))


def test_the_front_page_counts_what_the_graph_holds(article_store: Store) -> None:
    with app_client(article_store) as http:
        response = http.get("/", headers={"accept": "text/html"})
    assert response.status_code == 200
    rows = {r[0]: r[1] for r in Page(response.text).rows if len(r) == 2}
    citations = article_store.select(
        "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/aikg/def#Citation> }"
    )[0]["n"].value
    organisations = article_store.select(
        "SELECT (COUNT(DISTINCT ?o) AS ?n) "
        "WHERE { ?o a <http://www.w3.org/ns/org#FormalOrganization> }"
    )[0]["n"].value
    assert rows["Citation"] == citations
    assert rows["Organisation"] == organisations
    assert "Seemless: OpenAI Names New Infrastructure Leaders" in response.text
    assert "No write has changed the graph since it was loaded." in response.text


def test_the_front_page_shows_the_last_change(client: Client) -> None:
    client.write(
        "mutation($id: ID!, $source: ID!, $patch: OrganisationPatch!) {"
        " result: updateOrganisation(id: $id, source: $source, patch: $patch) { __typename } }",
        id="org/openai",
        source="source/seemless-article",
        patch={"description": "An AI lab."},
    )
    with app_client(client.store) as http:
        page = http.get("/").text
    assert "The last change: <code>updateOrganisation</code>" in page
    assert f'href="/id/source/seemless-article">{ID}source/seemless-article</a>' in page


def test_every_link_on_the_front_page_works(kg_server: str) -> None:
    page = httpx.get(f"{kg_server}/", timeout=30).text
    hrefs = {h.split("#")[0] for h in Page(page).hrefs if h.startswith("/")}
    expected = {"/graphql", "/sparql", "/orgchart", "/timeline", "/export", "/def"}
    assert expected | {"/schema.graphql", "/ontology", "/shapes", "/metrics"} <= hrefs
    for href in sorted(hrefs):
        response = httpx.get(f"{kg_server}{href}", headers={"accept": "text/html"}, timeout=60)
        assert response.status_code == 200, href
    runs = sorted(h for h in hrefs if h.startswith("/sparql?query="))
    assert len(runs) == 2  # the example query, and the same as CSV
    as_json, as_csv = (httpx.get(f"{kg_server}{h}", timeout=60) for h in runs)
    bindings = as_json.json()["results"]["bindings"]
    providers = [row["provider"]["value"] for row in bindings]
    assert providers[:3] == ["Amazon", "Google", "Microsoft"]
    # The article names the providers as examples and states no kind or stage for them.
    first = [bindings[0][v]["value"] for v in ("provider", "kind", "status")]
    assert first == ["Amazon", "Not stated", "Not stated"]
    assert as_csv.text.splitlines()[:2] == ["provider,kind,status", ",".join(first)]


def test_schema_graphql_is_the_committed_schema(article_store: Store) -> None:
    with app_client(article_store) as http:
        served = http.get("/schema.graphql")
    assert served.headers["content-type"].startswith("text/plain")
    committed = paths.ONTOLOGY_DIR.parent / "schema.graphql"
    assert served.text == committed.read_text(encoding="utf-8")
