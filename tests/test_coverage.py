"""docs/coverage.md classifies every sentence of the seed article, and the graph carries the facts.

The article's text is the one the graph keeps (``schema:text`` of ``source/seemless-article``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Graph, Literal, Namespace, URIRef

from kg.model import paths, rdf
from kg.validation.validate import union_graph

KG = Namespace("https://w3id.org/aikg/def#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/aikg/id/"
ARTICLE = URIRef(ID + "source/seemless-article")
COVERAGE = paths.ONTOLOGY_DIR.parent / "docs" / "coverage.md"


@lru_cache(maxsize=1)
def graph() -> Graph:
    return union_graph(rdf.parse_file(paths.ARTICLE_GRAPH))


def article_sentences() -> list[str]:
    """The article's sentences: each line (a bullet's mark dropped) split after . ! or ?"""
    text = str(graph().value(ARTICLE, SCHEMA.text))
    found = []
    for line in text.splitlines():
        line = line.strip().lstrip("•").strip()
        found += [s.strip() for s in re.split(r'(?<=[.!?])\s+|(?<=[.!?]")\s+', line) if s.strip()]
    return found


def table() -> list[tuple[int, str, str, set[str], set[str]]]:
    rows = []
    for line in COVERAGE.read_text().splitlines():
        m = re.fullmatch(r"\| (\d+) \| (.*) \| (fact|commentary[^|]*) \| (.*) \| (.*) \|", line)
        if m:
            number, sentence, kind, nodes, citations = m.groups()
            rows.append(
                (
                    int(number),
                    sentence.replace("\\|", "|"),
                    kind,
                    set(re.findall(r"`([^`]+)`", nodes)),
                    set(re.findall(r"`([^`]+)`", citations)),
                )
            )
    return rows


def verbatim_citations() -> dict[str, tuple[str, str]]:
    """Verbatim citations of the article: name -> (quote, the node it is about)."""
    g = graph()
    out = {}
    for c in g.subjects(PROV.wasDerivedFrom, ARTICLE):
        if g.value(c, KG.verbatim) == Literal(True):
            name = str(c).removeprefix(ID + "citation/seemless-article/")
            out[name] = (str(g.value(c, KG.quote)), str(g.value(c, KG.about)).removeprefix(ID))
    return out


def test_the_table_lists_every_sentence_of_the_article_in_order() -> None:
    rows = table()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [r[1] for r in rows] == article_sentences()


def test_every_factual_sentence_is_quoted_by_a_citation_of_its_nodes() -> None:
    citations = verbatim_citations()
    facts = [r for r in table() if r[2] == "fact"]
    assert facts
    for number, sentence, _, nodes, names in facts:
        assert names, f"sentence {number} is a fact but no citation is listed"
        for name in names:
            quote, about = citations[name]
            assert sentence in quote, f"citation {name} does not quote sentence {number}"
            assert about in nodes, f"sentence {number}: {name} is about {about}, not listed"
        quoting = {n for n, (q, _) in citations.items() if sentence in q}
        assert quoting == names, f"sentence {number}: citations quoting it are {quoting}"


def test_no_quoted_sentence_is_filed_as_commentary() -> None:
    citations = verbatim_citations()
    for number, sentence, kind, nodes, names in table():
        if kind != "fact":
            quoting = [n for n, (q, _) in citations.items() if sentence in q]
            assert quoting == [], f"sentence {number} is quoted by {quoting}: a fact"
            assert nodes == names == set()
