"""What the org chart says beyond boxes: the reporting lines between posts (org:reportsTo),
the unnamed groups that report, the "kg editorial note" mark on what only kg's own notes
state, and the attributions and hedges of the sources. Expected content is read from the
store with SPARQL, not written down here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kg.model.namespaces import ID, sparql_prefixes
from kg.pictures.data import fetch_orgchart
from kg.pictures.orgchart import UNNAMED, orgchart_svg, reorganisation_svg
from kg.pictures.provenance import EDITORIAL
from kg.store.protocol import Store
from tests.test_draw import ENGINES, OPENAI, REORGANISATION, SETTINGS, SVG, boxes, column

TEST_GRAPH = "https://w3id.org/aikg/graph/test"


def reporting(svg: str) -> dict[tuple[str, str], tuple[str, str]]:
    """Each drawn reporting line: (from, to) IRIs to (its visible text, its path)."""
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if "reporting" in g.get("class", "").split() and g.get("data-from"):
            text = " ".join(t.text or "" for t in g.iter(f"{SVG}text"))
            path = g.find(f"{SVG}path")
            assert path is not None
            found[(g.get("data-from", ""), g.get("data-to", ""))] = (text, path.get("d", ""))
    return found


def insert(store: Store, triples: str) -> None:
    store.update(sparql_prefixes() + f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ {triples} }} }}")


def in_chart(post: str) -> str:
    """A SPARQL pattern: ``post`` is in OpenAI, in one of its units, or in a unit of those."""
    return (
        f"{{ {post} org:postIn <{OPENAI}> }} UNION {{ {post} org:postIn/org:unitOf <{OPENAI}> }} "
        f"UNION {{ {post} org:postIn/org:subOrganizationOf+/org:unitOf <{OPENAI}> }}"
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_reporting_lines_join_the_posts_the_graph_names(article_store: Store, engine: str) -> None:
    rows = article_store.select(
        sparql_prefixes()
        + f"""SELECT DISTINCT ?a ?b WHERE {{
            ?a org:reportsTo ?b . {in_chart("?b")}
            {{ ?a a kg:UnnamedGroup }} UNION {{ {in_chart("?a")} }}
        }}"""
    )
    pairs = {(str(r["a"].value), str(r["b"].value)) for r in rows}
    assert len(pairs) >= 4, "three group leaders and the unnamed earlier leaders"
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, OPENAI), engine=engine)
    drawn = reporting(svg)
    assert set(drawn) == pairs
    where = {}
    for box in boxes(svg):
        where[box.iri] = box
    posts_in = {
        iri: column(article_store, f"SELECT ?w WHERE {{ <{iri}> org:postIn ?w }}")
        for pair in pairs
        for iri in pair
    }
    for (a, b), (text, d) in drawn.items():
        assert text.startswith("reports to")
        # it leaves the right side of the box the post (or group) is drawn in, and ends at
        # the right side of the box of the post it reports to
        source = where[(posts_in[a] or [a])[0]]
        target = where[posts_in[b][0]]
        assert d.startswith(f"M{source.x + source.width:.1f},")
        assert d.endswith(f"H{target.x + target.width + 1:.1f}")
        title = column(article_store, f"SELECT ?l WHERE {{ <{b}> rdfs:label ?l }}")[0]
        assert f"Reports to: {title}" in " ".join(source.text.split())
    words = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert any("reports to (org:reportsTo" in w for w in words), "the legend names the line"


def test_groups_are_what_the_graph_types_unnamed_and_no_name_is_made_up(
    article_store: Store,
) -> None:
    groups = column(
        article_store,
        "SELECT DISTINCT ?g WHERE { ?g a kg:UnnamedGroup ; org:reportsTo ?p . "
        f"{in_chart('?p')} }}",
    )
    assert groups
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, OPENAI))
    drawn = [b for b in boxes(svg) if "group" in b.classes]
    assert sorted(b.iri for b in drawn) == sorted(groups)
    people = column(article_store, "SELECT ?n WHERE { ?p a schema:Person ; rdfs:label ?n }")
    for box in drawn:
        label = column(article_store, f"SELECT ?l WHERE {{ <{box.iri}> rdfs:label ?l }}")[0]
        assert " ".join(label.split()[:3]) in box.text
        assert not any(name in box.text for name in people)
    leaders = column(
        article_store,
        "SELECT ?u WHERE { ?p org:postIn ?u ; kg:holderStatus kg:HolderUnnamed . "
        "?u a org:OrganizationalUnit }",
    )
    for box in boxes(svg):
        if box.iri in leaders:
            assert UNNAMED.split()[0] in box.text and not any(n in box.text for n in people)


def test_the_editorial_mark_is_on_what_only_kg_notes_state(article_store: Store) -> None:
    # Posts whose description only kg's editorial notes give, and the units they are in.
    noted = column(
        article_store,
        """SELECT DISTINCT ?u WHERE {
            ?p org:postIn ?u ; dct:description ?d .
            FILTER NOT EXISTS { ?c kg:about ?p ; kg:supports dct:description ;
                                   prov:wasDerivedFrom/kg:sourceRole kg:Reported }
        }""",
    )
    assert noted
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, OPENAI))
    for box in boxes(svg):
        assert (f"({EDITORIAL})" in box.text) == (box.iri in noted), box.iri
        assert "editorial" not in box.classes, "every box here has a reporting source"
    # A whole organisation only kg's notes name (the company that runs AWS) is marked itself.
    only_editorial = column(
        article_store,
        """SELECT DISTINCT ?o WHERE {
            ?o a org:FormalOrganization .
            ?c kg:about ?o ; kg:supports rdfs:label ;
               prov:wasDerivedFrom/kg:sourceRole kg:Editorial .
            FILTER NOT EXISTS { ?r kg:about ?o ; kg:supports rdfs:label ;
                                   prov:wasDerivedFrom/kg:sourceRole kg:Reported }
        }""",
    )
    assert only_editorial
    for org in only_editorial:
        root = next(b for b in boxes(orgchart_svg(fetch_orgchart(article_store, SETTINGS, org))))
        assert root.iri == org and "editorial" in root.classes and EDITORIAL in root.text


def test_attributions_and_hedges_are_printed_on_the_facts_they_qualify(
    article_store: Store,
) -> None:
    org, boss, aide = f"{ID}org/test-hedged", f"{ID}post/test-boss", f"{ID}post/test-aide"
    insert(
        article_store,
        f"""
        <{org}> a org:FormalOrganization ; rdfs:label "Test hedged organisation" .
        <{boss}> a org:Post ; rdfs:label "Test boss" ; org:postIn <{org}> ;
            kg:holderStatus kg:HolderUnnamed .
        <{aide}> a org:Post ; rdfs:label "Test aide" ; org:postIn <{org}> ;
            kg:holderStatus kg:HolderUnnamed ; org:reportsTo <{boss}> .
        <{ID}source/test-news> a schema:NewsArticle ; rdfs:label "Test news" ;
            kg:sourceRole kg:Reported .
        <{ID}citation/test-aide> a kg:Citation ; kg:about <{aide}> ;
            prov:wasDerivedFrom <{ID}source/test-news> ; kg:quote "The aide reportedly reports." ;
            kg:verbatim false ; kg:hedge kg:Reportedly ; kg:attribution kg:InsiderSources ;
            kg:supports org:reportsTo .
        <{ID}citation/test-boss> a kg:Citation ; kg:about <{boss}> ;
            prov:wasDerivedFrom <{ID}source/test-news> ; kg:quote "There is a boss." ;
            kg:verbatim false ; kg:supports rdfs:label, org:postIn .
        """,
    )
    labels = column(
        article_store,
        "SELECT ?l WHERE { VALUES ?c { kg:Reportedly kg:InsiderSources } ?c skos:prefLabel ?l }",
    )
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, org))
    text, _ = reporting(svg)[(aide, boss)]
    flat = " ".join(text.split())
    assert all(label.lower() in flat.lower() for label in labels), flat
    root = next(b for b in boxes(svg) if b.iri == org)
    assert "Reports to: Test boss" in root.text
    assert "reportedly" in root.text.lower(), "the hedge is printed beside the post's line too"
    # The reorganisation's date: whom the sources credit with it.
    credited = column(
        article_store,
        f"SELECT ?n WHERE {{ ?c kg:about <{REORGANISATION}> ; kg:supports kg:date ; "
        "kg:creditedTo/rdfs:label ?n }",
    )
    chart = fetch_orgchart(article_store, SETTINGS, OPENAI)
    reorg = next(r for r in chart.reorganisations if r.iri == REORGANISATION)
    heading = " ".join(
        t.text or "" for t in ET.fromstring(reorganisation_svg(reorg)).iter(f"{SVG}text")
    )
    assert credited and all(name in heading for name in credited)


def test_every_value_is_escaped(article_store: Store) -> None:
    org, post, group = f"{ID}org/test-escape", f"{ID}post/test-escape", f"{ID}group/test-escape"
    insert(
        article_store,
        f"""
        <{org}> a org:FormalOrganization ; rdfs:label "<script>alert(1)</script> & \\"q\\"" .
        <{post}> a org:Post ; rdfs:label "Chair <b>x</b>" ; org:postIn <{org}> ;
            kg:holderStatus kg:HolderUnnamed ; dct:description "Note <b>&amp;</b>" .
        <{group}> a kg:UnnamedGroup ; rdfs:label "Group <i>y</i>" ; org:reportsTo <{post}> .
        """,
    )
    svg = orgchart_svg(fetch_orgchart(article_store, SETTINGS, org))
    root = ET.fromstring(svg)  # parses as XML
    assert "<script>" not in svg and "<i>" not in svg and "<b>" not in svg
    texts = " ".join(b.text for b in boxes(svg))
    assert '<script>alert(1)</script>&"q"' in "".join(texts.split())  # wrapped, not changed
    assert "Chair <b>x</b>" in texts and "Note <b>&amp;</b>" in texts
    assert "Group <i>y</i>" in texts
    assert (group, post) in reporting(svg)
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any("Group <i>y</i> reports to Chair <b>x</b>" in t for t in titles)
