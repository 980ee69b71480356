"""The HTTP side of observing kg: every request counted and timed (:mod:`kg.metrics`),
``/metrics`` in the Prometheus text format, and the access log.

The access log (logger ``kg.access``; ``kg serve`` prints it on standard output) is one JSON
object a line: time, method, path, query string, route template, status, duration in ms, store
calls, client address, user agent; the path, the query string and the user agent are cut to
their first ``MAX_LOGGED`` (user agent: 300) characters. JSON encoding escapes CR, LF and every
other control character, so a request cannot forge or split log lines.

A client that hangs up before it has sent its whole body (Starlette's ``ClientDisconnect``)
is not an error of kg's: nothing was done for it (a handler reads the whole body before it
acts), and it is counted and logged with status ``CLIENT_CLOSED`` (499, nginx's "client closed
request"), with an INFO line and no traceback.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import metrics
from kg.metrics import LATENCY, REQUESTS, STORE_PER_REQUEST, RequestStats

access_log = logging.getLogger("kg.access")
log = logging.getLogger("kg")

#: Most characters of a request's path or query string the access log keeps.
MAX_LOGGED = 1000
#: The status counted and logged for a request whose client left before sending it whole.
CLIENT_CLOSED = 499

#: The route label of a request no route matched.
UNMATCHED = "unmatched"
#: Methods counted by name; any other counts as "other" (labels stay bounded).
METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}


def _route(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class Instrumented:
    """ASGI middleware: counts and times each HTTP request and writes its access-log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats, token = metrics.start_request()
        start = time.perf_counter()
        status = 500
        started = False

        async def sending(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = int(message["status"]), True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except ClientDisconnect:
            # Nothing to answer, and no error of kg's: no traceback, and the request is counted
            # apart (its answer's status when one had started, as the client left meanwhile).
            what = "its answer" if started else "its whole request"
            status = status if started else CLIENT_CLOSED
            log.info(
                "the client closed the connection before %s was sent: %s %s",
                what,
                scope.get("method", ""),
                scope.get("path", "")[:MAX_LOGGED],
            )
        finally:
            metrics.end_request(token)
            elapsed = time.perf_counter() - start
            route, method = _route(scope), scope.get("method", "")
            method = method if method in METHODS else "other"
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            STORE_PER_REQUEST.labels(route).observe(stats.store_calls)
            _log(scope, route, status, elapsed, stats)


def _log(scope: Scope, route: str, status: int, elapsed: float, stats: RequestStats) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    headers = dict(scope.get("headers") or [])
    client = scope.get("client")
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": scope.get("method", ""),
        "path": scope.get("path", "")[:MAX_LOGGED],
        "query": scope.get("query_string", b"").decode("latin-1")[:MAX_LOGGED],
        "route": route,
        "status": status,
        "ms": round(elapsed * 1000, 2),
        "store_calls": stats.store_calls,
        "client": client[0] if client else None,
        "user_agent": headers.get(b"user-agent", b"").decode("latin-1")[:300],
    }
    access_log.info(json.dumps(line, ensure_ascii=True))


async def metrics_page(request: Request) -> Response:
    body, media_type = metrics.exposition()
    return Response(body, media_type=media_type)


def routes() -> list[BaseRoute]:
    return [Route("/metrics", metrics_page, methods=["GET"])]
