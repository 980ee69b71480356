"""``/graphql`` on the kg app: strawberry's ASGI view with kg's context and playground page."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from kg.graphql.context import Context
from kg.graphql.schema import build_schema
from kg.http import playground
from kg.http.state import state_of
from kg.settings import Settings


class GraphQLView(GraphQL[Context, None]):
    """strawberry's view; the context carries the app's store and settings."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = state_of(request)
        return Context(store=state.store, settings=state.settings, request=request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(playground.graphiql_page())  # opens with queries/example.graphql


def routes(settings: Settings) -> list[BaseRoute]:
    """The ``/graphql`` route (GET and POST; GET from a browser opens the playground)."""
    view = GraphQLView(build_schema(settings))
    return [Route("/graphql", view, methods=["GET", "POST"])]
