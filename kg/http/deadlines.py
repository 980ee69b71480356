"""ASGI middleware giving every request body a deadline (``body_timeout`` seconds).

A client that sends its body slowly (a few bytes now and then) would otherwise hold its
connection, and a worker's attention, for as long as it likes. The whole body must arrive
within ``body_timeout`` seconds of the request's start; past that the request is answered
408 (``body_timeout``) and the connection is closed. (A request line and headers that come too
slowly are the server's to cut: ``kg serve`` closes such connections after ``header_timeout``.)
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import BodyTimeout


class BodyDeadline:
    def __init__(self, app: ASGIApp, timeout: float) -> None:
        self.app = app
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        complete = False

        async def timed() -> Message:
            nonlocal complete
            if complete:  # the body is in: later calls wait for the client to leave
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise BodyTimeout(
                    f"the request body did not arrive within {self.timeout:g} s "
                    "(setting body_timeout)"
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        await self.app(scope, timed, send)
