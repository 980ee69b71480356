"""The pictures drawn from the graph: the organisation chart, the reorganisation's before/after
and the strategy timeline, as SVG (kg.pictures.orgchart, kg.pictures.timeline), as pages
(kg.pictures) and as files (kg draw). Expected content is read from the store with SPARQL, not
written down here.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner

from kg.cli.commands import main
from kg.errors import NotFound, QueryTimeout
from kg.model.namespaces import ID, sparql_prefixes
from kg.pictures.data import fetch_orgchart, fetch_timeline
from kg.pictures.draw import dot_available
from kg.pictures.orgchart import UNNAMED, orgchart_document, orgchart_svg, reorganisation_svg
from kg.pictures.timeline import NOT_REPORTED, timeline_svg, when
from kg.settings import Settings
from kg.store.protocol import Store

SVG = "{http://www.w3.org/2000/svg}"
OPENAI = f"{ID}org/openai"
INFRASTRUCTURE = f"{ID}unit/openai-infrastructure"
REORGANISATION = f"{ID}event/infrastructure-reorganisation"
SETTINGS = Settings(store="memory")
ENGINES = ["dot", "grandalf"] if dot_available() else ["grandalf"]


@dataclass
class Box:
    iri: str
    classes: list[str]
    x: float
    y: float
    width: float
    height: float
    text: str


def boxes(svg: str) -> list[Box]:
    """The focusable boxes of a chart, in document order."""
    found = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        classes = g.get("class", "").split()
        if "box" not in classes:
            continue
        assert g.get("tabindex") == "0"
        rect = g.find(f"{SVG}rect")
        assert rect is not None
        text = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
        found.append(
            Box(
                g.get("data-iri", ""),
                classes,
                float(rect.get("x", 0)),
                float(rect.get("y", 0)),
                float(rect.get("width", 0)),
                float(rect.get("height", 0)),
                text,
            )
        )
    return found


def column(store: Store, query: str) -> list[str]:
    rows = store.select(sparql_prefixes() + query)
    return [str(next(iter(row.values())).value) for row in rows]


def assert_text_alternative(svg: str) -> None:
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


# ---------------------------------------------------------------- org chart


@pytest.mark.parametrize("engine", ENGINES)
def test_the_three_groups_sit_under_the_infrastructure_team(
    article_store: Store, engine: str
) -> None:
    groups = column(
        article_store, f"SELECT ?u WHERE {{ ?u org:subOrganizationOf <{INFRASTRUCTURE}> }}"
    )
    assert len(groups) == 3
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, OPENAI), engine=engine)
    assert_text_alternative(svg)
    drawn = {b.iri: b for b in boxes(svg)}
    infra = drawn[INFRASTRUCTURE]
    assert drawn[OPENAI].y + drawn[OPENAI].height < infra.y
    edges = [
        p.get("d", "")
        for p in ET.fromstring(svg).iter(f"{SVG}path")
        if "edge" in p.get("class", "")
    ]
    for iri in groups:
        group = drawn[iri]
        assert group.y > infra.y + infra.height, "a group is drawn below its parent"
        start = f"M{infra.x + infra.width / 2:.1f},{infra.y + infra.height:.1f}"
        end = f"H{group.x + group.width / 2:.1f} V{group.y:.1f}"
        assert any(d.startswith(start) and d.endswith(end) for d in edges), "an edge joins them"
        posts = column(
            article_store, f"SELECT ?l WHERE {{ ?p org:postIn <{iri}> ; rdfs:label ?l }}"
        )
        assert posts and all(word in group.text for word in posts[0].split())
        assert "Holder: unnamed (not" in group.text and "reported)" in group.text
    lefts = sorted(drawn[iri].x for iri in groups)
    assert all(b - a >= drawn[groups[0]].width for a, b in itertools.pairwise(lefts))


def test_responsibilities_show_on_hover_and_focus(article_store: Store) -> None:
    chart = fetch_orgchart(article_store, SETTINGS, OPENAI)
    svg = orgchart_svg(chart)
    root = ET.fromstring(svg)
    for unit in chart.units:
        stated = column(
            article_store, f"SELECT ?l WHERE {{ <{unit.iri}> org:purpose/rdfs:label ?l }}"
        )
        assert sorted(stated) == sorted(unit.responsibilities)
        box = next(g for g in root.iter(f"{SVG}g") if g.get("data-iri") == unit.iri)
        if stated:
            ident = box.get("id")
            assert f"svg:has(#{ident}:focus) #{ident}-pop" in svg
            popup = next(g for g in root.iter(f"{SVG}g") if g.get("id") == f"{ident}-pop")
            shown = " ".join(t.text or "" for t in popup.iter(f"{SVG}text"))
            first_words = " ".join(stated[0].split()[:3])
            assert first_words in shown
            title = box.find(f"{SVG}title")
            assert title is not None and all(s in (title.text or "") for s in stated)


def test_the_reorganisation_before_and_after(article_store: Store) -> None:
    original = column(
        article_store, f"SELECT ?u WHERE {{ <{REORGANISATION}> org:originalOrganization ?u }}"
    )
    resulting = column(
        article_store, f"SELECT ?u WHERE {{ <{REORGANISATION}> org:resultingOrganization ?u }}"
    )
    chart = fetch_orgchart(article_store, SETTINGS, OPENAI)
    reorg = next(r for r in chart.reorganisations if r.iri == REORGANISATION)
    svg = reorganisation_svg(reorg)
    assert_text_alternative(svg)
    drawn = boxes(svg)
    before = [b for b in drawn if "after" not in b.classes]
    after = [b for b in drawn if "after" in b.classes]
    assert sorted(b.iri for b in before) == sorted(original)
    assert sorted(b.iri for b in after) == sorted(resulting)
    assert max(b.x + b.width for b in before) < min(b.x for b in after), "before beside after"
    words = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "BEFORE" in words and "AFTER" in words


def test_a_unit_nested_only_by_sub_organization_of_is_drawn(article_store: Store) -> None:
    nested = f"{ID}unit/test-nested-only"
    article_store.update(
        sparql_prefixes() + "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test> { "
        f'<{nested}> a org:OrganizationalUnit ; rdfs:label "Test nested unit" ; '
        f"org:subOrganizationOf <{ID}unit/openai-commercial-partnerships> }} }}"
    )
    chart = fetch_orgchart(article_store, SETTINGS, OPENAI)
    drawn = {b.iri: b for b in boxes(orgchart_svg(chart))}
    parent = drawn[f"{ID}unit/openai-commercial-partnerships"]
    assert drawn[nested].y > parent.y + parent.height


def test_a_chart_for_another_organisation(article_store: Store) -> None:
    other = f"{ID}org/test-other"
    article_store.update(
        sparql_prefixes() + "INSERT DATA { GRAPH <https://w3id.org/aikg/graph/test> { "
        f'<{other}> a org:FormalOrganization ; rdfs:label "Test organisation" . '
        f'<{ID}post/test-chair> a org:Post ; rdfs:label "Chair, test" ; org:postIn <{other}> ; '
        f"kg:holderStatus kg:HolderNamed ; org:heldBy <{ID}person/test-chair> . "
        f'<{ID}person/test-chair> a schema:Person ; rdfs:label "Test Chair Person" }} }}'
    )
    holders = column(
        article_store,
        f"SELECT ?n WHERE {{ ?p org:postIn <{other}> ; org:heldBy/rdfs:label ?n }}",
    )
    chart = fetch_orgchart(article_store, SETTINGS, other)
    root = next(b for b in boxes(orgchart_svg(chart)) if b.iri == other)
    assert holders and all(h in root.text for h in holders)
    with pytest.raises(NotFound):
        fetch_orgchart(article_store, SETTINGS, f"{ID}org/no-such-organisation")


def test_a_picture_past_the_time_limit_is_a_timeout(article_store: Store) -> None:
    hurried = Settings(store="memory", query_timeout=1e-9)
    with pytest.raises(QueryTimeout):
        fetch_orgchart(article_store, hurried, OPENAI)


def test_the_chart_file_holds_the_chart_and_the_reorganisation(article_store: Store) -> None:
    svg = orgchart_document(fetch_orgchart(article_store, SETTINGS, OPENAI))
    assert_text_alternative(svg)
    nested = [e for e in ET.fromstring(svg) if e.tag == f"{SVG}svg"]
    assert len(nested) == 2
    assert float(nested[1].get("y", 0)) >= float(nested[0].get("height", 0))


# ---------------------------------------------------------------- timeline


def test_every_event_is_on_the_timeline_in_date_order(article_store: Store) -> None:
    rows = article_store.select(
        sparql_prefixes() + "SELECT ?e (SAMPLE(?d) AS ?date) WHERE { ?e a kg:StrategyEvent "
        "OPTIONAL { ?e kg:date ?d } } GROUP BY ?e"
    )
    dates = {str(r["e"].value): (str(r["date"].value) if "date" in r else None) for r in rows}
    svg = timeline_svg(fetch_timeline(article_store, SETTINGS))
    assert_text_alternative(svg)
    entries = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "event"]
    order = [g.get("data-iri", "") for g in entries]
    assert sorted(order) == sorted(dates)
    shown = [dates[iri] for iri in order]
    dated = [d for d in shown if d is not None]
    assert shown[: len(dated)] == dated, "undated events come last"
    assert dated == sorted(dated, key=lambda d: (d + "-00-00")[:10])
    for entry, date in zip(entries, shown, strict=True):
        first = next(entry.iter(f"{SVG}text")).text or ""
        assert (first == NOT_REPORTED) == (date is None)
        assert entry.get("tabindex") == "0"
    frames = [float(next(e.iter(f"{SVG}rect")).get("y", 0)) for e in entries]
    assert frames == sorted(frames)


def test_a_strategy_shift_shows_its_strategies_and_sources(article_store: Store) -> None:
    rows = article_store.select(
        sparql_prefixes() + "SELECT ?e ?from ?to WHERE { ?e kg:eventKind kg:StrategyShift ; "
        "kg:fromStrategy/skos:prefLabel ?from ; kg:toStrategy/skos:prefLabel ?to }"
    )
    assert rows
    timeline = fetch_timeline(
        article_store, SETTINGS, kind="https://w3id.org/aikg/def#StrategyShift"
    )
    assert {e.iri for e in timeline.events} == {str(r["e"].value) for r in rows}
    svg = timeline_svg(timeline)
    text = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    for row in rows:
        assert f"From: {row['from'].value} → To: {row['to'].value}" in text
    urls = column(
        article_store,
        "SELECT DISTINCT ?url WHERE { ?c kg:about ?e ; prov:wasDerivedFrom/schema:url ?url . "
        "?e a kg:StrategyEvent }",
    )
    everything = timeline_svg(fetch_timeline(article_store, SETTINGS))
    links = {a.get("href") for a in ET.fromstring(everything).iter(f"{SVG}a")}
    assert urls and set(urls) <= links


def test_the_timeline_shows_attribution_hedges_and_the_date_basis(article_store: Store) -> None:
    """What the citations say of an event (insider sources, "more"; a date that is only the day
    of the first report) is on the timeline, in the picture and in its text alternative."""
    hedged = column(
        article_store,
        "SELECT DISTINCT ?h WHERE { ?c kg:about ?e ; kg:hedge/skos:prefLabel ?h . "
        "?e kg:eventKind kg:StrategyShift }",
    )
    timeline = fetch_timeline(article_store, SETTINGS)
    shift = next(e for e in timeline.events if e.iri.endswith("event/stargate-strategy-shift"))
    assert shift.attributions == ["Insider sources"]
    assert hedged and sorted(shift.hedges) == sorted(hedged)
    svg = timeline_svg(timeline)
    text = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "Attributed to insider sources" in text
    assert "“more”" in text
    assert "first reported on 16 March 2026" in text
    desc = next(ET.fromstring(svg).iter(f"{SVG}desc")).text or ""
    assert "Attributed to insider sources" in desc


@pytest.mark.parametrize(
    ("date", "precision", "basis", "said"),
    [
        ("2025-01-21", "PrecisionDay", None, "21 January 2025"),
        ("2025-01-21", "PrecisionDay", "OccurredOn", "21 January 2025"),
        ("2025-11", "PrecisionMonth", None, "November 2025 (day not reported)"),
        ("2025", "PrecisionYear", None, "2025 (month not reported)"),
        ("2026-03-16", "PrecisionDay", "FirstReportedOn", "first reported on 16 March 2026"),
        (None, "NotStated", None, NOT_REPORTED),
        ("2026-03-16", "NotStated", None, NOT_REPORTED),
    ],
)
def test_dates_are_no_more_precise_than_the_source(
    date: str | None, precision: str, basis: str | None, said: str
) -> None:
    assert when(date, precision, basis) == said


# ---------------------------------------------------------------- pages


TOKEN = "pictures-test-token"


class Client:
    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://kg.test") as c:
                return await c.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str) -> httpx.Response:
        return self.request("GET", url)


@pytest.fixture
def client(article_store: Store) -> Client:
    from kg.http.app import create_app

    settings = Settings(store="memory", write_token=TOKEN)
    return Client(create_app(settings, store=article_store))


def test_the_chart_page(client: Client) -> None:
    response = client.get("/orgchart/openai")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'role="img"' in page and 'id="details"' in page
    for link in ('href="/graphql"', 'href="/timeline"'):
        assert link in page
    loaded = re.findall(r'(?:src|rel="stylesheet" href)="([^"]*)"', page)
    assert loaded and all(url.startswith("/static/") for url in loaded), "only kg's own files"
    assert page.count(UNNAMED) >= 3
    svg = client.get("/orgchart/openai?format=svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert {b.iri for b in boxes(svg.text)} >= {OPENAI, INFRASTRUCTURE}
    missing = client.get("/orgchart/no-such-organisation")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    index = client.get("/orgchart")
    assert 'href="/orgchart/openai"' in index.text


def test_the_timeline_page_filters(client: Client, article_store: Store) -> None:
    page = client.get("/timeline").text
    assert 'href="/orgchart/openai"' in page and 'href="/graphql"' in page
    reorganisations = column(article_store, "SELECT ?e WHERE { ?e kg:eventKind kg:Reorganisation }")
    svg = client.get("/timeline?kind=Reorganisation&format=svg").text
    shown = [g.get("data-iri") for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("data-iri")]
    assert sorted(shown) == sorted(reorganisations)
    openai = column(
        article_store, f"SELECT ?e WHERE {{ ?e prov:wasAssociatedWith <{ID}org/openai> }}"
    )
    svg = client.get("/timeline?organisation=openai&format=svg").text
    shown = [g.get("data-iri") for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("data-iri")]
    assert openai and sorted(shown) == sorted(openai)
    assert len(set(openai)) < len(
        column(article_store, "SELECT ?e WHERE { ?e a kg:StrategyEvent }")
    )


CREATE_UNIT = """
mutation($source: ID!, $input: UnitInput!) {
  createUnit(source: $source, input: $input) {
    __typename
    ... on WriteSuccess { id }
    ... on ValidationFailed { message }
    ... on InvalidInput { message }
  }
}
"""


def test_a_unit_created_by_a_mutation_shows_on_the_next_request(client: Client) -> None:
    label = "Test unit created by a mutation"
    assert label not in client.get("/orgchart/openai").text
    response = client.request(
        "POST",
        "/graphql",
        headers={"authorization": f"Bearer {TOKEN}"},
        json={
            "query": CREATE_UNIT,
            "variables": {
                "source": f"{ID}source/seemless-article",
                "input": {"label": label, "unitOf": OPENAI, "parent": INFRASTRUCTURE},
            },
        },
    )
    result = response.json()["data"]["createUnit"]
    assert result["__typename"] == "WriteSuccess", result
    svg = client.get("/orgchart/openai?format=svg").text
    drawn = {b.iri: b for b in boxes(svg)}
    added = next(b for b in drawn.values() if "Test unit created" in b.text)
    assert added.y > drawn[INFRASTRUCTURE].y + drawn[INFRASTRUCTURE].height


# ---------------------------------------------------------------- kg draw


def test_kg_draw_writes_both_pictures(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    chart = tmp_path / "chart.svg"
    result = runner.invoke(main, ["draw", "orgchart", "openai", "-o", str(chart), "--store", store])
    assert result.exit_code == 0, result.output
    assert INFRASTRUCTURE in {b.iri for b in boxes(chart.read_text())}
    timeline = tmp_path / "timeline.svg"
    result = runner.invoke(
        main,
        ["draw", "timeline", "--kind", "Reorganisation", "-o", str(timeline), "--store", store],
    )
    assert result.exit_code == 0, result.output
    assert REORGANISATION in timeline.read_text()
    result = runner.invoke(main, ["draw", "orgchart", "nobody", "-o", "-", "--store", store])
    assert result.exit_code == 1 and "no organisation" in result.output


@pytest.mark.slow
def test_without_graphviz_kg_draw_falls_back_to_grandalf(tmp_path: Path) -> None:
    bare = tmp_path / "bin"  # a PATH with Python and kg but no Graphviz
    bare.mkdir()
    for name in ("python", "kg"):
        (bare / name).symlink_to(Path(sys.executable).parent / name)
    env = {**os.environ, "PATH": str(bare)}
    out = tmp_path / "chart.svg"
    args = [str(bare / "kg"), "draw", "orgchart", "openai", "--store", str(tmp_path / "s")]
    done = subprocess.run([*args, "-o", str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "grandalf" in done.stderr
    assert INFRASTRUCTURE in {b.iri for b in boxes(out.read_text())}
    refused = subprocess.run(
        [*args, "--layout", "dot", "-o", "-"], env=env, capture_output=True, text=True
    )
    assert refused.returncode == 2 and "Graphviz" in refused.stderr
