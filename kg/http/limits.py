"""Request limits: bodies over ``max_body`` bytes (413), and how much work runs at once.

``BodyLimit`` is ASGI middleware that refuses request bodies over ``max_body`` bytes with 413.

A declared ``Content-Length`` over the limit is refused before the body is read; a body sent
without one (chunked) is counted as it arrives and refused once it passes the limit, so no
handler ever holds more than ``max_body`` bytes of it.

``Admission`` bounds the SPARQL requests at work and waiting (settings ``query_workers``,
``max_queued``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import PayloadTooLarge, ServiceBusy
from kg.http.error_shape import error_response


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
    at the same moment is bounded where the work happens (``kg.store.querypool``)."""

    def __init__(self, running: int, queued: int) -> None:
        self.running = max(1, running)
        self.queued = max(0, queued)
        self._inside = 0

    @contextmanager
    def slot(self, what: str) -> Iterator[None]:
        if self._inside >= self.running + self.queued:
            raise ServiceBusy(
                f"too many {what} requests at once ({self.running} running, {self.queued} "
                "waiting: settings query_workers and max_queued); retry shortly"
            )
        self._inside += 1
        try:
            yield
        finally:
            self._inside -= 1
