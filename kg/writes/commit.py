"""Committing a write: plan it on a :class:`~kg.writes.draft.Draft`, validate it, commit it with
its history record as one SPARQL Update on the history head it read. The steps and the
concurrency control (one writer process; the head as a guard against writers outside kg) are
described in ``kg.writes.draft``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import KgError, NotFound, ValidationFailed, WriteConflict
from kg.metrics import record_write
from kg.store.protocol import Store
from kg.writes import history
from kg.writes.draft import Change, Committed, Draft, check

T = TypeVar("T")

ATTEMPTS = 8
_LOCK = threading.Lock()


def write(
    store: Store, operation: str, plan: Callable[[Draft], T], *, source: ox.NamedNode | None = None
) -> tuple[T, Committed]:
    """Plan, validate and commit one write; raise NotFound, ValidationFailed or WriteConflict."""
    with _LOCK:
        try:
            done = write_unlocked(store, operation, plan, source=source)
        except KgError as exc:
            record_write(operation, _OUTCOMES.get(type(exc), "error"))
            raise
    record_write(operation, "committed")
    return done


#: How a refused write is counted (kg.metrics ``kg_writes_total``).
_OUTCOMES: dict[type[KgError], str] = {
    ValidationFailed: "validation_failed",
    NotFound: "not_found",
    WriteConflict: "conflict",
}


def write_unlocked(
    store: Store,
    operation: str,
    plan: Callable[[Draft], T],
    *,
    source: ox.NamedNode | None = None,
) -> tuple[T, Committed]:
    """:func:`write` for a caller holding the write lock."""
    for _ in range(ATTEMPTS):
        head = history.read_head(store)
        draft = Draft(store, operation, source)
        result = plan(draft)
        change = draft.change()
        check(store, change)
        at = history.next_time(head)
        change_iri = history.new_change_iri(at)
        record = history.record_quads(
            change_iri,
            operation=operation,
            at=at,
            head=head,
            source=change.source,
            added=change.add,
            removed=change.remove,
        )
        store.update(commit_update(change, record, head))
        if history.is_committed(store, change_iri):
            return result, Committed(change_iri.value, at, change)
    raise WriteConflict(f"{operation}: the graph kept changing; tried {ATTEMPTS} times")


def commit_update(change: Change, record: Iterable[ox.Quad], head: history.Head) -> str:
    """One SPARQL Update applying ``change`` and its history ``record`` only on ``head``.

    The graphs the change empties (``change.cleared``) are cleared by pattern first, under the
    same condition (their blank nodes cannot be named in a ``DELETE`` template), in the same
    request: one transaction."""
    guard_delete, guard_where = history.head_guard(head)
    cleared = "".join(
        f"DELETE {{ GRAPH {g} {{ ?s ?p ?o }} }}\n"
        f"WHERE {{\n{guard_where}\nGRAPH {g} {{ ?s ?p ?o }}\n}} ;\n"
        for g in sorted(change.cleared, key=str)
    )
    removed = [q for q in change.remove if q.graph_name not in change.cleared]
    return (
        f"{cleared}DELETE {{\n{guard_delete}\n{_template(removed)}}}\n"
        f"INSERT {{\n{_template([*change.add, *record])}}}\n"
        f"WHERE {{\n{guard_where}\n}}"
    )


def _template(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = defaultdict(list)
    for q in quads:
        by_graph[str(q.graph_name)].append(f"  {q.subject} {q.predicate} {q.object} .")
    return "".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}\n" for g, lines in by_graph.items())
