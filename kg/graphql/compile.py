"""SPARQL generated from the mapping: pages of nodes, their counts, and one query per level.

Every query reads the union of the named graphs (the store's default graph). Values that come
from requests are either IRIs checked by :func:`kg.graphql.mapping.check_iri` or strings
escaped by :func:`string`; nothing else from a request reaches the SPARQL text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.graphql.connections import Position, Window
from kg.graphql.mapping import check_iri
from kg.model.namespaces import DCT, SKOS
from kg.model.text import check_text
from kg.store.protocol import Row

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
#: Between a node's sort key and its IRI in the key a store orders pages by (``Page.key``).
SEPARATOR = "\x01"
SEPARATOR_ESCAPE = "\\u0001"
PREF_LABEL = str(SKOS.prefLabel)
DEFINITION = str(SKOS.definition)


def string(text: str) -> str:
    """A SPARQL string literal for ``text`` (:class:`InputError` for a non-character in it)."""
    check_text(text, "a string argument")
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def iri(value: str) -> str:
    return f"<{check_iri(value)}>"


def values(var: str, items: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(iri(i) for i in items)} }}"


@dataclass
class Level:
    """What one level of a selection reads for its subjects."""

    subjects: list[str]
    forward: set[str] = field(default_factory=set)
    concepts: set[str] = field(default_factory=set)
    inverse: set[str] = field(default_factory=set)
    #: Forward paths to lists of nodes: read with their targets' labels, to page them.
    lists: set[str] = field(default_factory=set)
    definitions: bool = False

    @property
    def empty(self) -> bool:
        return not (self.forward or self.concepts or self.inverse or self.lists)


def _among(var: str, items: set[str]) -> str:
    return f"FILTER(?{var} IN ({', '.join(iri(i) for i in sorted(items))}))"


def _triple(subject: str, obj: str, predicates: set[str]) -> str:
    """``subject ?p obj`` for ``?p`` among ``predicates``; a single predicate is written in the
    pattern and bound to ``?p`` (Virtuoso 7.2 fails to compile ``FILTER(?p IN (<one>))`` in a
    UNION branch: "equiv replaces filter but under deprecation")."""
    if len(predicates) == 1:
        (only,) = predicates
        return f"{subject} {iri(only)} {obj} BIND({iri(only)} AS ?p)"
    return f"{subject} ?p {obj} {_among('p', predicates)}"


def level_query(level: Level) -> str:
    """One SELECT for every field of every subject of a level.

    Rows are ``?s ?p ?o`` (forward), ``?s ?p ?o ?l [?d]`` (a concept with its label and
    definition) or ``?s ?p ?o ?i`` (inverse: ``?o ?p ?s``); lists of nodes (forward in
    ``lists``, and every inverse path) bring their targets' ``rdfs:label`` as ``?k``, the order
    their pages are cut in, and their classes as ``?t``, so a page holds only nodes of the
    list's type. The predicates are a FILTER, not a second VALUES: Oxigraph joins
    two VALUES blocks by scanning every triple.
    """
    subjects = values("s", sorted(set(level.subjects)))
    branches = []
    if level.forward:
        branches.append(f"{{ {subjects} {_triple('?s', '?o', level.forward)} }}")
    if level.concepts:
        extra = f" OPTIONAL {{ ?o <{DEFINITION}> ?d }}" if level.definitions else ""
        branches.append(
            f"{{ {subjects} {_triple('?s', '?o', level.concepts)} "
            f"OPTIONAL {{ ?o <{PREF_LABEL}> ?l }}{extra} }}"
        )
    key = f"OPTIONAL {{ ?o <{RDFS_LABEL}> ?k }} OPTIONAL {{ ?o <{RDF_TYPE}> ?t }}"
    if level.lists:
        branches.append(f"{{ {subjects} {_triple('?s', '?o', level.lists)} {key} }}")
    if level.inverse:
        branches.append(
            f"{{ {subjects} {_triple('?o', '?s', level.inverse)} {key} BIND(true AS ?i) }}"
        )
    return "SELECT DISTINCT * WHERE {\n  " + "\n  UNION\n  ".join(branches) + "\n}"


@dataclass
class Page:
    """A filtered, ordered list of nodes of some classes."""

    classes: Sequence[str]
    patterns: list[str] = field(default_factory=list)
    filters: list[str] = field(default_factory=list)
    order: str = "NAME_ASC"
    name_path: str = RDFS_LABEL
    date_path: str | None = None

    @property
    def by_date(self) -> bool:
        return self.date_path is not None and self.order.startswith("DATE")

    def where(self) -> str:
        parts = []
        if len(self.classes) == 1:
            parts.append(f"?s a {iri(self.classes[0])} .")
        else:
            parts.append(f"{values('c', self.classes)} ?s a ?c .")
        parts.extend(self.patterns)
        if not self.by_date or any("?name" in f for f in self.filters):
            parts.append(f"OPTIONAL {{ ?s {iri(self.name_path)} ?name }}")
        if any("?desc" in f for f in self.filters):
            parts.append(f"OPTIONAL {{ ?s {iri(str(DCT.description))} ?desc }}")
        if self.date_path and any("?date" in f for f in self.filters):
            parts.append(f"?s {iri(str(self.date_path))} ?date .")
        elif self.by_date and self.date_path:
            parts.append(f"OPTIONAL {{ ?s {iri(str(self.date_path))} ?date }}")
        parts.extend(f"FILTER({f})" for f in self.filters)
        return "\n  ".join(parts)

    @property
    def descending(self) -> bool:
        return self.order.endswith("DESC")

    @property
    def missing_key(self) -> str:
        """The sort key of a node without one: undated nodes come last in both date orders,
        nodes without a name sort as the empty name."""
        return "~" if self.by_date and not self.descending else ""

    def key(self) -> str:
        """The sort key of ``?s``, as SPARQL: the date (undated nodes last in both orders) or
        the lower-cased name (nodes without a name sort as the empty name), then ``SEPARATOR``
        and the IRI, which breaks ties.

        One string, so the store compares two values, not a second expression each time two
        keys tie (Oxigraph evaluates ``ORDER BY`` expressions in every comparison: ordering
        1,000 of 2,360 events by ``?k STR(?s)`` took 230 ms, by this key 141 ms, at 1M
        triples). Ordering by it is ordering by (key, IRI): the separator sorts before every
        character a key can hold (kg refuses the characters XML cannot carry).
        """
        if self.by_date:
            key = f"COALESCE(STR(?date), {string(self.missing_key)})"
        else:
            key = f"COALESCE(LCASE(STR(?name)), {string(self.missing_key)})"
        return f'CONCAT({key}, "{SEPARATOR_ESCAPE}", STR(?s))'

    def positions(self, rows: list[Row], window: Window, *, in_store: bool) -> list[Position]:
        """The positions of the page's nodes, in the order the store read them.

        ``in_store``: the rows of the page ``page_query`` cut, each node once (valid data has
        one name and at most one date per node: the shapes say so). Otherwise every node of
        the list, with its name or date: keyed, sorted and cut here the same way.
        """
        if in_store:
            seen: set[str] = set()
            out = []
            for row in rows:
                s = row["s"].value
                if s not in seen:
                    seen.add(s)
                    out.append(Position(row["k"].value.split(SEPARATOR, 1)[0], s))
            return out
        field = "date" if self.by_date else "name"
        keys: dict[str, str | None] = {}
        for row in rows:
            term = row.get(field)
            key = None if term is None else term.value if self.by_date else term.value.lower()
            old = keys.get(row["s"].value)
            keys[row["s"].value] = key if old is None or (key is not None and key < old) else old
        found = [Position(self.missing_key if k is None else k, s) for s, k in keys.items()]
        ascending = not self.descending
        kept = [
            p
            for p in found
            if (window.after is None or _follows(p, window.after, ascending))
            and (window.before is None or _follows(window.before, p, ascending))
        ]
        kept.sort(key=lambda p: (p.key, p.iri), reverse=ascending == window.backward)
        return kept[: window.fetch]


def _follows(a: Position, b: Position, ascending: bool) -> bool:
    """Whether ``a`` comes after ``b`` in the list (ordered by key, then IRI)."""
    return (a.key, a.iri) > (b.key, b.iri) if ascending else (a.key, a.iri) < (b.key, b.iri)


def _beyond(position: Position, later: bool) -> str:
    """``?s`` comes after (``later``) or before ``position`` in ascending (key, IRI) order."""
    op = ">" if later else "<"
    key = f'CONCAT({string(position.key)}, "{SEPARATOR_ESCAPE}", {string(position.iri)})'
    return f"(?k {op} {key})"


def page_query(page: Page, window: Window, *, in_store: bool) -> str:
    """The query for one page of ``page``.

    ``in_store``: the store reads and cuts the page: the keyset filters of ``window``'s
    cursors, ORDER BY the key then the IRI, LIMIT one more than the page. Without a cursor or
    a filter, the store still orders every match (Oxigraph has no ordered index to walk); a
    later page costs no more than the first, and only the page crosses over. DISTINCT,
    because a fact stated by several sources is in several graphs, and the union default
    graph gives it once for each.

    Otherwise (an engine that cannot be trusted with it, ``Engine.sorts_pages``): every node
    of the list with its name or date, cut by ``Page.positions``.
    """
    if not in_store:
        key = "?date" if page.by_date else "?name"
        return f"SELECT DISTINCT ?s {key} WHERE {{\n  {page.where()}\n}}"
    ascending = not page.descending
    reading = ascending != window.backward  # the direction the store reads in
    filters = []
    if window.after is not None:
        filters.append(_beyond(window.after, later=ascending))
    if window.before is not None:
        filters.append(_beyond(window.before, later=not ascending))
    direction = "ASC" if reading else "DESC"
    where = "\n  ".join(
        [page.where(), f"BIND({page.key()} AS ?k)", *(f"FILTER{f}" for f in filters)]
    )
    return (
        f"SELECT DISTINCT ?s ?k WHERE {{\n  {where}\n}}\n"
        f"ORDER BY {direction}(?k)\nLIMIT {window.fetch}"
    )


def count_query(page: Page) -> str:
    """How many nodes the list has (asked for only when ``totalCount`` is selected)."""
    return f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{\n  {page.where()}\n}}"


def text_filter(text: str, *, description: bool = True) -> str:
    """Case-insensitive match of ``text`` in the name (and description)."""
    needle = string(text.lower())
    name = f"CONTAINS(LCASE(STR(?name)), {needle})"
    if not description:
        return name
    return f"({name} || (BOUND(?desc) && CONTAINS(LCASE(STR(?desc)), {needle})))"


def date_filters(date_from: str | None, date_to: str | None) -> list[str]:
    """Events whose date (day, month or year) overlaps ``[date_from, date_to]``.

    ISO dates compare as strings: a month ``2025-11`` sorts before every day in it, and
    ``2025-11~`` after every day in it, so overlap is two string comparisons.
    """
    out = []
    if date_to is not None:
        out.append(f"BOUND(?date) && STR(?date) <= {string(date_to)}")
    if date_from is not None:
        out.append(f'BOUND(?date) && CONCAT(STR(?date), "~") >= {string(date_from)}')
    return out
