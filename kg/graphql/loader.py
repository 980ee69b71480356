"""Loads a selection level by level: one SPARQL query per nesting level, batched with VALUES.

Given the root nodes and what the request selects under them (a :class:`Need` tree), the loader
runs one query for all nodes of a level (every field they select, forward and inverse, concept
labels folded in), builds plain objects of the GraphQL types, and goes on with the nodes those
link to. The count of queries depends on the depth of the selection, never on the number of
nodes. Every query is recorded in ``log`` (``kg query --explain`` prints it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import InputError, PageSizeLimit
from kg.graphql import types as t
from kg.graphql.compile import RDF_TYPE, RDFS_LABEL, Level, level_query
from kg.graphql.mapping import WINDOWS, curie, iri_of, node_id
from kg.graphql.selection import Need, Registry, Wanted
from kg.model.namespaces import KG
from kg.store.deadline import Deadline
from kg.store.protocol import Row, Store


def concept_of(iri: str, label: str | None) -> t.Concept:
    key = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return t.Concept(iri=iri, key=key, label=label)


@dataclass
class Facts:
    """What one level query says about one subject."""

    forward: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = field(default_factory=dict)
    inverse: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)


def _literal(term: Any, datatype: str) -> Any:
    if datatype == "boolean":
        return term.value in ("true", "1")
    return term.value


class Loader:
    """Per request: the store, the deadline and the log of the SPARQL it ran."""

    def __init__(
        self,
        store: Store,
        registry: Registry,
        timeout: float | None,
        *,
        remaining: float | None = None,
        nested: int = 100,
        max_page: int = 1000,
    ) -> None:
        """``timeout``: the request's time limit; ``remaining``: what is left of it now;
        ``nested``: the page size of a list of nodes without ``first``, at most ``max_page``."""
        self.nested = nested
        self.max_page = max_page
        self.store = store
        self.registry = registry
        self.deadline = Deadline(
            timeout,
            "the request ran past the time limit of {limit:g} s (setting query_timeout)",
            remaining=remaining,
        )
        self.log: list[str] = []
        #: Lower-cased rdfs:label of each node loaded: lists of nodes are ordered by it.
        self.keys: dict[str, str] = {}
        #: The classes of each node in a list of nodes: a list holds nodes of its type only.
        self.classes: dict[str, set[str]] = {}

    def select(self, query: str) -> list[Row]:
        """Run one generated query, with what is left of the request's time limit.

        On the embedded store the query runs in a query worker that is killed at that deadline
        (``kg.store.querypool``, the same one the SPARQL endpoint uses); a remote store closes
        the request. Past the deadline before it starts, it is not sent at all.
        """
        self.log.append(query)
        return self.deadline.select(self.store, query)

    # ------------------------------------------------------------------ levels

    def load(self, roots: list[tuple[str, Need]]) -> list[Any]:
        """Objects for ``roots`` (``None`` where a node has none of the possible types)."""
        built: dict[tuple[str, int], Any] = {}
        current = {(iri, id(need)): (iri, need) for iri, need in roots}
        fixups: list[tuple[Any, Wanted, list[tuple[str, Need]], bool]] = []
        while current:
            facts, types = self._fetch(list(current.values()))
            level_built: dict[tuple[str, int], Any] = {}
            following: dict[tuple[str, int], tuple[str, Need]] = {}
            new_fixups: list[tuple[Any, Wanted, list[tuple[str, Need]], bool]] = []
            for key, (iri, need) in current.items():
                obj = self._build(iri, need, facts.get(iri), types.get(iri), following, new_fixups)
                level_built[key] = obj
            built.update(level_built)
            self._apply(fixups, built)
            fixups = new_fixups
            current = {k: v for k, v in following.items() if k not in built}
        self._apply(fixups, built)
        return [built.get((iri, id(need))) for iri, need in roots]

    def _apply(
        self,
        fixups: list[tuple[Any, Wanted, list[tuple[str, Need]], bool]],
        built: dict[tuple[str, int], Any],
    ) -> None:
        for obj, wanted, targets, many in fixups:
            found = [built.get((iri, id(need))) for iri, need in targets]
            values = [v for v in found if v is not None]
            attr = wanted.info.attr
            if many:  # in page order already; ``mapping.paged`` cuts each page and drops None
                obj.__dict__[attr] = found
            elif wanted.info.spec is not None and wanted.info.spec.kind == "holder":
                if values:
                    obj.__dict__[attr] = values[0]
            else:
                obj.__dict__[attr] = values[0] if values else None

    def _fetch(self, items: list[tuple[str, Need]]) -> tuple[dict[str, Facts], dict[str, set[str]]]:
        level = Level(subjects=[iri for iri, _ in items])
        level.forward.add(RDFS_LABEL)  # the order of lists of nodes
        level.forward.add(RDF_TYPE)  # which of the possible types each node has
        for _, need in items:
            for wanted_list in need.types.values():
                for w in wanted_list:
                    spec = w.info.spec
                    assert spec is not None
                    if spec.kind == "concept":
                        level.concepts.add(spec.path)
                    elif spec.kind == "holder":
                        level.forward.add(spec.path)
                        level.concepts.add(str(KG.holderStatus))
                        level.definitions = True
                    elif spec.inverse:
                        level.inverse.add(spec.path)
                    elif w.info.many and spec.kind == "link":
                        level.lists.add(spec.path)
                    else:
                        level.forward.add(spec.path)
        facts: dict[str, Facts] = {}
        types: dict[str, set[str]] = {}
        if level.empty:
            return facts, types
        for row in self.select(level_query(level)):
            s, p, o = row["s"].value, row["p"].value, row["o"]
            f = facts.get(s)
            if f is None:
                f = facts[s] = Facts()
            if "k" in row:
                self._key(o.value, row["k"].value)
            if "t" in row:
                self.classes.setdefault(o.value, set()).add(row["t"].value)
            if "i" in row:
                f.inverse.setdefault(p, []).append(o.value)
                continue
            if p == RDF_TYPE:
                types.setdefault(s, set()).add(o.value)
            elif p == RDFS_LABEL and "l" not in row:
                self._key(s, o.value)
            f.forward.setdefault(p, []).append(o)
            if "l" in row:
                label = row["l"]
                old = f.labels.get(o.value)
                lang = getattr(label, "language", None)
                if old is None or lang in (None, "en"):
                    f.labels[o.value] = label.value
            if "d" in row:
                f.definitions[o.value] = row["d"].value
        return facts, types

    def _key(self, node: str, label: str) -> None:
        """Lists of nodes are ordered by each node's least lower-cased label, then IRI."""
        key = label.lower()
        if key < self.keys.get(node, "\U0010ffff"):
            self.keys[node] = key

    def _page(self, obj: Any, w: Wanted, targets: list[str]) -> list[str]:
        """The targets of a list of nodes to load: the union of the pages the request asks.

        Each ``(first, after)`` window is kept on ``obj`` for ``mapping.paged``.
        """
        targets = sorted(targets, key=lambda iri: (self.keys.get(iri, ""), iri))
        spans: dict[tuple[Any, Any], tuple[int, int]] = {}
        for first, after in w.windows or ((None, None),):
            if first is not None and not 0 <= first <= self.max_page:
                raise (PageSizeLimit if first > self.max_page else InputError)(
                    f"{w.info.name}(first: {first}): first must be 0 to {self.max_page} "
                    "(setting max_page_size)"
                )
            start = 0
            if after is not None:
                target = iri_of(str(after))
                if target not in targets:
                    raise InputError(f"{w.info.name}(after: {after!r}): no such node in the list")
                start = targets.index(target) + 1
            spans[(first, after)] = (start, start + (self.nested if first is None else first))
        low = min(a for a, _ in spans.values())
        high = max(b for _, b in spans.values())
        windows = obj.__dict__.setdefault(WINDOWS, {})
        for (first, after), (a, b) in spans.items():
            windows[(w.info.attr, first, after)] = (a - low, b - low)
        return targets[low:high]

    def _type_of(self, need: Need, types: set[str] | None) -> str | None:
        """The type a node is built as: the first possible one whose classes it has. A node
        of none of them (``org:reportsTo`` pointing at a group where a post is asked for) is
        not built: a field never presents a node as a type it does not have."""
        for name in need.types:
            info = self.registry.types.get(name)
            if info is not None and types and types.intersection(info.classes):
                return name
        return None

    def _of_type(self, need: Need, targets: list[str]) -> list[str]:
        """The ``targets`` of a list whose classes (read with the list) fit ``need``."""
        wanted: set[str] = set()
        for name in need.types:
            info = self.registry.types.get(name)
            if info is not None:
                wanted.update(info.classes)
        return [t for t in targets if self.classes.get(t, set()) & wanted]

    def _build(
        self,
        iri: str,
        need: Need,
        facts: Facts | None,
        types: set[str] | None,
        following: dict[tuple[str, int], tuple[str, Need]],
        fixups: list[tuple[Any, Wanted, list[tuple[str, Need]], bool]],
    ) -> Any:
        name = self._type_of(need, types)
        if name is None or name not in self.registry.types:
            return None
        cls: Any = self.registry.types[name].cls
        obj = cls.__new__(cls)
        d = obj.__dict__
        d["id"] = node_id(iri)
        d["iri"] = iri
        f = facts or Facts()
        for w in need.types[name]:
            info = w.info
            spec = info.spec
            assert spec is not None
            if spec.kind == "literal":
                vals = sorted({_literal(o, spec.datatype) for o in f.forward.get(spec.path, ())})
                d[info.attr] = vals if info.many else (vals[0] if vals else None)
            elif spec.kind == "iri":
                d[info.attr] = sorted({curie(o.value) for o in f.forward.get(spec.path, ())})
            elif spec.kind == "concept":
                cs = [
                    concept_of(v, f.labels.get(v))
                    for v in sorted({o.value for o in f.forward.get(spec.path, ())})
                ]
                d[info.attr] = cs if info.many else (cs[0] if cs else None)
            else:
                if spec.inverse:
                    targets = sorted(set(f.inverse.get(spec.path, ())))
                else:
                    targets = sorted(
                        {
                            o.value
                            for o in f.forward.get(spec.path, ())
                            if isinstance(o, ox.NamedNode)
                        }
                    )
                if spec.kind == "holder":
                    d[info.attr] = self._holder(f)
                    if not targets:
                        continue
                child = w.child
                assert child is not None
                if info.many:
                    targets = self._page(obj, w, self._of_type(child, targets))
                pairs = [(target, child) for target in targets]
                for pair in pairs:
                    following[(pair[0], id(child))] = pair
                fixups.append((obj, w, pairs, info.many))
        return obj

    def _holder(self, f: Facts) -> Any:
        statuses = sorted({o.value for o in f.forward.get(str(KG.holderStatus), ())})
        status = statuses[0] if statuses else str(KG.HolderUnnamed)
        concept = concept_of(status, f.labels.get(status))
        explanation = f.definitions.get(status, concept.label or "")
        if status == str(KG.HolderVacant):
            return t.VacantPost(status=concept, explanation=explanation)
        return t.UnnamedHolder(status=concept, explanation=explanation)
