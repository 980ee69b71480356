"""The GraphQL schema: root queries, limits, error masking; ``execute`` for in-process use.

``build_schema(settings)`` includes ``Mutation`` (and merges ``HistoryQuery`` into ``Query``)
from ``kg.graphql.mutations``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, specified_rules
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from kg.errors import KgError
from kg.graphql import mutations
from kg.graphql import types as t
from kg.graphql.context import Context
from kg.graphql.query import Query
from kg.graphql.selection import Registry
from kg.settings import Settings
from kg.store.protocol import Store

log = logging.getLogger("kg.graphql")


def _expected(error: GraphQLError) -> bool:
    """Errors a client may see: GraphQL's own and kg's expected ones."""
    original = error.original_error
    return original is None or isinstance(original, KgError | GraphQLError)


class KgSchema(strawberry.Schema):
    """The schema, with the node-type registry and logging of unexpected errors."""

    registry: Registry

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if _expected(error):
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


class CachedValidation(SchemaExtension):
    """Validation with the depth and alias limits, cached per query text across requests.

    strawberry's ``ValidationCache`` keys its cache on the rule classes too, and the depth and
    alias limiters make new rule classes for every request, so it would never hit.
    """

    def __init__(self, validate: Callable[[str, Any], list[GraphQLError]]) -> None:
        super().__init__()
        self.validate = validate

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and ctx.query is not None:
            ctx.pre_execution_errors = self.validate(ctx.query, ctx.graphql_document)
        yield


@functools.lru_cache(maxsize=8)
def build_schema(settings: Settings) -> KgSchema:
    """The schema with the limits of ``settings`` (cached per settings)."""
    limit_rules = (
        *QueryDepthLimiter(max_depth=settings.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    )

    validated: dict[str, list[GraphQLError]] = {}

    def validate(query: str, document: Any) -> list[GraphQLError]:
        errors = validated.get(query)
        if errors is None:
            errors = validate_document(schema._schema, document, (*specified_rules, *limit_rules))
            if len(validated) < 1024:  # bounded: query texts come from clients
                validated[query] = errors
        return errors

    schema = KgSchema(
        query=merge_types("Query", (Query, mutations.HistoryQuery)),
        mutation=mutations.Mutation,
        types=list(t.NODE_TYPES.values()),
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
            lambda: ParserCache(maxsize=256),
            lambda: CachedValidation(validate),
            lambda: MaskErrors(should_mask_error=lambda e: not _expected(e)),
        ],
    )
    schema.registry = Registry(schema._schema)
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
