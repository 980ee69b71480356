"""Request limits: heads (431), ``Accept`` (400), bodies over ``max_body`` bytes (413), and
how much work runs at once.

``HeadLimit`` is the outermost ASGI middleware: before anything reads the request's headers it
refuses a head over ``max_header_bytes`` bytes or ``max_headers`` fields with 431, and an
``Accept`` header over ``max_accept`` bytes or ``max_accept_ranges`` media ranges with 400
(``kg.http.negotiate.check_accept``). The server's parser reads the head first: under ``kg
serve`` its HTTP protocol (``kg.cli.serve``) stops reading a head past ``max_header_bytes``
as it arrives; this middleware holds the limits under any server.

``BodyLimit`` is ASGI middleware that refuses request bodies over ``max_body`` bytes with 413.

A declared ``Content-Length`` over the limit is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the limit, so no
handler ever holds more than ``max_body`` bytes of it.

``Admission`` bounds the SPARQL requests at work and waiting (settings ``query_workers``,
``max_queued``), and the exports streaming at once (``max_exports``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import HeadersTooLarge, KgError, PayloadTooLarge, ServiceBusy
from kg.http.error_shape import error_response
from kg.http.headers import HEADERS
from kg.http.negotiate import check_accept
from kg.settings import Settings


def head_too_large(limit: int) -> HeadersTooLarge:
    return HeadersTooLarge(
        f"the request head is larger than the limit of {limit} bytes (setting max_header_bytes)",
        max_header_bytes=limit,
    )


def refusal(error: KgError, path: str) -> Response:
    """The answer refusing a request for ``path`` at the door, in the shape its route speaks
    (outside the middleware that adds the security headers, so they are set here; the
    request's own ``Accept`` is not read, it may be what is refused)."""
    return error_response(error, path=path, accept=None, headers={**HEADERS, **error.headers})


def check_head(scope: Scope, settings: Settings) -> None:
    """``HeadersTooLarge`` or ``InputError`` when the request's head is past its limits."""
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    if len(headers) > settings.max_headers:
        raise HeadersTooLarge(
            f"the request has {len(headers)} header fields, more than the limit of "
            f"{settings.max_headers} (setting max_headers)",
            max_headers=settings.max_headers,
        )
    line = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") + 20
    if line + sum(len(k) + len(v) + 4 for k, v in headers) > settings.max_header_bytes:
        raise head_too_large(settings.max_header_bytes)
    accept = [v for k, v in headers if k.lower() == b"accept"]
    if accept:
        check_accept(accept, settings.max_accept, settings.max_accept_ranges)


class HeadLimit:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            try:
                check_head(scope, self.settings)
            except KgError as error:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1009})
                else:
                    await refusal(error, scope.get("path", ""))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the request body is larger than the limit of {limit} bytes (setting max_body)",
        max_body=limit,
    )


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_body:
            accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
            answer = error_response(_too_large(self.max_body), path=scope["path"], accept=accept)
            await answer(scope, receive, send)
            return
        received = 0
        limit = self.max_body

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)


class Admission:
    """At most ``running + queued`` requests inside at once; more get ``ServiceBusy`` (503 with
    ``Retry-After``) at once, so a burst cannot pile up without bound. How many of those run
    at the same moment is bounded where the work happens (``kg.store.querypool``). ``names``
    says which settings set the bounds. Used on the event loop only (no lock needed)."""

    def __init__(
        self, running: int, queued: int, names: str = "settings query_workers and max_queued"
    ) -> None:
        self.running = max(1, running)
        self.queued = max(0, queued)
        self.names = names
        self._inside = 0

    @property
    def full(self) -> bool:
        """Whether the next request would be refused."""
        return self._inside >= self.running + self.queued

    def enter(self, what: str) -> None:
        """Take a place (``leave`` gives it back), or ``ServiceBusy``."""
        if self.full:
            raise ServiceBusy(
                f"too many {what} requests at once ({self.running} running, {self.queued} "
                f"waiting: {self.names}); retry shortly"
            )
        self._inside += 1

    def leave(self) -> None:
        self._inside -= 1

    @contextmanager
    def slot(self, what: str) -> Iterator[None]:
        self.enter(what)
        try:
            yield
        finally:
            self.leave()
