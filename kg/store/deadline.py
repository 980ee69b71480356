"""A request's time limit, shared by the store queries it makes.

Each query gets what is left of the limit as its own ``timeout`` (on the embedded store it runs
in a query worker killed then, ``kg.store.querypool``; a remote store closes the request). A
query not begun before the limit is not sent; past the limit, the caller's own message.
"""

from __future__ import annotations

import time

from kg.errors import QueryTimeout
from kg.store.protocol import Row, Store


class Deadline:
    """``limit`` seconds from now (``remaining``: what is left of it already, when less); past
    it, a ``QueryTimeout`` says ``late`` formatted with ``limit``. None: no limit."""

    def __init__(self, limit: float | None, late: str, *, remaining: float | None = None) -> None:
        self.limit = limit
        self.late = late
        left = limit if remaining is None else remaining
        self.at = None if left is None else time.monotonic() + left

    def select(self, store: Store, query: str) -> list[Row]:
        """``query``'s rows, evaluated within what is left of the limit."""
        left = None if self.at is None else self.at - time.monotonic()
        if left is not None and left <= 0:
            raise self._timeout()
        try:
            return store.select(query, timeout=left)
        except QueryTimeout:
            raise self._timeout() from None

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(self.late.format(limit=self.limit))
