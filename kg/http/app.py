"""The ASGI application, built in code: ``create_app(settings)``.

Routes are contributed by the modules that own them (``kg.http.sparql``, ``kg.http.gsp``...); this
module only assembles them, opens the store, and translates errors into the one JSON shape
``{"error": {"code", "message", ...}}`` with the error's HTTP status.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from kg.errors import KgError
from kg.graphql import query as graphql_query
from kg.http import graphql_view, gsp, pictures, sparql
from kg.http.forward import WriteForwarding
from kg.http.graphql_http import GraphQLResponseMedia
from kg.http.limits import BodyLimit
from kg.http.playground import static_routes
from kg.http.state import AppState, state_of
from kg.settings import Settings
from kg.store.opening import store_for
from kg.store.protocol import Store
from kg.writes import auth

log = logging.getLogger("kg")


async def kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KgError)
    return JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers or None)


async def healthz(request: Request) -> Response:
    state = state_of(request)
    try:
        await run_in_threadpool(state.store.ask, "ASK { ?s ?p ?o }", timeout=5)
    except Exception as exc:  # the health check reports any failure of the store
        log.warning("health check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "store": "not answering"}, status_code=503)
    return JSONResponse({"status": "ok", "store": "answering"})


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The kg ASGI app over ``store`` (opened from ``settings`` when not given)."""
    own_store = store is None
    opened = store or store_for(settings)
    state = AppState(settings=settings, store=opened)

    routes: list[BaseRoute] = [Route("/healthz", healthz)]

    routes += sparql.routes()  # /sparql: SPARQL 1.1 Protocol and service description
    routes += gsp.routes()  # /export, /store (Graph Store Protocol, read), /ontology, /shapes

    routes += static_routes()  # /static: the playground's script, style and GraphiQL files

    routes += pictures.routes()  # /orgchart, /orgchart/{id}, /timeline: pictures from the graph

    routes += graphql_view.routes(settings)  # /graphql: the GraphQL API and its playground

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        auth.log_write_mode(settings)
        if own_store:  # a served store: its search index is ready before the first search
            graphql_query.search_index(opened, settings).warm()
        yield
        if own_store:
            opened.close()

    app = Starlette(
        routes=routes,
        exception_handlers={KgError: kg_error},
        lifespan=lifespan,
        middleware=[
            # CORS: any origin may read (browser SPARQL tools); writes still need the token.
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Authorization", "Content-Type"],
                max_age=600,
            ),
            Middleware(BodyLimit, max_body=settings.max_body),
            # /graphql answers application/graphql-response+json to clients that prefer it.
            Middleware(GraphQLResponseMedia, path="/graphql"),
            # A reader replica sends mutations and SPARQL Updates to the writer.
            *(
                [Middleware(WriteForwarding, writer_url=writer, timeout=settings.writer_timeout)]
                if (writer := settings.writer_url)
                else []
            ),
        ],
    )
    app.state.kg = state
    return app
