"""The typed request context, and running a root field's loading under the request deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from kg.errors import QueryTimeout
from kg.graphql.loader import Loader
from kg.graphql.selection import Collector, Registry
from kg.settings import Settings
from kg.store.protocol import Store

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection
    from strawberry.types import Info

R = TypeVar("R")


@dataclass
class Context:
    """What every resolver gets: the store, the settings, the request, the SPARQL log."""

    store: Store
    settings: Settings
    request: HTTPConnection | None = None
    started: float = field(default_factory=time.monotonic)
    #: Every SPARQL query the request ran, in order (``kg query --explain``, the tests).
    log: list[str] = field(default_factory=list)

    @property
    def authorization(self) -> str | None:
        """The request's ``Authorization`` header, if any."""
        return None if self.request is None else self.request.headers.get("authorization")

    def remaining(self) -> float:
        return self.settings.query_timeout - (time.monotonic() - self.started)

    def timeout_error(self) -> QueryTimeout:
        return QueryTimeout(
            f"the request ran past the time limit of {self.settings.query_timeout:g} s "
            "(setting query_timeout)"
        )


def registry_of(info: Info[Context, Any]) -> Registry:
    registry = getattr(info.schema, "registry", None)
    assert isinstance(registry, Registry)
    return registry


def collector(info: Info[Context, Any]) -> Collector:
    raw = info._raw_info
    variables: Any = raw.variable_values
    variables = getattr(variables, "coerced", variables)
    return Collector(raw.schema, registry_of(info), dict(raw.fragments), dict(variables or {}))


async def run(info: Info[Context, Any], work: Callable[[Loader], R]) -> R:
    """Run ``work`` (blocking store calls) within the request's time limit.

    The work runs in a thread, never on the event loop (even the look-up of one node: its
    store calls may wait for a query worker or a remote server), so the server keeps
    answering and the request is answered at its deadline.
    """
    ctx = info.context
    remaining = ctx.remaining()
    if remaining <= 0:
        raise ctx.timeout_error()
    settings = ctx.settings
    loader = Loader(
        ctx.store,
        registry_of(info),
        settings.query_timeout,
        remaining=remaining,
        nested=settings.nested_page_size,
        max_page=settings.max_page_size,
    )
    loader.log = ctx.log
    try:
        return await asyncio.wait_for(asyncio.to_thread(work, loader), remaining)
    except TimeoutError as exc:
        raise ctx.timeout_error() from exc
