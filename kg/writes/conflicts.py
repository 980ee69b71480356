"""Writes that a SPARQL server committed at the same moment: found after the fact, settled.

The head precondition (``kg.writes.history.head_guard``) stops an update prepared on a state
that has changed *before the update runs*. It cannot stop two updates that the server runs at the
same moment: Oxigraph evaluates each update on its own snapshot and takes no lock, so both see the
same head, both match, both commit (measured: 46 such pairs in 452 commits of four clients
racing on one ``oxigraph serve``). Both writes were validated, but each without the other.

After its commit a write therefore asks the history for the changes it did not see and that did
not see it: those following the heads it read, or the heads before those
(:func:`kg.writes.history.concurrent_with`). Of two such writes, the one committed later always
sees the other (it was committed before that check ran). :func:`find` then validates the nodes the
changes touched, as they are now (``kg.writes.commit`` acts on what it finds):

* they conform: the writes are compatible and all stand (the fork in the history is joined by
  the next write, which follows every head);
* they do not: this write is undone by a validated compensating write (operation
  ``revert <operation>``, in the history too) and the caller gets :class:`WriteConflict` naming
  the other change and the revert; nothing is reported written that is not. When the revert
  itself breaks the shapes (a later write already builds on this one), the conflict is reported
  with that, and the graph keeps the violations until someone fixes them.

Between the two commits and the revert, readers can see the combined state (milliseconds). A race
spanning more commits (an update still running while two other writes commit in turn) is not
looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.store.protocol import Store
from kg.validation.validate import Report
from kg.writes import history
from kg.writes.draft import Change, Committed, Draft, extract, quads_of_nodes, validate_focus


@dataclass(frozen=True)
class Conflict:
    """A committed write that breaks the shapes together with changes committed at the same
    moment: ``message`` says so, ``changes`` names the others, ``revert`` plans its undoing."""

    message: str
    changes: list[str]
    revert: Callable[[Draft], None]


def find(store: Store, done: Committed, head: history.Head) -> Conflict | None:
    """The conflict of ``done`` with the changes committed at the same moment, if any."""
    others = history.concurrent_with(store, ox.NamedNode(done.change_iri), head)
    if not others:
        return None
    theirs = [_change_of(record) for record in others]
    names = [record.iri for record in others]
    mine = done.change
    present = _present(store, [mine, *theirs])
    report = recheck(store, [mine, *theirs], present)
    if report.conforms:
        return None
    message = (
        f"{mine.operation}: committed at the same moment as {', '.join(names)}, on the same "
        f"state; together they break the shapes ({len(report.violations)} violation(s))"
    )
    added_by_them = {q for c in theirs for q in c.add}

    def revert(draft: Draft) -> None:
        draft.removed.update(q for q in mine.add if q in present and q not in added_by_them)
        draft.added.extend(q for q in mine.remove if q not in present)

    return Conflict(message, names, revert)


def recheck(store: Store, changes: list[Change], present: set[ox.Quad]) -> Report:
    """Validate, as they are now, the nodes ``changes`` touched (and those referring to a node
    that lost a type). ``present``: which of the changes' statements the store holds now."""
    touched = [q for c in changes for q in (*c.add, *c.remove)]
    probe = Change(
        operation="recheck",
        source=None,
        # statements still there (adding them changes nothing) and statements gone (removing
        # them changes nothing): the probe leaves the state as it is, its subjects are the focus
        add=frozenset(q for c in changes for q in c.add if q in present),
        remove=frozenset(q for q in touched if q not in present),
    )
    return validate_focus(extract(store, probe))


def _present(store: Store, changes: Iterable[Change]) -> set[ox.Quad]:
    quads = {q for c in changes for q in (*c.add, *c.remove)}
    subjects = {q.subject for q in quads if isinstance(q.subject, ox.NamedNode)}
    return quads_of_nodes(store, subjects) & quads


def _change_of(record: history.ChangeRecord) -> Change:
    def parse(lines: list[str]) -> frozenset[ox.Quad]:
        text = "".join(line + "\n" for line in lines)
        return frozenset(ox.parse(input=text, format=ox.RdfFormat.N_QUADS))

    source = ox.NamedNode(record.source) if record.source else None
    return Change(record.operation, source, parse(record.added), parse(record.removed))
