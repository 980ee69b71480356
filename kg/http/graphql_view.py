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
from kg.model import paths
from kg.settings import Settings

#: The query the playground opens with.
EXAMPLE = "example.graphql"


def example_query() -> str:
    """``queries/example.graphql`` (the playground's opening query)."""
    for folder in (paths.ONTOLOGY_DIR.parent / "_queries", paths.ONTOLOGY_DIR.parent / "queries"):
        if (folder / EXAMPLE).is_file():
            return (folder / EXAMPLE).read_text(encoding="utf-8")
    return "{ organisations { nodes { id name } } }\n"


class GraphQLView(GraphQL[Context, None]):
    """strawberry's view; the context carries the app's store and settings."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = state_of(request)
        return Context(store=state.store, settings=state.settings, request=request)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(playground.graphiql_page(example_query()))


def routes(settings: Settings) -> list[BaseRoute]:
    """The ``/graphql`` route (GET and POST; GET from a browser opens the playground)."""
    view = GraphQLView(build_schema(settings))
    return [Route("/graphql", view, methods=["GET", "POST"])]
