"""Committing a write: plan it on a :class:`~kg.writes.draft.Draft`, validate it, commit it with
its history record as one SPARQL Update on the history head it read, and settle a write that a
SPARQL server committed at the same moment as another (``kg.writes.conflicts``). The steps and
the concurrency control are described in ``kg.writes.draft``.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import ValidationFailed, WriteConflict
from kg.store.protocol import Store
from kg.writes import conflicts, history
from kg.writes.draft import Change, Committed, Draft, check

T = TypeVar("T")

ATTEMPTS = 8
_LOCK = threading.Lock()


def write(
    store: Store, operation: str, plan: Callable[[Draft], T], *, source: ox.NamedNode | None = None
) -> tuple[T, Committed]:
    """Plan, validate and commit one write; raise NotFound, ValidationFailed or WriteConflict."""
    with _LOCK:
        return write_unlocked(store, operation, plan, source=source)


def write_unlocked(
    store: Store,
    operation: str,
    plan: Callable[[Draft], T],
    *,
    source: ox.NamedNode | None = None,
    revert_conflict: bool = True,
) -> tuple[T, Committed]:
    """:func:`write` for a caller holding the write lock. ``revert_conflict``: revert this write
    when it turns out to conflict with one committed at the same moment (``kg.writes.conflicts``).
    """
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
            done = Committed(change_iri.value, at, change)
            settle(store, done, head, undo=revert_conflict)
            return result, done
    raise WriteConflict(f"{operation}: the graph kept changing; tried {ATTEMPTS} times")


def commit_update(change: Change, record: Iterable[ox.Quad], head: history.Head) -> str:
    """One SPARQL Update applying ``change`` and its history ``record`` only on ``head``."""
    guard_delete, guard_where = history.head_guard(head)
    return (
        f"DELETE {{\n{guard_delete}\n{_template(change.remove)}}}\n"
        f"INSERT {{\n{_template([*change.add, *record])}}}\n"
        f"WHERE {{\n{guard_where}\n}}"
    )


def _template(quads: Iterable[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = defaultdict(list)
    for q in quads:
        by_graph[str(q.graph_name)].append(f"  {q.subject} {q.predicate} {q.object} .")
    return "".join(f"GRAPH {g} {{\n" + "\n".join(lines) + "\n}\n" for g, lines in by_graph.items())


def settle(store: Store, done: Committed, head: history.Head, *, undo: bool) -> None:
    """Raise WriteConflict when ``done`` and a concurrent change break the shapes together; with
    ``undo``, revert ``done`` first by a validated compensating write."""
    conflict = conflicts.find(store, done, head)
    if conflict is None:
        return
    message, names = conflict.message, conflict.changes
    if not undo:
        raise WriteConflict(f"{message}; not reverted", changes=names, committed=done.change_iri)
    try:
        _, reverted = write_unlocked(
            store, f"revert {done.change.operation}", conflict.revert, revert_conflict=False
        )
    except (ValidationFailed, WriteConflict) as exc:
        raise WriteConflict(
            f"{message}; reverting it failed: {exc.message}",
            changes=names,
            committed=done.change_iri,
        ) from exc
    raise WriteConflict(
        f"{message}, so it was reverted ({reverted.change_iri}); retry it",
        changes=names,
        reverted=reverted.change_iri,
    )
