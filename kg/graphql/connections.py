"""Relay connections: ``edges``/``nodes``, ``pageInfo``, ``totalCount``, opaque offset cursors."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from kg.errors import InputError

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


def cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def offset_of(value: str) -> int:
    try:
        text = base64.urlsafe_b64decode(value.encode()).decode()
        kind, number = text.split(":", 1)
        if kind != "offset" or int(number) < 0:
            raise ValueError(text)
        return int(number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"malformed cursor {value!r}") from exc


@dataclass(frozen=True)
class Window:
    """Which slice of the list a request asks for: ``start`` and at most ``limit`` nodes."""

    start: int
    limit: int
    needs_total: bool  # ``last`` without ``before``: the end is the list's end
    last: int | None

    @staticmethod
    def of(
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
        max_page: int,
    ) -> Window:
        for name, value in (("first", first), ("last", last)):
            if value is not None and value < 0:
                raise InputError(f"{name} must not be negative (got {value})")
            if value is not None and value > max_page:
                raise InputError(
                    f"{name}: {value} is more than the largest page, {max_page} "
                    "(setting max_page_size)"
                )
        start = offset_of(after) + 1 if after else 0
        end = offset_of(before) if before else None
        if first is None and last is None:
            first = DEFAULT_PAGE if end is None else min(DEFAULT_PAGE, max(end - start, 0))
        if first is not None:
            end = start + first if end is None else min(end, start + first)
        if last is not None and end is None:
            return Window(start, 0, True, last)
        assert end is not None
        if last is not None:
            start = max(start, end - last)
        return Window(start, max(end - start, 0), False, last)

    def resolved(self, total: int) -> Window:
        """With the list's length known (for ``last`` without ``before``)."""
        if not self.needs_total or self.last is None:
            return self
        start = max(self.start, total - self.last)
        return Window(start, max(total - start, 0), False, self.last)


def connection(items: list[T], window: Window, more: bool, total: int) -> Connection[T]:
    edges = [Edge(cursor=cursor(window.start + i), node=n) for i, n in enumerate(items)]
    info = PageInfo(
        has_next_page=more,
        has_previous_page=window.start > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, nodes=items, page_info=info, total_count=total)
