"""Validated writes: a change is checked against the shapes for the nodes it touches, then
committed as one SPARQL Update, or not at all.

A write is a *plan*, a function that fills a :class:`Draft` (statements to add in the named
graph of the write's source, statements to remove from any graph, new IRIs minted, references
that must exist). ``kg.writes.commit.write`` runs it:

1. read the history head (``kg.writes.history``), run the plan against the current store;
2. compute the focus nodes: every subject the change touches, plus every node that refers to a
   node losing an ``rdf:type`` (its ``sh:class`` constraints may now fail). No shape here has an
   inverse path, so a node gaining or losing an incoming link needs no other revalidation;
3. extract a small subgraph: the focus nodes' statements as they will be after the change, plus
   the ``rdf:type`` of every node they refer to (what ``sh:class`` reads);
4. validate it with pySHACL, one call per node shape that targets a focus node's classes
   (``use_shapes`` + ``focus_nodes``), so the cost follows the size of the change, not of the
   graph;
5. commit the change and its history record as ONE ``DELETE {..} INSERT {..} WHERE {..}``
   request, atomic on pyoxigraph and on a SPARQL server.

Concurrency control: one process commits writes (the writer; other replicas forward their
writes to it, ``kg.http.forward``), and in it writes are serialized by a lock, so each is validated
on the state it is committed on. Each update also carries the history head it read as its
``WHERE`` precondition: a guard against writers outside kg (a raw SPARQL Update, another tool)
that changed the history before the update ran; such an update matches nothing and writes
nothing, and the write is re-planned and re-validated against the new state (up to
``ATTEMPTS`` times). No state is kept outside the store.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import InputError, NotFound, ValidationFailed
from kg.model.namespaces import GRAPH, ID, KG, is_reserved
from kg.store.protocol import Store, Term
from kg.validation import focus
from kg.validation.validate import Report, to_rdflib
from kg.writes import history

RDF_TYPE = ox.NamedNode(str(RDF.type))
_SOURCE_PREFIX = f"{ID}source/"
_CITATION = ox.NamedNode(str(KG["Citation"]))
_ABOUT = ox.NamedNode(str(KG["about"]))


@dataclass(frozen=True)
class Change:
    """What a write does: quads to add and to remove, under an operation name and a source."""

    operation: str
    source: ox.NamedNode | None
    add: frozenset[ox.Quad]
    remove: frozenset[ox.Quad]
    must_exist: tuple[tuple[ox.NamedNode, str], ...] = ()
    new_nodes: frozenset[ox.NamedNode] = frozenset()
    #: Stored quads of nodes the plan already read (same attempt, so the same state).
    read: tuple[tuple[ox.NamedNode, tuple[ox.Quad, ...]], ...] = ()
    #: Named graphs the write empties first (a load replacing them): their quads are in
    #: ``remove`` (validation, history), and the commit clears the graphs by pattern.
    cleared: frozenset[ox.NamedNode] = frozenset()


@dataclass(frozen=True)
class Committed:
    """A committed write: the history record's IRI and time, and what changed."""

    change_iri: str
    at: datetime
    change: Change


def source_graph(source: ox.NamedNode) -> ox.NamedNode:
    """The named graph of a source: ``id/source/<slug>`` lives in ``graph/<slug>``."""
    if not source.value.startswith(_SOURCE_PREFIX) or len(source.value) == len(_SOURCE_PREFIX):
        raise InputError(f"<{source.value}> is not a source IRI (expected {_SOURCE_PREFIX}<slug>)")
    graph = str(GRAPH[source.value[len(_SOURCE_PREFIX) :]])
    if is_reserved(graph):
        raise InputError(
            f"<{source.value}> cannot be a source: its graph <{graph}> is reserved to kg "
            "(history and ontology)"
        )
    return ox.NamedNode(graph)


def slugify(text: str, *, limit: int = 60) -> str:
    """A readable IRI segment: lower-case ASCII words joined by '-', or a hash when none."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
    return slug or "n" + hashlib.sha256(text.encode()).hexdigest()[:10]


class Draft:
    """The change a plan is building, with read access to the store as it is now."""

    def __init__(self, store: Store, operation: str, source: ox.NamedNode | None) -> None:
        self.store = store
        self.operation = operation
        self.source: ox.NamedNode | None = None
        self.graph: ox.NamedNode | None = None
        self.added: list[ox.Quad] = []
        self.removed: set[ox.Quad] = set()
        self.must_exist: list[tuple[ox.NamedNode, str]] = []
        self.minted: set[ox.NamedNode] = set()
        self.cleared: set[ox.NamedNode] = set()
        self._quads: dict[ox.NamedNode, list[ox.Quad]] = {}
        if source is not None:
            self.use_source(source)

    def use_source(self, source: ox.NamedNode) -> None:
        """Name the source of this write: added statements go to its named graph."""
        self.graph = source_graph(source)
        self.source = source
        self.refer(source, "source")

    # ---- reading
    def quads_of(self, node: ox.NamedNode) -> list[ox.Quad]:
        """Every stored quad with ``node`` as subject, outside the history graph."""
        if node in self.minted:
            return []
        if node not in self._quads:
            self._quads[node] = [
                ox.Quad(node, r["p"], r["o"], r["g"])  # type: ignore[arg-type]
                for r in self.store.select(
                    f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {node} ?p ?o }} "
                    f"FILTER(?g != {history.HISTORY_GRAPH}) }}"
                )
            ]
        return self._quads[node]

    def types_of(self, node: ox.NamedNode) -> set[str]:
        """The classes ``node`` has, counting what this draft adds and removes."""
        kept = [q for q in self.quads_of(node) if q not in self.removed]
        mine = [q for q in self.added if q.subject == node]
        return {
            q.object.value
            for q in (*kept, *mine)
            if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)
        }

    def expect(self, node: ox.NamedNode, classes: Iterable[ox.NamedNode], what: str) -> None:
        """Raise NotFound unless ``node`` exists as one of ``classes``."""
        if not self.types_of(node) & {c.value for c in classes}:
            raise NotFound(f"no {what} <{node.value}>", node=node.value)

    # ---- writing
    def add(self, s: ox.NamedNode, p: ox.NamedNode, o: Term) -> None:
        if self.graph is None:
            raise InputError(f"{self.operation} needs a source to add statements to")
        self.added.append(ox.Quad(s, p, o, self.graph))

    def refer(self, node: ox.NamedNode, field: str) -> ox.NamedNode:
        """Note that ``node`` (given as ``field``) must exist once the change is applied."""
        self.must_exist.append((node, field))
        return node

    def set(self, s: ox.NamedNode, p: ox.NamedNode, values: Iterable[Term]) -> None:
        """Replace every value of ``p`` on ``s`` (in any graph) by ``values`` (in ours)."""
        self.removed.update(q for q in self.quads_of(s) if q.predicate == p)
        for value in values:
            self.add(s, p, value)

    def remove_node(self, node: ox.NamedNode) -> None:
        """Remove every statement about ``node`` and the citations about it."""
        self.removed.update(self.quads_of(node))
        rows = self.store.select(
            f"SELECT DISTINCT ?c WHERE {{ GRAPH ?g {{ ?c {_ABOUT} {node} ; a {_CITATION} }} }}"
        )
        for row in rows:
            citation = row["c"]
            if isinstance(citation, ox.NamedNode):
                self.removed.update(self.quads_of(citation))

    def clear_graph(self, graph: ox.NamedNode) -> None:
        """Remove every statement of the named graph ``graph`` (a load replacing it)."""
        self.removed.update(graph_quads(self.store, graph.value))
        self.cleared.add(graph)

    def mint(self, kind: str, label: str) -> ox.NamedNode:
        """A new IRI ``id/<kind>/<slug-of-label>``, with ``-2``, ``-3``... when taken."""
        base = f"{ID}{kind}/{slugify(label)}"
        start = 1
        while True:
            candidates = [base if n == 1 else f"{base}-{n}" for n in range(start, start + 16)]
            values = " ".join(f"<{c}>" for c in candidates)
            taken = {
                r["x"].value
                for r in self.store.select(
                    f"SELECT ?x WHERE {{ VALUES ?x {{ {values} }} "
                    f"FILTER EXISTS {{ {{ GRAPH ?g {{ ?x ?p ?o }} }} UNION "
                    f"{{ GRAPH ?g {{ ?s ?p ?x }} }} }} }}"
                )
            }
            taken |= {m.value for m in self.minted}
            if kind == "source":  # a source's graph is named by its slug: not kg's own graphs
                taken |= {
                    c for c in candidates if is_reserved(str(GRAPH[c[len(_SOURCE_PREFIX) :]]))
                }
            free = [c for c in candidates if c not in taken]
            if free:
                node = ox.NamedNode(free[0])
                self.minted.add(node)
                return node
            start += 16

    def change(self) -> Change:
        added = set(self.added)
        known = {q for quads in self._quads.values() for q in quads}
        return Change(
            operation=self.operation,
            source=self.source,
            add=frozenset(added - known),
            remove=frozenset(self.removed - added),
            must_exist=tuple(self.must_exist),
            new_nodes=frozenset(self.minted),
            read=tuple((node, tuple(quads)) for node, quads in self._quads.items()),
            cleared=frozenset(self.cleared),
        )


def graph_quads(store: Store, graph: str) -> set[ox.Quad]:
    """Every quad of the named graph ``graph`` (none when the store has no such graph)."""
    if graph not in store.named_graphs():
        return set()
    data = b"".join(store.dump(ox.RdfFormat.N_QUADS, graph=graph))
    return set(ox.parse(data, ox.RdfFormat.N_QUADS))


# ---------------------------------------------------------------- validation of one change


@dataclass
class Subgraph:
    """The focus nodes of a change and the statements their validation needs."""

    focus: set[ox.NamedNode]
    triples: set[ox.Triple] = field(default_factory=set)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


def extract(store: Store, change: Change) -> Subgraph:
    """The focus nodes' statements after ``change``, plus the types of what they refer to."""
    touched = (q.subject for q in (*change.add, *change.remove))
    focus = {s for s in touched if isinstance(s, ox.NamedNode)}
    after = _after(store, change, focus)
    kept = {(q.subject, q.object) for q in after if q.predicate == RDF_TYPE}
    lost = {
        q.subject
        for q in change.remove
        if q.predicate == RDF_TYPE
        and isinstance(q.subject, ox.NamedNode)
        and (q.subject, q.object) not in kept
    }
    if lost:
        referrers = set(_referrers(store, lost)) - focus
        after |= _after(store, change, referrers)
        focus |= referrers
    # Blank nodes the change writes (e.g. a quotation's selectors) come with their statements.
    after |= {q for q in change.add if isinstance(q.subject, ox.BlankNode)}
    sub = Subgraph(focus, {ox.Triple(q.subject, q.predicate, q.object) for q in after})
    objects = {t.object for t in sub.triples if isinstance(t.object, ox.NamedNode)}
    objects |= {node for node, _ in change.must_exist}
    outside = objects - focus
    # What the focus nodes refer to, with its statements: its types for sh:class, the rest for
    # the SHACL-SPARQL constraints that look one step further (a source's text).
    typed = (quads_of_nodes(store, outside - change.new_nodes) - change.remove) | {
        q for q in change.add if q.subject in outside
    }
    sub.triples |= {ox.Triple(q.subject, q.predicate, q.object) for q in typed}
    for q in (*after, *typed):
        if (
            q.predicate == RDF_TYPE
            and isinstance(q.subject, ox.NamedNode)
            and isinstance(q.object, ox.NamedNode)
        ):
            sub.types[q.subject.value].add(q.object.value)
            sub.triples.add(ox.Triple(q.subject, q.predicate, q.object))
    return sub


def _after(store: Store, change: Change, nodes: set[ox.NamedNode]) -> set[ox.Quad]:
    """The quads of ``nodes`` once ``change`` is applied."""
    read = dict(change.read)
    stored = quads_of_nodes(store, nodes - change.new_nodes - read.keys())
    stored.update(q for node in nodes & read.keys() for q in read[node])
    return (stored - change.remove) | {q for q in change.add if q.subject in nodes}


def check(store: Store, change: Change) -> Report:
    """Raise NotFound for a missing reference, ValidationFailed when the shapes are broken."""
    sub = extract(store, change)
    missing = [(n.value, f) for n, f in change.must_exist if not sub.types.get(n.value)]
    if missing:
        names = ", ".join(f"{f} <{n}>" for n, f in missing)
        raise NotFound(f"no such node: {names}", nodes=[n for n, _ in missing])
    report = validate_focus(sub)
    if not report.conforms:
        raise ValidationFailed(
            f"{change.operation}: {len(report.violations)} violation(s); nothing was written",
            violations=report.to_json()["violations"],
        )
    return report


def validate_focus(sub: Subgraph, *, fast: bool = True) -> Report:
    """pySHACL on the subgraph: each focus node against the shapes of its classes only."""
    data = Graph()
    for t in sub.triples:
        data.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    by_shape = focus.shapes_for(sub.types, (node.value for node in sub.focus))
    return focus.validate(data, by_shape, fast=fast)


def quads_of_nodes(
    store: Store, nodes: Iterable[ox.NamedNode], predicate: ox.NamedNode | None = None
) -> set[ox.Quad]:
    """The stored quads (outside the history graph) with one of ``nodes`` as subject."""
    ordered = sorted(nodes, key=lambda n: n.value)
    out: set[ox.Quad] = set()
    for i in range(0, len(ordered), 200):
        values = " ".join(str(n) for n in ordered[i : i + 200])
        p = str(predicate) if predicate is not None else "?p"
        rows = store.select(
            f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} "
            f"GRAPH ?g {{ ?s {p} ?o }} FILTER(?g != {history.HISTORY_GRAPH}) }}"
        )
        for r in rows:
            pred = predicate if predicate is not None else r["p"]
            out.add(ox.Quad(r["s"], pred, r["o"], r["g"]))  # type: ignore[arg-type]
    return out


def _referrers(store: Store, nodes: Iterable[ox.NamedNode]) -> list[ox.NamedNode]:
    values = " ".join(str(n) for n in nodes)
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?s ?p ?x }} "
        f"FILTER(?g != {history.HISTORY_GRAPH}) }}"
    )
    return [r["s"] for r in rows if isinstance(r["s"], ox.NamedNode)]
