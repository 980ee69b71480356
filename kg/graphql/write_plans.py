"""What each mutation writes: the node kinds' write plans, derived from their declarations.

A :class:`Kind` names a node type's class, the segment of its minted IRIs and its fields; each
:class:`FieldSpec` names the RDF property an input field writes and how its value becomes a
term. Both are derived from the declarations in ``kg.graphql.types``. The plans below fill a
``kg.writes.draft.Draft``; the GraphQL layer (``mutations.py``) only turns results into union
members. Input values are read by
attribute name, so any object with the fields works (the strawberry inputs, a dataclass).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from strawberry import UNSET

from kg.graphql.mapping import LABEL_IRI, NodeKind, declared_fields, input_name, write_kind
from kg.graphql.types import DECLARED
from kg.graphql.write_values import (
    MAX_LIST,
    MAX_SOURCE_TEXT,
    XSD,
    InvalidInput,
    concept_node,
    date_literal,
    decimal_literal,
    iri,
    listed,
    n,
    precision_for,
    text,
    unset,
    year_literal,
)
from kg.model.namespaces import DCT, KG, ORG, PROV, SCHEMA
from kg.store.protocol import Term
from kg.writes.draft import RDF_TYPE, Draft

_LABEL = ox.NamedNode(LABEL_IRI)


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the attribute of the input object
    predicate: ox.NamedNode
    kind: str  # text | texts | ref | refs | enum | enums | bool | date | year | decimal | minted
    minted: tuple[str, ox.NamedNode] | None = None  # (IRI segment, class) for kind "minted"


@dataclass(frozen=True)
class Kind:
    name: str  # the GraphQL type: "Organisation", in operation names (createOrganisation)
    noun: str  # "organisation", in descriptions and messages
    segment: str  # minted IRIs are id/<segment>/<slug>
    classes: tuple[ox.NamedNode, ...]
    fields: tuple[FieldSpec, ...]
    extra_types: Callable[[Any], list[ox.NamedNode]] = field(default=lambda _: [])


def _fields(cls: type) -> tuple[FieldSpec, ...]:
    """The fields of ``cls`` mutations write, but its label."""
    fields = []
    for python_name, _, spec in declared_fields(cls):
        if spec.write is None or spec.path == LABEL_IRI:
            continue
        minted = spec.write.minted
        fields.append(
            FieldSpec(
                input_name(python_name, spec),
                n(spec.path),
                write_kind(spec),
                (minted[0], n(minted[1])) if minted else None,
            )
        )
    return tuple(fields)


def _kind(node: NodeKind) -> Kind:
    writes = node.writes
    assert writes is not None
    extra = writes.extra_types
    return Kind(
        node.name,
        writes.noun,
        writes.segment,
        tuple(n(c) for c in node.classes),
        _fields(node.cls),
        (lambda values: [n(c) for c in extra(values)]) if extra else (lambda _: []),
    )


#: The node kinds mutations create, by GraphQL type name (from ``kg.graphql.types``).
KINDS: dict[str, Kind] = {
    name: _kind(node) for name, node in DECLARED.items() if node.writes is not None
}
#: What a citation records beside its quote (hedges, attribution, creditedTo).
CITATION_FIELDS = _fields(DECLARED["Citation"].cls)


def terms(draft: Draft, spec: FieldSpec, value: Any, keys: dict[str, ox.NamedNode]) -> list[Term]:
    """The RDF values of one input field (nothing for null)."""
    if value is None:
        return []
    name = spec.name
    if spec.kind == "text":
        return [text(value, name)]
    if spec.kind == "texts":
        return [text(v, name) for v in listed(value, name)]
    if spec.kind == "bool":
        return [ox.Literal(bool(value))]
    if spec.kind == "date":
        return [date_literal(value, name)]
    if spec.kind == "year":
        return [year_literal(value, name)]
    if spec.kind == "decimal":
        return [decimal_literal(value, name)]
    if spec.kind == "enum":
        return [concept_node(value.value)]
    if spec.kind == "enums":
        return [concept_node(v.value) for v in listed(value, name)]
    if spec.kind == "ref":
        return [draft.refer(iri(value, name, keys), name)]
    if spec.kind == "refs":
        return [draft.refer(iri(v, name, keys), name) for v in listed(value, name)]
    assert spec.kind == "minted" and spec.minted is not None
    segment, cls = spec.minted
    out: list[Term] = []
    for statement in listed(value, name):
        node = draft.mint(segment, statement)
        draft.add(node, RDF_TYPE, cls)
        draft.add(node, _LABEL, text(statement, name))
        out.append(node)
    return out


# ---------------------------------------------------------------- plans


@dataclass
class Quote:
    """The sentence a write rests on; ``values`` has the ``CITATION_FIELDS`` given with it."""

    quote: str
    verbatim: bool = True
    values: Any = None


def create(
    draft: Draft,
    kind: Kind,
    label: str,
    values: Any,
    quote: Quote | None,
    keys: dict[str, ox.NamedNode] | None = None,
) -> ox.NamedNode:
    """Mint a node of ``kind`` and add its type, label and every given field."""
    keys = {} if keys is None else keys
    node = draft.mint(kind.segment, label)
    for cls in (*kind.classes, *kind.extra_types(values)):
        draft.add(node, RDF_TYPE, cls)
    draft.add(node, _LABEL, text(label, "label", limit=1_000))
    written = [_LABEL]
    for spec in kind.fields:
        value = getattr(values, spec.name, None)
        if value is None or unset(value):
            continue
        for term in terms(draft, spec, value, keys):
            draft.add(node, spec.predicate, term)
        written.append(spec.predicate)
    if kind.name == "StrategyEvent" and getattr(values, "date_precision", None) is None:
        date_value = getattr(values, "date", None)
        lit = date_literal(date_value, "date") if date_value else None
        draft.add(node, n(KG.datePrecision), precision_for(lit))
    cite(draft, node, quote, written)
    return node


def update(
    draft: Draft, kind: Kind, node: ox.NamedNode, label: Any, values: Any, quote: Quote | None
) -> ox.NamedNode:
    """Replace the fields the client gave (null clears a field); leave the others alone."""
    draft.expect(node, kind.classes, kind.noun)
    written = []
    if not unset(label):
        draft.set(node, _LABEL, [] if label is None else [text(label, "label", limit=1_000)])
        written.append(_LABEL)
    for spec in kind.fields:
        value = getattr(values, spec.name, None)
        if unset(value):
            continue
        draft.set(node, spec.predicate, terms(draft, spec, value, {}))
        written.append(spec.predicate)
    if kind.name == "StrategyEvent":
        _keep_event_in_step(draft, kind, node, values)
    cite(draft, node, quote, written)
    return node


def _keep_event_in_step(draft: Draft, kind: Kind, node: ox.NamedNode, values: Any) -> None:
    """A new kind keeps org:ChangeEvent in step; a new date its precision (unless given)."""
    if not unset(getattr(values, "kind", UNSET)):
        change_event = n(ORG.ChangeEvent)
        draft.removed.update(
            q for q in draft.quads_of(node) if q.predicate == RDF_TYPE and q.object == change_event
        )
        for cls in kind.extra_types(values):
            draft.add(node, RDF_TYPE, cls)
    date_value = getattr(values, "date", UNSET)
    if not unset(date_value) and unset(getattr(values, "date_precision", UNSET)):
        lit = date_literal(date_value, "date") if date_value else None
        draft.set(node, n(KG.datePrecision), [precision_for(lit)])


def delete(draft: Draft, kind: Kind, node: ox.NamedNode) -> ox.NamedNode:
    draft.expect(node, kind.classes, kind.noun)
    draft.remove_node(node)
    return node


def cite(
    draft: Draft, node: ox.NamedNode, quote: Quote | None, supports: Iterable[ox.NamedNode]
) -> None:
    """A kg:Citation tying ``node``'s written properties to the quoted sentence of the source."""
    if quote is None or draft.source is None:
        return
    source_slug = draft.source.value.rsplit("/", 1)[-1]
    citation = draft.mint(f"citation/{source_slug}", node.value.rsplit("/", 1)[-1])
    draft.add(citation, RDF_TYPE, n(KG.Citation))
    draft.add(citation, n(KG.about), node)
    draft.add(citation, n(PROV.wasDerivedFrom), draft.source)
    draft.add(citation, n(KG.quote), text(quote.quote, "quote"))
    draft.add(citation, n(KG.verbatim), ox.Literal(quote.verbatim))
    for predicate in dict.fromkeys(supports):
        draft.add(citation, n(KG.supports), predicate)
    for spec in CITATION_FIELDS:
        value = getattr(quote.values, spec.name, None)
        if value is not None and not unset(value):
            for term in terms(draft, spec, value, {}):
                draft.add(citation, spec.predicate, term)


@dataclass
class Fact:
    """One fact of a batch: a node of ``kind`` with its label and fields."""

    kind: Kind
    label: str
    values: Any
    key: str | None = None
    quote: Quote | None = None


def record_source(
    draft: Draft,
    *,
    label: str,
    title: str | None,
    publisher: str | None,
    date_published: str | None,
    url: str | None,
    kind: str = "NewsArticle",
    role: str = "Reported",
    source_text: str | None = None,
    reported_text: str | None = None,
    facts: list[Fact],
) -> tuple[ox.NamedNode, list[ox.NamedNode]]:
    """The source node (already minted as ``draft.source``) and every fact, all in one change."""
    source = draft.source
    assert source is not None
    if len(facts) > MAX_LIST:
        raise InvalidInput(
            f"has {len(facts)} facts; at most {MAX_LIST} are accepted", field="facts"
        )
    keys: dict[str, ox.NamedNode] = {}
    nodes = []
    for i, fact in enumerate(facts):
        node = create(draft, fact.kind, fact.label, fact.values, fact.quote, keys)
        if fact.key:
            if fact.key in keys:
                raise InvalidInput(f"key {fact.key!r} is used twice", field=f"facts[{i}].key")
            keys[fact.key] = node
        nodes.append(node)
    draft.add(source, RDF_TYPE, n(SCHEMA[kind]))
    draft.add(source, n(KG.sourceRole), n(KG[role]))
    draft.add(source, _LABEL, text(label, "label", limit=1_000))
    if title is not None:
        draft.add(source, n(DCT.title), text(title, "title", limit=1_000))
    for path, value, name in (
        (SCHEMA.text, source_text, "text"),
        (KG.reportedText, reported_text, "reportedText"),
    ):
        if value is not None:
            draft.add(source, n(path), text(value, name, limit=MAX_SOURCE_TEXT))
    if publisher is not None:
        publisher_node = draft.refer(iri(publisher, "publisher", keys), "publisher")
        draft.add(source, n(SCHEMA.publisher), publisher_node)
    if date_published is not None:
        draft.add(
            source,
            n(SCHEMA.datePublished),
            date_literal(date_published, "datePublished", with_time=True),
        )
    if url is not None:
        checked = text(url, "url", limit=2_000).value
        draft.add(source, n(SCHEMA.url), ox.Literal(checked, datatype=ox.NamedNode(XSD + "anyURI")))
    return source, nodes
