"""The GraphQL schema: root queries, limits, error codes and masking; ``execute`` in-process.

``build_schema(settings)`` includes ``Mutation`` (and merges ``HistoryQuery`` into ``Query``)
from ``kg.graphql.mutations``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from kg.graphql import codes, mutations
from kg.graphql import types as t
from kg.graphql.checks import Checks, DocumentChecks
from kg.graphql.context import Context
from kg.graphql.query import Query
from kg.graphql.selection import Registry
from kg.settings import Settings
from kg.store.protocol import Store

log = logging.getLogger("kg.graphql")


class KgSchema(strawberry.Schema):
    """The schema, with the node-type registry; every error gets its ``extensions.code``
    (``kg.graphql.codes``), and unexpected ones are logged."""

    registry: Registry
    checks: DocumentChecks

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        codes.mark(errors)
        for error in errors:
            if codes.expected(error):
                log.info("GraphQL error: %s", error.message)
                continue
            query = execution_context.query if execution_context else None
            variables = execution_context.variables if execution_context else None
            original = error.original_error
            log.error(
                "unexpected error in GraphQL request %r (variables %r): %s",
                query,
                variables,
                error.message,
                exc_info=(type(original), original, original.__traceback__) if original else None,
            )


@functools.lru_cache(maxsize=8)
def build_schema(settings: Settings) -> KgSchema:
    """The schema with the limits of ``settings`` (cached per settings)."""
    checks = DocumentChecks(settings)
    schema = KgSchema(
        query=merge_types("Query", (Query, mutations.HistoryQuery)),
        mutation=mutations.Mutation,
        types=list(t.NODE_TYPES.values()),
        extensions=[
            lambda: Checks(checks),
            codes.Masked,
        ],
    )
    schema.registry = Registry(schema._schema)
    schema.checks = checks
    return schema


def sdl() -> str:
    """The schema in SDL, as committed in ``schema.graphql``."""
    return str(build_schema(Settings())).rstrip() + "\n"


async def execute_async(
    store: Store,
    settings: Settings,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    log_to: list[str] | None = None,
) -> dict[str, Any]:
    """Run one GraphQL request in-process; the result as the HTTP endpoint would send it."""
    context = Context(store=store, settings=settings)
    result = await build_schema(settings).execute(
        query, variable_values=variables, context_value=context
    )
    if log_to is not None:
        log_to.extend(context.log)
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return out


def execute(
    store: Store,
    settings: Settings,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    log_to: list[str] | None = None,
) -> dict[str, Any]:
    """:func:`execute_async` for synchronous callers (CLI, pictures).

    Called from a thread that runs an event loop, it runs the request on a thread of its own.
    """
    work = execute_async(store, settings, query, variables, log_to=log_to)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
