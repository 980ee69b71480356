"""The SHACL-SPARQL constraints catch data that contradicts itself or its sources.

Each case breaks the shipped graph in one way a curator could (a holder given for a post whose
holder the source does not name, a full date under month precision, a "verbatim" quotation that
is not in its source's text, ...) and expects exactly the violations of that rule. Every
sh:sparql constraint of ``ontology/shapes.ttl`` has a case here; the generic per-constraint cases
of the other constraint kinds are in ``tests/test_shapes.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD

from kg.model import paths, rdf
from kg.validation.validate import shapes_graph, union_graph, validate_graph

KG = Namespace("https://w3id.org/aikg/def#")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
ID = Namespace("https://w3id.org/aikg/id/")
SPARQL = "SPARQLConstraintComponent"


def message(shape: str, contains: str) -> str:
    """The message of the sh:sparql constraint of ``shape`` whose message contains ``contains``."""
    shapes = shapes_graph()
    owner = URIRef("https://w3id.org/aikg/shapes#" + shape)
    found = [
        str(shapes.value(c, SH.message))
        for c in shapes.objects(owner, SH.sparql)
        if contains in str(shapes.value(c, SH.message))
    ]
    assert len(found) == 1, (shape, contains, found)
    return found[0]


@lru_cache(maxsize=1)
def base() -> Graph:
    return union_graph(rdf.parse_file(paths.ARTICLE_GRAPH)) + Graph().parse(paths.ONTOLOGY)


def copy() -> Graph:
    g = Graph()
    for t in base():
        g.add(t)
    return g


Mutation = Callable[[Graph], None]


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mutation
    expected: list[tuple[str, str]]  # (focus node, message)


def set_value(node: str, prop: URIRef, value: URIRef | Literal) -> Mutation:
    return lambda g: g.set((ID[node], prop, value))


def add_value(node: str, prop: URIRef, value: URIRef | Literal) -> Mutation:
    return lambda g: g.add((ID[node], prop, value))


def remove_values(node: str, prop: URIRef) -> Mutation:
    return lambda g: g.remove((ID[node], prop, None))


def shift_position(g: Graph) -> None:
    quotation = next(iter(sorted(g.subjects(RDF.type, OA.SpecificResource))))
    selector = next(s for s in g.objects(quotation, OA.hasSelector) if (s, OA.start, None) in g)
    start = int(g.value(selector, OA.start))  # type: ignore[arg-type]
    g.set((selector, OA.start, Literal(start + 1)))


def first_quotation(g: Graph) -> str:
    return str(next(iter(sorted(g.subjects(RDF.type, OA.SpecificResource)))))


POST = "PostShape"
EVENT = "StrategyEventShape"
CITATION = "CitationShape"
DATE = message(EVENT, "does not match its precision")

CASES = [
    Case(
        "unnamed-holder-with-a-person",
        add_value("post/openai-cfo", ORG.heldBy, ID["person/greg-brockman"]),
        [(str(ID["post/openai-cfo"]), message(POST, "names no holder"))],
    ),
    Case(
        "named-holder-without-a-person",
        remove_values("post/openai-president", ORG.heldBy),
        [(str(ID["post/openai-president"]), message(POST, "gives no person"))],
    ),
    Case(
        "month-precision-with-a-full-date",
        set_value("event/katti-appointment", KG.date, Literal("2025-11-20", datatype=XSD.date)),
        [(str(ID["event/katti-appointment"]), DATE)],
    ),
    Case(
        "day-precision-with-a-year",
        set_value("event/stargate-announcement", KG.date, Literal("2025", datatype=XSD.gYear)),
        [(str(ID["event/stargate-announcement"]), DATE)],
    ),
    Case(
        "not-stated-date-with-a-date",
        add_value(
            "event/stargate-strategy-shift", KG.date, Literal("2026-03", datatype=XSD.gYearMonth)
        ),
        [(str(ID["event/stargate-strategy-shift"]), DATE)],
    ),
    Case(
        "date-basis-without-a-date",
        add_value("event/group-leader-appointments", KG.dateBasis, KG.FirstReportedOn),
        [(str(ID["event/group-leader-appointments"]), message(EVENT, "but no date"))],
    ),
    Case(
        "verbatim-quotation-not-in-the-source-text",
        set_value("citation/kg-editorial/amazon", KG.quote, Literal("AWS is owned by Amazon.")),
        [(str(ID["citation/kg-editorial/amazon"]), message(CITATION, "is not in the text"))],
    ),
    Case(
        "verbatim-quotation-not-in-the-article-nor-its-selector",
        set_value("citation/seemless-article/openai", KG.quote, Literal("OpenAI has appointed.")),
        [
            (str(ID["citation/seemless-article/openai"]), message(CITATION, "is not in the text")),
            (str(ID["citation/seemless-article/openai"]), message(CITATION, "differs from")),
        ],
    ),
    Case(
        "verbatim-quotation-of-a-source-known-only-as-reported",
        set_value("citation/ttm-1125478651/cloud-spending", KG.verbatim, Literal(True)),
        [
            (
                str(ID["citation/ttm-1125478651/cloud-spending"]),
                message(CITATION, "cannot be verbatim"),
            )
        ],
    ),
    Case(
        "quotation-not-in-what-was-reported",
        set_value(
            "citation/ttm-1125478651/cloud-spending",
            KG.quote,
            Literal("OpenAI expects to spend up to $700 billion on cloud servers through 2030."),
        ),
        [
            (
                str(ID["citation/ttm-1125478651/cloud-spending"]),
                message(CITATION, "not in what was reported"),
            )
        ],
    ),
    Case(
        "quotation-at-the-wrong-position",
        shift_position,
        [(first_quotation(base()), message("QuotationShape", "not at the position"))],
    ),
    Case(
        "provider-relationship-with-an-organisation-and-a-group",
        add_value(
            "relationship/openai-aws", KG.providerGroup, ID["group/potential-chip-manufacturers"]
        ),
        [(str(ID["relationship/openai-aws"]), message("ProviderRelationshipShape", "not both"))],
    ),
    Case(
        "provider-relationship-without-a-provider",
        remove_values("relationship/openai-aws", KG.provider),
        [(str(ID["relationship/openai-aws"]), message("ProviderRelationshipShape", "not both"))],
    ),
    Case(
        "unit-that-belongs-nowhere",
        remove_values("unit/openai-infrastructure", ORG.unitOf),
        [(str(ID["unit/openai-infrastructure"]), message("UnitShape", "belong somewhere"))],
    ),
    Case(
        "news-article-without-a-publisher",
        remove_values("source/odaily-2797559", SCHEMA.publisher),
        [(str(ID["source/odaily-2797559"]), message("SourceShape", "needs a publisher"))],
    ),
]


def test_shipped_graph_satisfies_every_sparql_constraint() -> None:
    report = validate_graph(base())
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_contradiction_is_caught_with_its_message(case: Case) -> None:
    g = copy()
    case.mutate(g)
    report = validate_graph(g)
    assert not report.conforms
    found = sorted((v.focus, v.message) for v in report.violations)
    assert found == sorted(case.expected), report.to_text()
    assert {v.component for v in report.violations} == {SPARQL}


def test_every_sparql_constraint_has_a_case() -> None:
    shapes = shapes_graph()
    messages = {str(shapes.value(c, SH.message)) for c in shapes.objects(None, SH.sparql)}
    covered = {m for case in CASES for _, m in case.expected}
    assert messages - covered == set()


def test_units_conform_under_org_s_own_axioms() -> None:
    """ORG makes org:unitOf a sub-property of org:subOrganizationOf: under RDFS inference with
    that axiom the units still conform (a unit inside a unit is not also org:unitOf)."""
    org_axioms = Graph().parse(
        data="""
        @prefix org: <http://www.w3.org/ns/org#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        org:unitOf rdfs:subPropertyOf org:subOrganizationOf .
        org:hasUnit rdfs:subPropertyOf org:hasSubOrganization .
        org:OrganizationalUnit rdfs:subClassOf org:Organization .
        org:FormalOrganization rdfs:subClassOf org:Organization .
        """,
        format="turtle",
    )
    conforms, _, text = pyshacl.validate(
        copy(), shacl_graph=shapes_graph(), ont_graph=org_axioms, inference="rdfs"
    )
    assert conforms, text
