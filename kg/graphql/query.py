"""The root ``Query``: look-ups, search and the filtered, ordered, paginated lists.

Each root field plans the whole selection under it (``kg.graphql.selection``) and loads it
with one SPARQL query per nesting level (``kg.graphql.loader``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any, TypeVar, Union, cast

import strawberry
from graphql import GraphQLObjectType
from strawberry.types import Info

from kg.errors import InputError, NotFound
from kg.graphql import types as t
from kg.graphql.compile import (
    Page,
    count_query,
    date_filters,
    iri,
    page_query,
    text_filter,
)
from kg.graphql.connections import Connection, Window, connection
from kg.graphql.context import Context, collector, run
from kg.graphql.loader import Loader
from kg.graphql.mapping import RDF_CLASSES, check_iri, iri_of
from kg.metrics import SEARCHES
from kg.model.namespaces import KG, ORG, PREFIXES, PROV, SCHEMA
from kg.model.text import check_text
from kg.settings import Settings
from kg.store.protocol import Store
from kg.writes import search

I = Info[Context, None]  # noqa: E741


F = TypeVar("F", bound=Callable[..., Any])


def root(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` for a root resolver, typed for mypy."""
    return cast(Callable[[F], F], strawberry.field(description=description))


@strawberry.enum(description="Order of a list by name.")
class NameOrder(Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


@strawberry.enum(description="Order of a dated list; undated nodes come last.")
class DatedOrder(Enum):
    DATE_ASC = "DATE_ASC"
    DATE_DESC = "DATE_DESC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


@strawberry.type(description="Nothing has that id or IRI.")
class NodeNotFound:
    message: str
    code: str = strawberry.field(
        default=NotFound.graphql_code, description="The error code (docs/graphql.md): NOT_FOUND."
    )
    id: strawberry.ID | None = None
    iri: str | None = None


#: Every node type, or why there is none.
LookupResult: Any = Annotated[
    Union[(*t.NODE_TYPES.values(), NodeNotFound)],
    strawberry.union("LookupResult", description="The node, or why there is none."),
]

_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"


def concept_iri(value: str) -> str:
    """A concept given by key (``CloudProvider``) or by IRI."""
    if value.startswith(("http://", "https://")):
        return check_iri(value)
    if not value.replace("_", "").replace("-", "").isalnum():
        raise InputError(f"not a concept key or IRI: {value!r}")
    return str(KG) + value


def expand(value: str) -> str:
    """The IRI of a CURIE (``kg:date``) or of an IRI."""
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return check_iri(PREFIXES[prefix] + local)
    return check_iri(value)


def _date(name: str, value: str | None) -> str | None:
    if value is not None and not re.match(_DATE, value):
        raise InputError(f"{name}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return value


def _is(path: str, value: str) -> str:
    return f"?s {iri(path)} {iri(value)} ."


async def _paginate(
    info: I,
    page: Page,
    type_name: str,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> Any:
    window = Window.of(first, after, last, before, info.context.settings.max_page_size, page.order)
    col = collector(info)
    ret: Any = info._raw_info.return_type
    while not isinstance(ret, GraphQLObjectType):
        ret = ret.of_type
    fields = col.fields(list(info._raw_info.field_nodes), ret)
    node_nodes = list(fields.get("nodes", []))
    if "edges" in fields:
        edge_type: Any = ret.fields["edges"].type
        while not isinstance(edge_type, GraphQLObjectType):
            edge_type = edge_type.of_type
        node_nodes += col.fields(fields["edges"], edge_type).get("node", [])
    need = col.need(node_nodes, (type_name,))
    counted = "totalCount" in fields

    def work(loader: Loader) -> Any:
        in_store = info.context.store.sorts_pages
        rows = loader.select(page_query(page, window, in_store=in_store))
        cut = window.cut(page.positions(rows, window, in_store=in_store))
        total = int(loader.select(count_query(page))[0]["n"].value) if counted else 0
        nodes = loader.load([(p.iri, need) for p in cut.items])
        return connection(nodes, window, cut, total)

    return await run(info, work)


def _page(type_name: str, text: str | None, *, description: bool = True, **kw: Any) -> Page:
    page = Page(RDF_CLASSES[type_name], **kw)
    if text:
        page.filters.append(text_filter(text, description=description))
    return page


#: The node types ``search`` finds (all but citations and quotations), as declared.
SEARCHABLE = tuple(name for name, kind in t.DECLARED.items() if kind.searchable)


def search_index(store: Store, settings: Settings) -> search.SearchIndex:
    """The full-text index of ``store`` kept by this process (``kg.writes.search``), over the
    names and descriptions of the ``SEARCHABLE`` node types."""
    return search.index_for(store, {n: RDF_CLASSES[n] for n in SEARCHABLE}, settings.search_max_age)


@strawberry.type(description="Read the knowledge graph.")
class Query:
    @root(description="The node with this id (Relay), or null.")
    async def node(self, info: I, id: strawberry.ID) -> t.Node | None:
        col = collector(info)
        need = col.need(list(info._raw_info.field_nodes), tuple(t.NODE_TYPES))
        target = iri_of(str(id))
        return (await run(info, lambda loader: loader.load([(target, need)])))[0]  # type: ignore[no-any-return]

    @root(description="Look a node up by id or by IRI.")
    async def lookup(
        self, info: I, id: strawberry.ID | None = None, iri: str | None = None
    ) -> LookupResult:
        if (id is None) == (iri is None):
            raise InputError("give exactly one of id and iri")
        target = iri_of(str(id)) if id is not None else check_iri(str(iri))
        col = collector(info)
        need = col.need(list(info._raw_info.field_nodes), tuple(t.NODE_TYPES))
        found = (await run(info, lambda loader: loader.load([(target, need)])))[0]
        if found is None:
            return NodeNotFound(message=f"no node {id or iri}", id=id, iri=iri)
        return found

    @root(
        description="Nodes whose names or descriptions hold every word of `text` (the last "
        "word also as a prefix), best match first (BM25, a name counting twice a "
        "description); `kinds` keeps nodes of those types (e.g. `Organisation`)."
    )
    async def search(
        self, info: I, text: str, first: int = 20, kinds: list[str] | None = None
    ) -> list[t.SearchResult]:
        settings = info.context.settings
        Window.of(first, None, None, None, settings.max_page_size)
        # Bounded before anything reads it: its length, then its words (a short scan).
        search.check_query(text, settings.max_search_text, settings.max_search_words)
        check_text(text, "a string argument")
        SEARCHES.inc()
        col = collector(info)
        names = SEARCHABLE
        if kinds is not None:
            unknown = sorted(set(kinds) - set(names))
            if unknown:
                raise InputError(
                    f"kinds: unknown kind(s) {', '.join(unknown)}; known: {', '.join(names)}"
                )
        need = col.need(list(info._raw_info.field_nodes), names)
        index = search_index(info.context.store, settings)

        def work(loader: Loader) -> list[Any]:
            found = index.search(text, kinds, first)
            return [o for o in loader.load([(s, need) for s in found]) if o is not None]

        return await run(info, work)

    @root(description="Organisations, by kind and text.")
    async def organisations(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        kind: str | None = None, text: str | None = None,
        order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.Organisation]:  # fmt: skip
        page = _page("Organisation", text, order=order_by.value)
        if kind:
            page.patterns.append(_is(str(ORG.classification), concept_iri(kind)))
        return await _paginate(info, page, "Organisation", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Organisational units, by organisation and text.")
    async def units(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organisation: strawberry.ID | None = None, text: str | None = None,
        order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.Unit]:  # fmt: skip
        page = _page("Unit", text, order=order_by.value)
        if organisation:
            page.patterns.append(_is(str(ORG.unitOf), iri_of(organisation)))
        return await _paginate(info, page, "Unit", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Posts, by organisation (directly or in its units).")
    async def posts(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organisation: strawberry.ID | None = None, holder_status: str | None = None,
        text: str | None = None, order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.Post]:  # fmt: skip
        page = _page("Post", text, order=order_by.value)
        if organisation:
            o = iri(iri_of(organisation))
            page.patterns.append(
                f"{{ ?s {iri(str(ORG.postIn))} {o} }} UNION "
                f"{{ ?s {iri(str(ORG.postIn))} ?w . ?w {iri(str(ORG.unitOf))} {o} }}"
            )
        if holder_status:
            page.patterns.append(_is(str(KG.holderStatus), concept_iri(holder_status)))
        return await _paginate(info, page, "Post", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="People, by text.")
    async def people(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        text: str | None = None, order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.Person]:  # fmt: skip
        page = _page("Person", text, order=order_by.value)
        return await _paginate(info, page, "Person", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Cloud platforms, by provider and text.")
    async def cloud_platforms(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        provider: strawberry.ID | None = None, text: str | None = None,
        order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.CloudPlatform]:  # fmt: skip
        page = _page("CloudPlatform", text, description=False, order=order_by.value)
        if provider:
            page.patterns.append(_is(str(SCHEMA.provider), iri_of(provider)))
        return await _paginate(info, page, "CloudPlatform", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Provider relationships, by customer, provider, kind, status.")
    async def provider_relationships(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        customer: strawberry.ID | None = None, provider: strawberry.ID | None = None,
        kind: str | None = None, status: str | None = None, text: str | None = None,
        order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.ProviderRelationship]:  # fmt: skip
        page = _page("ProviderRelationship", text, order=order_by.value)
        for path, node in ((KG.customer, customer), (KG.provider, provider)):
            if node:
                page.patterns.append(_is(str(path), iri_of(node)))
        for path, value in ((KG.relationshipKind, kind), (KG.relationshipStatus, status)):
            if value:
                page.patterns.append(_is(str(path), concept_iri(value)))
        return await _paginate(info, page, "ProviderRelationship", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Initiatives, by leading organisation and text.")
    async def initiatives(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        organisation: strawberry.ID | None = None, text: str | None = None,
        order_by: NameOrder = NameOrder.NAME_ASC,
    ) -> Connection[t.Initiative]:  # fmt: skip
        page = _page("Initiative", text, order=order_by.value)
        if organisation:
            page.patterns.append(_is(str(KG.ledBy), iri_of(organisation)))
        return await _paginate(info, page, "Initiative", first, after, last, before)  # type: ignore[no-any-return]

    @root(
        description="Strategy events, by kind, organisation, date range (an event matches when "
        "its day, month or year overlaps [dateFrom, dateTo]) and text."
    )
    async def events(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        kind: str | None = None, organisation: strawberry.ID | None = None,
        date_from: str | None = None, date_to: str | None = None, text: str | None = None,
        order_by: DatedOrder = DatedOrder.DATE_ASC,
    ) -> Connection[t.StrategyEvent]:  # fmt: skip
        page = _page("StrategyEvent", text, order=order_by.value, date_path=str(KG.date))
        if kind:
            page.patterns.append(_is(str(KG.eventKind), concept_iri(kind)))
        if organisation:
            page.patterns.append(_is(str(PROV.wasAssociatedWith), iri_of(organisation)))
        page.filters += date_filters(_date("dateFrom", date_from), _date("dateTo", date_to))
        return await _paginate(info, page, "StrategyEvent", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Sources, by publisher and text.")
    async def sources(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        publisher: strawberry.ID | None = None, text: str | None = None,
        order_by: DatedOrder = DatedOrder.NAME_ASC,
    ) -> Connection[t.Source]:  # fmt: skip
        page = _page(
            "Source", text, description=False, order=order_by.value,
            date_path=str(SCHEMA.datePublished),
        )  # fmt: skip
        if publisher:
            page.patterns.append(_is(str(SCHEMA.publisher), iri_of(publisher)))
        return await _paginate(info, page, "Source", first, after, last, before)  # type: ignore[no-any-return]

    @root(description="Citations, by attribution (e.g. `InsiderSources`), source, node, text.")
    async def citations(
        self, info: I, first: int | None = None, after: str | None = None,
        last: int | None = None, before: str | None = None,
        attribution: str | None = None, source: strawberry.ID | None = None,
        about: strawberry.ID | None = None, supports: str | None = None,
        text: str | None = None,
    ) -> Connection[t.Citation]:  # fmt: skip
        page = _page("Citation", text, description=False, name_path=str(KG.quote))
        if attribution:
            page.patterns.append(_is(str(KG.attribution), concept_iri(attribution)))
        if source:
            page.patterns.append(_is(str(PROV.wasDerivedFrom), iri_of(source)))
        if about:
            page.patterns.append(_is(str(KG.about), iri_of(about)))
        if supports:
            page.patterns.append(_is(str(KG.supports), expand(supports)))
        return await _paginate(info, page, "Citation", first, after, last, before)  # type: ignore[no-any-return]
