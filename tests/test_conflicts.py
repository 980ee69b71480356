"""Writes a SPARQL server committed at the same moment, each validated without the other.

The fork is made the way a server running two updates on one snapshot makes it: the first
write commits normally, the second was planned and validated on the same head and is committed
as if its precondition had been checked on that snapshot. ``kg.writes.commit.settle`` must then keep
both when they are compatible and revert the second, reporting it, when they are not. Every test
runs on the embedded store and on a real Oxigraph server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox
import pytest

from kg.errors import WriteConflict
from kg.model.namespaces import ID, ORG, SCHEMA
from kg.store.protocol import Store
from kg.writes import commit, history
from kg.writes.draft import RDF_TYPE, Committed, Draft, check
from tests.test_writes import RDFS_LABEL, SEEMLESS, everything, n, new_org

Plan = Callable[[Draft], object]


def new_person(label: str) -> Plan:
    def plan(draft: Draft) -> ox.NamedNode:
        node = draft.mint("person", label)
        draft.add(node, RDF_TYPE, n(SCHEMA.Person))
        draft.add(node, RDFS_LABEL, ox.Literal(label))
        return node

    return plan


def new_unit(org: ox.NamedNode) -> Plan:
    def plan(draft: Draft) -> ox.NamedNode:
        unit = draft.mint("unit", "Racing team")
        draft.add(unit, RDF_TYPE, n(ORG.OrganizationalUnit))
        draft.add(unit, RDFS_LABEL, ox.Literal("Racing team"))
        draft.add(unit, n(ORG.unitOf), draft.refer(org, "unitOf"))
        return unit

    return plan


def delete(node: ox.NamedNode) -> Plan:
    return lambda draft: draft.remove_node(node)


def prepare(store: Store, operation: str, plan: Plan) -> tuple[Committed, list[ox.Quad]]:
    """Plan and validate a write on the current state: what it will commit, and its record."""
    head = history.read_head(store)
    draft = Draft(store, operation, SEEMLESS)
    plan(draft)
    change = draft.change()
    check(store, change)
    at = history.next_time(head)
    iri = history.new_change_iri(at)
    record = history.record_quads(
        iri, operation=operation, at=at, head=head, source=SEEMLESS,
        added=change.add, removed=change.remove,
    )  # fmt: skip
    return Committed(iri.value, at, change), record


def data(quads: Iterable[ox.Quad]) -> str:
    return " ".join(
        f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}" for q in quads
    )


def race(store: Store, first: Plan, second: Plan) -> Committed:
    """Commit ``first`` and ``second``, both validated on the same head, as a server running
    both updates at once on one snapshot does; return the second's commit."""
    head = history.read_head(store)
    done_1, record_1 = prepare(store, "first", first)
    done_2, record_2 = prepare(store, "second", second)
    store.update(commit.commit_update(done_1.change, record_1, head))
    # the second update matched on the snapshot both started from: the old head was there
    commit_on_snapshot(store, done_2, record_2)
    return done_2


def commit_on_snapshot(store: Store, done: Committed, record: list[ox.Quad]) -> None:
    """Commit a prepared write whose precondition held on the snapshot its update ran on."""
    store.update(
        f"DELETE DATA {{ {data(done.change.remove)} }} ;\n"
        f"INSERT DATA {{ {data([*done.change.add, *record])} }}"
    )


def heads(store: Store) -> int:
    return len(store.select(f"SELECT ?c WHERE {{ GRAPH ?g {{ {history.LOG} ?p ?c }} }}"))


def test_compatible_concurrent_writes_both_stand_and_the_next_write_joins_the_fork(
    article_store: Store,
) -> None:
    commit.write(article_store, "createOrganization", new_org, source=SEEMLESS)
    head = history.read_head(article_store)
    done = race(article_store, new_person("Racer One"), new_person("Racer Two"))
    assert heads(article_store) == 2

    commit.settle(article_store, done, head, undo=True)  # no conflict to report

    persons = f"SELECT ?l {{ GRAPH ?g {{ ?p a {n(SCHEMA.Person)} ; {RDFS_LABEL} ?l }} }}"
    labels = {r["l"].value for r in article_store.select(persons)}
    assert {"Racer One", "Racer Two"} <= labels
    commit.write(article_store, "createPerson", new_person("After"), source=SEEMLESS)
    assert heads(article_store) == 1
    report = history.validate(article_store)
    assert report.conforms, report.to_text()


def test_a_write_breaking_the_shapes_with_a_concurrent_one_is_reverted_and_reported(
    article_store: Store,
) -> None:
    org, _ = commit.write(article_store, "createOrganization", new_org, source=SEEMLESS)
    head = history.read_head(article_store)
    done = race(article_store, delete(org), new_unit(org))
    unit = next(iter(done.change.new_nodes))
    assert article_store.ask(f"ASK {{ GRAPH ?g {{ {unit} {n(ORG.unitOf)} {org} }} }}")
    after_delete = everything(article_store) - {
        (str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
        for q in done.change.add
    }

    with pytest.raises(WriteConflict) as conflict:
        commit.settle(article_store, done, head, undo=True)

    reverted = conflict.value.detail["reverted"]
    assert conflict.value.detail["changes"] != [] and reverted.startswith(f"{ID}change/")
    # the unit is gone again, the delete stands, and the history says so
    data = {q for q in everything(article_store) if q[3] != str(history.HISTORY_GRAPH)}
    assert data == {q for q in after_delete if q[3] != str(history.HISTORY_GRAPH)}
    assert [c.operation for c in history.changes(article_store)][-3:] == [
        "first", "second", "revert second"
    ]  # fmt: skip
    assert heads(article_store) == 1
    report = history.validate(article_store)
    assert report.conforms, report.to_text()


def test_a_conflict_that_may_not_be_reverted_is_reported_with_the_change_that_stays(
    article_store: Store,
) -> None:
    org, _ = commit.write(article_store, "createOrganization", new_org, source=SEEMLESS)
    head = history.read_head(article_store)
    done = race(article_store, delete(org), new_unit(org))

    with pytest.raises(WriteConflict) as conflict:
        commit.settle(article_store, done, head, undo=False)

    assert conflict.value.detail["committed"] == done.change_iri
    assert "not reverted" in conflict.value.message


def test_after_a_fork_a_write_prepared_on_one_branch_only_writes_nothing(
    article_store: Store,
) -> None:
    commit.write(article_store, "createOrganization", new_org, source=SEEMLESS)
    race(article_store, new_person("Racer One"), new_person("Racer Two"))
    forked = history.read_head(article_store)
    assert len(forked.heads) == 2
    one_branch = history.Head(forked.others[0], None)  # read before the other commit landed
    draft = Draft(article_store, "createPerson", SEEMLESS)
    new_person("Late Reader")(draft)
    record = history.record_quads(
        history.new_change_iri(history.next_time(forked)), operation="createPerson",
        at=history.next_time(forked), head=one_branch, source=SEEMLESS,
        added=draft.change().add, removed=frozenset(),
    )  # fmt: skip
    before = everything(article_store)
    article_store.update(commit.commit_update(draft.change(), record, one_branch))
    assert everything(article_store) == before

    _, joined = commit.write(article_store, "createPerson", new_person("Joiner"), source=SEEMLESS)
    assert history.read_head(article_store).heads == [ox.NamedNode(joined.change_iri)]
    followed = article_store.select(
        f"SELECT ?p WHERE {{ GRAPH ?g {{ <{joined.change_iri}> "
        f"<http://www.w3.org/ns/prov#wasInformedBy> ?p }} }}"
    )
    assert {r["p"] for r in followed} == set(forked.heads)
    report = history.validate(article_store)
    assert report.conforms, report.to_text()


def test_a_write_racing_a_commit_on_the_state_before_its_own_is_found_too(
    article_store: Store,
) -> None:
    org, _ = commit.write(article_store, "createOrganization", new_org, source=SEEMLESS)
    before_both = history.read_head(article_store)
    # "first" and the delete were both validated on before_both; "first" landed, then the unit
    # was validated on the state after "first", and committed while the delete was landing
    _, record_d = deleted = prepare(article_store, "deleteOrganization", delete(org))
    commit.write(article_store, "first", new_person("Racer One"), source=SEEMLESS)
    after_first = history.read_head(article_store)
    unit, record_u = prepare(article_store, "createUnit", new_unit(org))
    commit_on_snapshot(article_store, deleted[0], record_d)
    commit_on_snapshot(article_store, unit, record_u)
    assert before_both.change is not None

    with pytest.raises(WriteConflict) as conflict:
        commit.settle(article_store, unit, after_first, undo=True)

    assert conflict.value.detail["changes"] == [deleted[0].change_iri]
    unit_node = next(iter(unit.change.new_nodes))
    assert not article_store.ask(f"ASK {{ GRAPH ?g {{ {unit_node} ?p ?o }} }}")
