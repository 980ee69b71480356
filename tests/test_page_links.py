"""The pages link right: every IRI a page links reaches the server whole (a ``#`` in it too), the
header never links to a chart the store does not have, and a node page puts each thing a
citation says under the heading that names it, with every property name linked alike."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kg.http.app import create_app
from kg.model.namespaces import sparql_prefixes
from kg.settings import Settings
from kg.store.protocol import Store
from tests.asgi import AppClient

ACME = "http://example.com/org#acme"
RESEARCH = "http://example.com/org#research"
LAUNCH = "http://example.com/org#launch"
TEST_GRAPH = "https://w3id.org/aikg/graph/test"


class Anchors(HTMLParser):
    """The links of a page: ``(href, text)``, and those of its header's navigation."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.navigation: list[tuple[str, str]] = []
        self._href: str | None = None
        self._in_nav = False
        self._text = ""
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "nav":
            self._in_nav = True
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", ""

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False
        if tag == "a" and self._href is not None:
            link = (self._href, self._text)
            self.links.append(link)
            if self._in_nav:
                self.navigation.append(link)
            self._href = None


def http(store: Store) -> AppClient:
    return AppClient(create_app(Settings(load_article=False), store=store))


@pytest.fixture
def acme(article_store: Store) -> AppClient:
    """The app over the article and an organisation (with a unit and an event) whose IRIs
    have a fragment."""
    article_store.update(
        sparql_prefixes() + f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ "
        f'<{ACME}> a org:FormalOrganization ; rdfs:label "Acme" . '
        f'<{RESEARCH}> a org:OrganizationalUnit ; rdfs:label "Acme Research" ; '
        f"org:unitOf <{ACME}> . "
        f'<{LAUNCH}> a kg:StrategyEvent ; rdfs:label "Acme launch" ; '
        "kg:eventKind kg:StrategyShift ; kg:datePrecision kg:NotStated ; "
        f"prov:wasAssociatedWith <{ACME}> . }} }}"
    )
    return http(article_store)


def test_a_chart_of_an_organisation_whose_iri_has_a_fragment_is_linked_whole(
    acme: AppClient,
) -> None:
    index = Anchors(acme.get("/orgchart").text).links
    [link] = [href for href, text in index if text == "Acme"]
    assert "#" not in link  # a browser would drop what follows it
    chart = acme.get(link, headers={"accept": "text/html"})
    assert chart.status_code == 200, chart.text
    assert "Organisation chart: Acme" in chart.text and "Acme Research" in chart.text
    # kg's own ids keep their short links
    assert ("/orgchart/openai", "OpenAI") in index


def test_the_timeline_links_the_chart_and_filter_of_an_organisation_with_a_fragment(
    acme: AppClient,
) -> None:
    links = Anchors(acme.get("/timeline").text).links
    [chart] = [href for href, text in links if text == "Acme"]
    assert "#" not in chart and "Acme Research" in acme.get(chart).text
    filtered = acme.get("/timeline?organisation=" + chart.removeprefix("/orgchart/"))
    assert filtered.status_code == 200 and "Acme launch" in filtered.text
    download = next(href for href, _ in Anchors(filtered.text).links if "format=svg" in href)
    assert "#" not in download
    assert "Acme launch" in acme.get("/timeline" + download).text


def test_the_header_links_only_to_pages_the_store_has(store: Store) -> None:
    client = http(store)  # an empty store: no OpenAI, no chart at all
    navigation = Anchors(client.get("/timeline").text).navigation
    charts = [href for href, text in navigation if "chart" in text.lower()]
    assert charts == ["/orgchart"]
    for href, _ in navigation:
        response = client.get(href.split("#")[0], headers={"accept": "text/html"})
        assert response.status_code == 200, href


#: A node whose citations are hedged and attributed, and quoted from places in the article.
SHIFT = "/id/event/stargate-strategy-shift"


@pytest.fixture
def shift(article_store: Store) -> str:
    page = http(article_store).get(SHIFT, headers={"accept": "text/html"})
    assert page.status_code == 200
    return page.text


def test_hedges_and_attribution_hold_only_hedges_and_attribution(shift: str) -> None:
    hedged = re.findall(r"Hedges and attribution: ([^.]*)\.", shift)
    assert "attribution: Insider sources; hedge: More" in hedged
    for text in hedged:
        assert "quoted" not in text.lower() and "quotation" not in text, text
    stated = re.findall(r"Stated in (.*?)</p>", shift)
    assert any("hedge: Potentially" in text for text in stated)
    assert not any("quotation" in text or "quoted" in text.lower() for text in stated)


def test_where_a_quotation_is_quoted_from_is_provenance_linked_to_its_page(
    article_store: Store, shift: str
) -> None:
    quoted = re.findall(r'Provenance: quoted from <a href="(/id/quotation/[^"]+)">', shift)
    assert quoted
    assert http(article_store).get(quoted[0], headers={"accept": "text/html"}).status_code == 200


def test_referred_to_by_links_every_property_name(article_store: Store) -> None:
    page = http(article_store).get("/id/org/openai", headers={"accept": "text/html"}).text
    section = page.split("<h2>Referred to by</h2>")[1].split("</table>")[0]
    names = re.findall(r'<th scope="row">(.*?)</th>', section)
    hrefs = [re.match(r'<a href="([^"]+)"', name) for name in names]
    assert names and all(hrefs), names
    targets = [h.group(1) for h in hrefs if h]
    assert "/def/customer" in targets  # kg's own term: its page
    assert "http://www.w3.org/ns/prov#wasAssociatedWith" in targets  # a reused one: its IRI
