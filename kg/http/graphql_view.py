"""``/graphql`` on the kg app: strawberry's ASGI view with kg's context and playground page."""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult

from kg.errors import BadRequest, UnknownOperation, for_status
from kg.graphql.checks import decode_request
from kg.graphql.context import Context
from kg.graphql.schema import KgSchema, build_schema
from kg.http import playground
from kg.http.state import state_of
from kg.settings import Settings

#: The body this request's JSON was decoded from, and what it decoded to (off the event loop).
_DECODED: ContextVar[tuple[bytes, Any] | None] = ContextVar("decoded", default=None)


class GraphQLView(GraphQL[Context, None]):
    """strawberry's view; the context carries the app's store and settings.

    A document over ``max_document`` characters is answered here, before the schema runs:
    an error raised inside it would keep the text alive in a reference cycle (the error's
    traceback holds the frames that hold the text) until the next garbage collection.
    """

    schema: KgSchema

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view, whose own HTTP errors (a body that is not JSON, an unsupported
        content type, no query...) become kg errors (``BadRequest``; ``UnknownOperation`` when
        the document has no operation of the name asked for), answered in GraphQL's response
        shape by the app's error handler (``kg.http.error_shape``)."""
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            if isinstance(exc.__cause__, CannotGetOperationTypeError):
                raise UnknownOperation(exc.reason) from None
            if exc.status_code == BadRequest.status:
                raise BadRequest(exc.reason) from None
            raise for_status(exc.status_code, exc.reason) from None
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> Any:
        """strawberry's reading of the request, with a JSON body decoded (and its variables
        measured) on a worker thread rather than on the event loop."""
        if request.method == "POST" and "application/json" in (request.content_type or ""):
            body = await request.get_body()
            decoded = await asyncio.to_thread(self.parse_json, body)
            token = _DECODED.set((body, decoded))
            try:
                return await super().parse_http_body(request)
            finally:
                _DECODED.reset(token)
        return await super().parse_http_body(request)

    def parse_json(self, data: str | bytes) -> Any:
        """The JSON of a request: a body nested too deeply, not UTF-8 or with variables past
        their limits is a client error (``kg.graphql.checks.decode_request``)."""
        decoded = _DECODED.get()
        if decoded is not None and decoded[0] is data:
            return decoded[1]
        return decode_request(data, self.schema.checks.settings)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        query = request_data.query
        if isinstance(query, str) and (error := self.schema.checks.too_long(query)) is not None:
            return ExecutionResult(data=None, errors=[error])
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = state_of(request)
        return Context(store=state.store, settings=state.settings, request=request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(playground.graphiql_page())  # opens with queries/example.graphql


def routes(settings: Settings) -> list[BaseRoute]:
    """The ``/graphql`` route (GET and POST; GET from a browser opens the playground)."""
    view = GraphQLView(build_schema(settings))
    return [Route("/graphql", view, methods=["GET", "POST"])]
