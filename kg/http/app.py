"""The ASGI application, built in code: ``create_app(settings)``.

Routes are contributed by the modules that own them (``kg.http.sparql``, ``kg.http.gsp``...); this
module only assembles them, opens the store, and translates errors into the one JSON shape
``{"error": {"code", "message", ...}}`` with the error's HTTP status (GraphQL's response shape
on ``/graphql``: ``kg.http.error_shape``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from kg.errors import KgError, for_status
from kg.graphql import query as graphql_query
from kg.http import (
    access,
    frontpage,
    graphql_view,
    gsp,
    guard,
    health,
    nodepage,
    pictures,
    sparql,
)
from kg.http.access import Instrumented
from kg.http.deadlines import BodyDeadline
from kg.http.error_shape import error_response
from kg.http.forward import WriteForwarding
from kg.http.graphql_http import GraphQLResponseMedia
from kg.http.headers import HEADERS, SecurityHeaders
from kg.http.limits import Admission, BodyLimit, HeadLimit
from kg.http.playground import static_routes
from kg.http.state import AppState
from kg.settings import Settings
from kg.store import querypool, sandbox
from kg.store.counting import CountingStore
from kg.store.opening import store_for
from kg.store.protocol import Store
from kg.writes import auth

log = logging.getLogger("kg")


def answer(
    request: Request,
    error: KgError,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    return error_response(
        error,
        path=request.url.path,
        accept=request.headers.get("accept"),
        status=status,
        headers=headers,
    )


async def kg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KgError)
    return answer(request, exc)


async def starlette_error(request: Request, exc: Exception) -> Response:
    """404 (no such path), 405 (method) and Starlette's other HTTP errors, in kg's shape."""
    assert isinstance(exc, HTTPException)
    error = for_status(exc.status_code, exc.detail)
    return answer(request, error, exc.status_code, exc.headers)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """500, in kg's shape and without detail (the error is logged with its traceback).

    Starlette answers these outside every middleware, so the security headers are set here.
    """
    return answer(request, KgError("Unexpected error."), 500, HEADERS)


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The kg ASGI app over ``store`` (opened from ``settings`` when not given)."""
    own_store = store is None
    opened = store or store_for(settings)
    # Every store call is counted, per request too (kg.store.counting).
    state = AppState(
        settings=settings,
        store=CountingStore(opened),
        sparql_admission=Admission(settings.query_workers, settings.max_queued),
        export_admission=Admission(settings.max_exports, 0, "setting max_exports"),
    )
    querypool.configure(memory_mib=settings.query_memory, concurrency=settings.query_workers)

    routes: list[BaseRoute] = health.routes()  # /healthz (ready to take queries), /livez
    routes += access.routes()  # /metrics: Prometheus metrics of this process (or all workers)

    routes += sparql.routes()  # /sparql: SPARQL 1.1 Protocol and service description
    routes += gsp.routes()  # /export, /store (Graph Store Protocol, read), /ontology, /shapes

    routes += static_routes()  # /static: the playground's script, style and GraphiQL files

    routes += pictures.routes()  # /orgchart, /orgchart/{id}, /timeline: pictures from the graph

    routes += frontpage.routes()  # /: what kg is, holds and serves; /schema.graphql
    routes += nodepage.routes()  # /id/{path}, /def, /def/{term}: Linked Data pages and RDF
    routes += graphql_view.routes(settings)  # /graphql: the GraphQL API and its playground

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        auth.log_write_mode(settings)
        guard.warm(guard.Limits.of(settings))
        sandboxed = await run_in_threadpool(sandbox.probe)
        if sandboxed:
            log.info("query processes run without network (%s)", sandboxed)
        else:
            log.error(
                "NO SANDBOX: query processes could not be cut off from the network (neither a "
                "network namespace nor seccomp works here); the SPARQL guard is the only "
                "defence against outgoing requests"
            )
        if own_store:  # a served store: its search index is ready before the first search
            graphql_query.search_index(state.store, settings).warm()
        yield
        if own_store:
            opened.close()

    app = Starlette(
        routes=routes,
        exception_handlers={
            KgError: kg_error,
            HTTPException: starlette_error,
            Exception: unexpected_error,
        },
        lifespan=lifespan,
        middleware=[
            # The door: request heads (431) and Accept headers (400) past their caps are
            # refused before anything reads them.
            Middleware(HeadLimit, settings=settings),
            # Content-Security-Policy and nosniff on every response, errors included.
            Middleware(SecurityHeaders),
            # Counts and times every request, and writes its access-log line.
            Middleware(Instrumented),
            # CORS: any origin may read (browser SPARQL tools); writes still need the token.
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "PUT", "OPTIONS"],
                allow_headers=["Accept", "Authorization", "Content-Type"],
                max_age=600,
            ),
            Middleware(BodyLimit, max_body=settings.max_body),
            # Slow bodies: the whole body within body_timeout seconds, else 408.
            Middleware(BodyDeadline, timeout=settings.body_timeout),
            # /graphql answers application/graphql-response+json to clients that prefer it.
            Middleware(GraphQLResponseMedia, path="/graphql"),
            # A reader replica sends mutations and SPARQL Updates to the writer.
            *(
                [
                    Middleware(
                        WriteForwarding,
                        writer_url=writer,
                        timeout=settings.writer_timeout,
                        settings=settings,
                    )
                ]
                if (writer := settings.writer_url)
                else []
            ),
        ],
    )
    app.state.kg = state
    return app
