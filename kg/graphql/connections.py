"""Relay connections: ``edges``/``nodes``, ``pageInfo``, ``totalCount``, opaque keyset cursors.

A cursor names a node's place by its sort key and IRI, not by an offset: the next page is read
by the store from that place (``FILTER`` on the key, ``ORDER BY`` and ``LIMIT`` in the SPARQL of
``kg.graphql.compile.page_query``), so a later page costs no more than the first, and a write
between two pages neither skips nor repeats a node that stays in the list. A cursor carries the
order it was made in: the same list in another order refuses it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from kg.errors import InputError, PageSizeLimit

T = TypeVar("T")

#: Page size when a request gives neither ``first`` nor ``last``.
DEFAULT_PAGE = 20


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A node and its cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list (Relay cursor connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    total_count: int = strawberry.field(description="How many nodes the whole list has.")


@dataclass(frozen=True)
class Position:
    """A node's place in its ordered list: its sort key (as the SPARQL computes it) and IRI."""

    key: str
    iri: str


#: The version tag of the cursors this module writes.
_CURSOR = "k1"


def cursor(order: str, position: Position) -> str:
    """An opaque keyset cursor: the list's order and the node's sort key and IRI."""
    text = json.dumps([_CURSOR, order, position.key, position.iri], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode()


def position_of(value: str, order: str) -> Position:
    """The position a cursor of a list in ``order`` names; a malformed cursor, or one from the
    same list in another order, is refused."""
    try:
        data = json.loads(base64.urlsafe_b64decode(value.encode()).decode())
        tag, made_for, key, iri = data
        if tag != _CURSOR or not all(isinstance(x, str) for x in (made_for, key, iri)):
            raise ValueError(data)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InputError(f"malformed cursor {value!r}") from exc
    if made_for != order:
        raise InputError(
            f"the cursor {value!r} is from this list in the order {made_for}, not {order}"
        )
    return Position(key, iri)


@dataclass(frozen=True)
class Cut:
    """The page a window keeps of the rows the store sent, and whether more lie either side."""

    items: list[Position]
    has_next: bool
    has_previous: bool


@dataclass(frozen=True)
class Window:
    """Which page a request asks for, as Relay defines it: the nodes strictly between ``after``
    and ``before``, then the first ``first`` of them, then the last ``last`` of those.

    The store reads at most ``fetch`` nodes, in the list's order from ``after`` or, when only
    ``last`` is given (``backward``), in the reverse order from ``before``: one more than the
    page, to know whether the list goes on.
    """

    order: str
    after: Position | None
    before: Position | None
    first: int | None
    last: int | None

    @staticmethod
    def of(
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        max_page: int,
        order: str = "",
    ) -> Window:
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise InputError(f"{name} must not be negative (got {value})")
            if value is not None and value > max_page:
                raise PageSizeLimit(
                    f"{name}: {value} is more than the largest page, {max_page} "
                    "(setting max_page_size)"
                )
        if first is None and last is None:
            first = DEFAULT_PAGE
        return Window(
            order,
            position_of(after, order) if after else None,
            position_of(before, order) if before else None,
            first,
            last,
        )

    @property
    def backward(self) -> bool:
        return self.first is None

    @property
    def fetch(self) -> int:
        size = self.last if self.first is None else self.first
        assert size is not None
        return size + 1

    def cut(self, rows: list[Position]) -> Cut:
        """The page of ``rows`` (at most ``fetch``, read in the direction of the window)."""
        size = self.fetch - 1
        more = len(rows) > size
        items = rows[:size]
        if self.backward:
            return Cut(items[::-1], self.before is not None, more)
        trimmed = False
        if self.last is not None and len(items) > self.last:
            items, trimmed = items[len(items) - self.last :], True
        return Cut(items, more or self.before is not None, self.after is not None or trimmed)


def connection(items: list[T], window: Window, cut: Cut, total: int) -> Connection[T]:
    """The connection of a page: ``items`` are the nodes at ``cut.items``' positions."""
    edges = [
        Edge(cursor=cursor(window.order, p), node=n) for p, n in zip(cut.items, items, strict=True)
    ]
    info = PageInfo(
        has_next_page=cut.has_next,
        has_previous_page=cut.has_previous,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, nodes=items, page_info=info, total_count=total)
