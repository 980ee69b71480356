"""Checks every GraphQL document passes before it runs, with bounded time and memory.

* Size: a document over ``max_document`` characters is refused before it is parsed, and the
  parser stops at ``max_tokens`` tokens.
* Parsed documents are cached by the SHA-256 of their text (at most ``PARSED`` of them), so the
  cache never keeps more than ``PARSED`` documents of at most ``max_document`` characters.
* Variables: the JSON of a request is decoded (``decode_request``) with its variables nested at
  most ``max_variable_depth`` deep and holding at most ``max_variable_values`` values; a body
  past either, or JSON nested too deeply to decode, is a client error (400), never a crash.
* Validation (GraphQL's rules, then depth, aliases and cost, ``max_cost``, measured by
  ``kg.graphql.cost`` in one pass linear in the document) runs on a worker thread, never on
  the event loop, and is given until the request's deadline (``query_timeout``); past it the
  request is refused. The digests of documents that passed GraphQL's rules are remembered (at
  most ``VALIDATED``), so a document sent again is only measured.

Each refusal carries its ``extensions.code`` (``kg.graphql.codes``): ``GRAPHQL_VALIDATION_FAILED``
for GraphQL's rules, the code of a ``kg.errors.LimitExceeded`` for a limit, ``TIMEOUT`` past the
deadline.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    GraphQLSyntaxError,
    Lexer,
    Node,
    OperationDefinitionNode,
    Source,
    TokenKind,
    parse,
)
from graphql import specified_rules as graphql_rules
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from kg.errors import (
    AliasLimit,
    BadRequest,
    CostLimit,
    DepthLimit,
    DocumentTooLarge,
    InputError,
    KgError,
    QueryTimeout,
    TokenLimit,
)
from kg.graphql import codes
from kg.graphql.connections import DEFAULT_PAGE
from kg.graphql.cost import Analysis, introspection_sizes
from kg.settings import Settings

#: How many parsed documents are kept, and how many digests of valid ones.
PARSED = 128
VALIDATED = 4096


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def decode_request(body: str | bytes, settings: Settings) -> Any:
    """The JSON of a GraphQL request body (one request or a batch), its variables within
    ``max_variable_depth`` and ``max_variable_values``; ``InputError`` otherwise."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise BadRequest("the request body is JSON nested too deeply") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise BadRequest("Unable to parse request body as JSON") from None
    for request in payload if isinstance(payload, list) else [payload]:
        if isinstance(request, dict) and isinstance(request.get("variables"), dict | list):
            check_variables(request["variables"], settings)
    return payload


def check_variables(variables: Any, settings: Settings) -> None:
    """``InputError`` when ``variables`` nest lists and objects deeper than
    ``max_variable_depth`` or hold more than ``max_variable_values`` values (walked without
    recursion, stopping at the first limit passed)."""
    max_depth, max_values = settings.max_variable_depth, settings.max_variable_values
    values = 1
    stack: list[tuple[Any, int]] = [(variables, 0)]
    while stack:
        value, depth = stack.pop()
        if not isinstance(value, dict | list):
            continue
        if depth >= max_depth:
            raise InputError(
                f"the variables are nested more than {max_depth} deep (setting max_variable_depth)"
            )
        values += len(value)  # counted before they are stacked
        if values > max_values:
            raise InputError(
                f"the variables hold more than {max_values} values (setting max_variable_values)"
            )
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items)


class DocumentChecks:
    """The limits of one schema and its caches, shared by the requests it serves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._parsed: OrderedDict[bytes, DocumentNode] = OrderedDict()
        self._valid: OrderedDict[bytes, None] = OrderedDict()
        self._sizes: dict[int, dict[str, int]] = {}

    @property
    def cached(self) -> int:
        """How many parsed documents the cache holds."""
        return len(self._parsed)

    def too_long(self, query: str) -> GraphQLError | None:
        """The error refusing ``query`` when it is over ``max_document`` characters."""
        limit = self.settings.max_document
        if len(query) <= limit:
            return None
        return refusal(
            DocumentTooLarge(
                f"the document is {len(query)} characters long, more than the limit of "
                f"{limit} (setting max_document)"
            )
        )

    def parse(self, query: str) -> DocumentNode:
        """The document of ``query``; :class:`GraphQLError` when it is too long or malformed."""
        if (error := self.too_long(query)) is not None:
            raise error
        key = digest(query)
        with self._lock:
            found = self._parsed.get(key)
            if found is not None:
                self._parsed.move_to_end(key)
                return found
        try:
            document = parse(query, max_tokens=self.settings.max_tokens)
        except GraphQLSyntaxError as syntax:
            if over_tokens(query, self.settings.max_tokens):
                raise refusal(TokenLimit(syntax.message), syntax.nodes, syntax) from None
            raise
        with self._lock:
            self._parsed[key] = document
            while len(self._parsed) > PARSED:
                self._parsed.popitem(last=False)
        return document

    def validate(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> list[GraphQLError]:
        """GraphQL's validation rules, then kg's limits (see ``kg.graphql.cost``)."""
        key = digest(query)
        with self._lock:
            known = key in self._valid
        if not known:
            errors = validate_document(schema, document, tuple(graphql_rules))
            if errors:
                return codes.mark(errors, codes.VALIDATION_FAILED)
            with self._lock:
                self._valid[key] = None
                while len(self._valid) > VALIDATED:
                    self._valid.popitem(last=False)
        return self.limits(schema, document, variables, operation_name)

    def limits(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> list[GraphQLError]:
        s = self.settings
        sizes = self._sizes.get(id(schema))
        if sizes is None:
            sizes = self._sizes[id(schema)] = introspection_sizes(schema)
        analysis = Analysis(
            schema,
            document,
            variables,
            default_page=DEFAULT_PAGE,
            nested=s.nested_page_size,
            sizes=sizes,
        )
        errors: list[GraphQLError] = []
        aliases = 0
        for op in analysis.operations:
            measure = analysis.operation(op)
            aliases += measure.aliases
            if operation_name is not None and _name(op) != operation_name:
                continue
            if measure.depth > s.max_depth:
                errors.append(
                    refusal(
                        DepthLimit(
                            f"'{_name(op)}' exceeds maximum operation depth of {s.max_depth}"
                        ),
                        [op],
                    )
                )
            if measure.cost > s.max_cost:
                errors.append(
                    refusal(
                        CostLimit(
                            f"'{_name(op)}' may return up to {measure.cost} nodes, more than the "
                            f"limit of {s.max_cost} (setting max_cost); ask for smaller pages "
                            "(first) of the lists inside lists"
                        ),
                        [op],
                    )
                )
        if aliases > s.max_aliases:
            errors.append(refusal(AliasLimit(f"{aliases} aliases found. Allowed: {s.max_aliases}")))
        return errors


def refusal(
    error: KgError, nodes: Sequence[Node] | None = None, source: GraphQLError | None = None
) -> GraphQLError:
    """The GraphQL error refusing a document for ``error`` (whose code it carries)."""
    return GraphQLError(
        error.message,
        nodes,
        source.source if source else None,
        source.positions if source else None,
        original_error=error,
    )


def over_tokens(query: str, limit: int) -> bool:
    """Whether ``query`` has more than ``limit`` tokens, comments included, as the parser
    counts them (asked only of a document that failed to parse)."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while True:
            last = lexer.token
            token = lexer.advance()
            skipped = last.next  # the comments the lexer stepped over
            while skipped is not None and skipped is not token:
                count += 1
                skipped = skipped.next
            if token.kind is TokenKind.EOF:
                return False
            count += 1
            if count > limit:
                return True
    except GraphQLError:
        return count > limit


def _name(op: OperationDefinitionNode) -> str:
    return op.name.value if op.name else "anonymous"


class Checks(SchemaExtension):
    """The strawberry extension running :class:`DocumentChecks` for each request."""

    def __init__(self, checks: DocumentChecks) -> None:
        super().__init__()
        self.checks = checks

    async def on_parse(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is None and ctx.query is not None:
            ctx.graphql_document = self.checks.parse(ctx.query)
        yield

    async def on_validate(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        document, query = ctx.graphql_document, ctx.query
        if document is not None and query is not None:
            remaining = getattr(ctx.context, "remaining", None)
            timeout = remaining() if callable(remaining) else self.checks.settings.query_timeout
            work = asyncio.to_thread(
                self.checks.validate,
                ctx.schema._schema,
                query,
                document,
                ctx.variables,
                ctx.operation_name,
            )
            try:
                ctx.pre_execution_errors = await asyncio.wait_for(work, max(timeout, 0.0))
            except TimeoutError:
                ctx.pre_execution_errors = [
                    refusal(
                        QueryTimeout(
                            "the request ran past the time limit of "
                            f"{self.checks.settings.query_timeout:g} s (setting query_timeout)"
                        )
                    )
                ]
        yield
