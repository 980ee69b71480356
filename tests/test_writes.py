"""The write core: changes validated on the nodes they touch, committed whole or not at all.

Every test runs on the embedded store and on a real Oxigraph server (``article_store``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.errors import NotFound, ValidationFailed
from kg.model.namespaces import DCT, ID, KG, ORG, PROV, SCHEMA
from kg.store.protocol import Store
from kg.validation.validate import shapes_graph
from kg.writes import commit, history
from kg.writes.draft import RDF_TYPE, Draft, extract, slugify, validate_focus

RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
XSD = "http://www.w3.org/2001/XMLSchema#"
SEEMLESS = ox.NamedNode(f"{ID}source/seemless-article")


def iri_of(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def n(iri: object) -> ox.NamedNode:
    return ox.NamedNode(iri_of(iri))


def i(local: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}{local}")


def everything(store: Store) -> set[tuple[str, str, str, str]]:
    rows = store.select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {(str(r["s"]), str(r["p"]), str(r["o"]), str(r["g"])) for r in rows}


def message(shape: str, path: object | None) -> str:
    """The sh:message of a node shape's property shape for ``path`` (or of the node shape)."""
    g: Graph = shapes_graph()
    node = URIRef(f"https://w3id.org/aikg/shapes#{shape}")
    if path is None:
        return str(g.value(node, SH.message))
    for prop in g.objects(node, SH.property):
        if g.value(prop, SH.path) == URIRef(iri_of(path)):
            return str(g.value(prop, SH.message))
    raise AssertionError(f"{shape} has no property shape for {path}")


def new_org(draft: Draft, label: str = "Example Compute") -> ox.NamedNode:
    node = draft.mint("org", label)
    draft.add(node, RDF_TYPE, n(ORG.FormalOrganization))
    draft.add(node, RDFS_LABEL, ox.Literal(label))
    draft.add(node, n(ORG.classification), n(KG.CloudProvider))
    return node


def test_a_valid_write_is_committed_in_the_graph_of_its_source(article_store: Store) -> None:
    node, done = commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)

    assert node == i("org/example-compute")
    assert article_store.ask(
        f"ASK {{ GRAPH <https://w3id.org/aikg/graph/seemless-article> "
        f"{{ {node} a {n(ORG.FormalOrganization)} ; {RDFS_LABEL} 'Example Compute' }} }}"
    )
    [record] = history.changes(article_store)
    assert record.iri == done.change_iri
    assert record.operation == "createOrganisation"
    assert record.source == SEEMLESS.value
    assert len(record.added) == 3 and record.removed == []


def test_minted_iris_are_readable_and_deterministic(article_store: Store) -> None:
    first, _ = commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    second, _ = commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    openai, _ = commit.write(
        article_store, "createOrganisation", lambda d: new_org(d, "OpenAI"), source=SEEMLESS
    )
    assert [first.value, second.value, openai.value] == [
        f"{ID}org/example-compute",
        f"{ID}org/example-compute-2",
        f"{ID}org/openai-2",  # org/openai is the shipped one
    ]
    assert slugify("Technical Design & Architecture") == "technical-design-architecture"


Breaker = Callable[[Draft], None]


def _set(node: str, prop: object, *values: ox.NamedNode | ox.Literal) -> Breaker:
    return lambda d: d.set(i(node), n(prop), values)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=n(XSD + datatype))


def _bare_change_event(d: Draft) -> None:
    event = d.mint("event", "Bare change")
    d.add(event, RDF_TYPE, n(ORG.ChangeEvent))
    d.add(event, n(ORG.resultingOrganization), i("unit/openai-infrastructure"))


# One case per kind of constraint the shapes use, each breaking one shipped node.
CASES: list[tuple[str, Breaker, str, str, object | None]] = [
    ("minCount", _set("org/openai", ORG.classification), "org/openai", "OrganizationShape",
     ORG.classification),
    ("maxCount", lambda d: d.add(i("unit/openai-infrastructure"), n(ORG.unitOf), i("org/google")),
     "unit/openai-infrastructure", "UnitShape", ORG.unitOf),
    ("datatype", _set("person/greg-brockman", RDFS_LABEL, ox.Literal("Greg", language="en")),
     "person/greg-brockman", "PersonShape", RDFS_LABEL),
    ("minLength", _set("platform/aws", RDFS_LABEL, ox.Literal("")), "platform/aws",
     "CloudPlatformShape", RDFS_LABEL),
    ("in", _set("relationship/openai-aws", KG.relationshipStatus, n(KG.StrategyShift)),
     "relationship/openai-aws", "ProviderRelationshipShape", KG.relationshipStatus),
    ("class", _set("post/openai-president", ORG.heldBy, i("org/openai")),
     "post/openai-president", "PostShape", ORG.heldBy),
    ("or", _set("post/openai-cfo", ORG.postIn, i("person/greg-brockman")),
     "post/openai-cfo", "PostShape", ORG.postIn),
    ("pattern", _set("source/odaily-2797559", SCHEMA.url, _typed("ftp://gdgz.link/x", "anyURI")),
     "source/odaily-2797559", "SourceShape", SCHEMA.url),
    ("nodeKind", _set("citation/odaily-2797559/reorganisation", KG.about, ox.Literal("x")),
     "citation/odaily-2797559/reorganisation", "CitationShape", KG.about),
    ("node class", lambda d: _bare_change_event(d), "event/bare-change", "ChangeEventShape", None),
    ("reorganisation result", lambda d: d.add(i("event/katti-appointment"), RDF_TYPE,
                                              n(ORG.ChangeEvent)),
     "event/katti-appointment", "ChangeEventShape", ORG.resultingOrganization),
    ("initiative ledBy", _set("initiative/stargate-project", KG.ledBy),
     "initiative/stargate-project", "InitiativeShape", KG.ledBy),
    ("responsibility label", _set("responsibility/uptime", RDFS_LABEL),
     "responsibility/uptime", "ResponsibilityShape", RDFS_LABEL),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_write_breaking_a_shape_fails_with_its_message_and_writes_nothing(
    article_store: Store, case: tuple[str, Breaker, str, str, object | None]
) -> None:
    _, breaker, node, shape, path = case
    before = everything(article_store)

    with pytest.raises(ValidationFailed) as failed:
        commit.write(article_store, "update", breaker, source=SEEMLESS)

    violations = failed.value.detail["violations"]
    assert [(v["focusNode"], v["message"]) for v in violations] == [
        (f"{ID}{node}", message(shape, path))
    ]
    assert violations[0]["path"] == (iri_of(path) if path is not None else None)
    assert everything(article_store) == before
    assert history.changes(article_store) == []


def test_deleting_a_node_others_refer_to_is_refused_on_the_referrers(article_store: Store) -> None:
    before = everything(article_store)
    with pytest.raises(ValidationFailed) as failed:
        commit.write(
            article_store, "deletePerson", lambda d: d.remove_node(i("person/greg-brockman"))
        )
    [violation] = failed.value.detail["violations"]
    assert violation["focusNode"] == f"{ID}post/openai-president"
    assert violation["value"] == f"{ID}person/greg-brockman"
    assert everything(article_store) == before


def test_deleting_a_node_removes_it_and_its_citations_everywhere(article_store: Store) -> None:
    def delete(d: Draft) -> None:
        d.set(i("post/openai-president"), n(ORG.heldBy), [])
        d.set(i("post/openai-president"), n(KG.holderStatus), [n(KG.HolderUnnamed)])
        d.remove_node(i("person/greg-brockman"))

    commit.write(article_store, "deletePerson", delete, source=SEEMLESS)

    assert not article_store.ask(f"ASK {{ GRAPH ?g {{ {i('person/greg-brockman')} ?p ?o }} }}")
    assert not article_store.ask(
        f"ASK {{ GRAPH ?g {{ ?c {n(KG.about)} {i('person/greg-brockman')} }} }}"
    )
    [record] = history.changes(article_store)
    assert any("greg-brockman> <http://www.w3.org/2000/01/rdf-schema#label>" in line
               for line in record.removed)  # fmt: skip


def test_a_reference_to_a_missing_node_is_not_found(article_store: Store) -> None:
    def plan(d: Draft) -> None:
        unit = d.mint("unit", "Ghost team")
        d.add(unit, RDF_TYPE, n(ORG.OrganizationalUnit))
        d.add(unit, RDFS_LABEL, ox.Literal("Ghost team"))
        d.add(unit, n(ORG.unitOf), d.refer(i("org/no-such-org"), "unitOf"))

    before = everything(article_store)
    with pytest.raises(NotFound) as missing:
        commit.write(article_store, "createUnit", plan, source=SEEMLESS)
    assert missing.value.detail["nodes"] == [f"{ID}org/no-such-org"]
    assert "unitOf" in missing.value.message
    assert everything(article_store) == before


def test_a_write_naming_a_source_that_does_not_exist_is_not_found(article_store: Store) -> None:
    with pytest.raises(NotFound):
        commit.write(article_store, "createOrganisation", new_org, source=i("source/nowhere"))


def test_validation_reads_only_what_the_write_touches(article_store: Store) -> None:
    def plan(d: Draft) -> None:
        d.set(i("unit/openai-infrastructure"), n(DCT.description), [ox.Literal("x")])

    draft = Draft(article_store, "updateUnit", SEEMLESS)
    plan(draft)
    sub = extract(article_store, draft.change())
    assert sub.focus == {i("unit/openai-infrastructure")}
    # the unit's own statements plus one type for each node it refers to
    assert len(sub.triples) < 30
    assert sub.types[f"{ID}org/openai"] == {str(ORG.FormalOrganization)}


def test_an_update_prepared_on_a_stale_head_writes_nothing(article_store: Store) -> None:
    stale = history.read_head(article_store)
    commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    before = everything(article_store)

    draft = Draft(article_store, "createOrganisation", SEEMLESS)
    new_org(draft, "Late Writer")
    change = draft.change()
    at = history.next_time(stale)
    record = history.record_quads(
        history.new_change_iri(at), operation="x", at=at, head=stale, source=SEEMLESS,
        added=change.add, removed=change.remove,
    )  # fmt: skip
    article_store.update(commit.commit_update(change, record, stale))

    assert everything(article_store) == before


def test_changes_since_returns_later_changes_in_order(article_store: Store) -> None:
    _, first = commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    _, second = commit.write(
        article_store, "createOrganisation", lambda d: new_org(d, "Second"), source=SEEMLESS
    )
    assert [c.iri for c in history.changes(article_store)] == [first.change_iri, second.change_iri]
    assert [c.iri for c in history.changes(article_store, first.at)] == [second.change_iri]
    assert history.changes(article_store, datetime.now(UTC).replace(year=2100)) == []


def test_history_is_prov_activity_in_the_history_graph(article_store: Store) -> None:
    _, done = commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    change = ox.NamedNode(done.change_iri)
    assert article_store.ask(
        f"ASK {{ GRAPH {history.HISTORY_GRAPH} {{ {change} a {n(PROV.Activity)} ; "
        f"{n(PROV.used)} {SEEMLESS} ; {n(PROV.endedAtTime)} ?t . "
        f"{history.LOG} {n(KG.latestChange)} {change} }} }}"
    )


def test_the_history_graph_conforms_to_its_shapes(article_store: Store) -> None:
    commit.write(article_store, "createOrganisation", new_org, source=SEEMLESS)
    commit.write(article_store, "deleteOrg", lambda d: d.remove_node(i("org/example-compute")))
    report = history.validate(article_store)
    assert report.conforms, report.to_text()

    article_store.update(
        f"INSERT DATA {{ GRAPH {history.HISTORY_GRAPH} {{ {history.LOG} "
        f"{n(KG.latestChange)} {i('change/not-a-change')} }} }}"
    )
    report = history.validate(article_store)
    assert not report.conforms
    assert {v.message for v in report.violations} == {
        "The history has exactly one latest change (kg:latestChange a kg:Change)."
    }


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_the_fast_focus_validation_agrees_with_pyshacl_validate(
    article_store: Store, case: tuple[str, Breaker, str, str, object | None]
) -> None:
    draft = Draft(article_store, "update", SEEMLESS)
    case[1](draft)
    sub = extract(article_store, draft.change())
    fast = validate_focus(sub, fast=True)
    public = validate_focus(sub, fast=False)
    assert not fast.conforms
    assert sorted(v.key() for v in fast.violations) == sorted(v.key() for v in public.violations)


class CountingUpdates:
    """The store as it is, noting each update it is sent."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.updates: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def update(self, text: str) -> None:
        self.updates.append(text)
        self.store.update(text)


def test_a_write_is_sent_as_one_update_request(article_store: Store) -> None:
    counting = CountingUpdates(article_store)
    commit.write(counting, "createOrganisation", new_org, source=SEEMLESS)  # type: ignore[arg-type]
    [update] = counting.updates
    assert update.startswith("DELETE {") and "INSERT {" in update and "WHERE {" in update
    assert str(history.HISTORY_GRAPH) in update  # the history record rides along
