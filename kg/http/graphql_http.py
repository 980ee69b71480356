"""GraphQL over HTTP's ``application/graphql-response+json`` for ``/graphql``.

strawberry answers every request with ``application/json`` and status 200, even when the
request itself is unusable (a document that does not parse or validate, variables that do not
coerce). The GraphQL over HTTP specification adds a media type for which such request errors
are told by the status: a client that prefers ``application/graphql-response+json`` (in its
``Accept`` header) gets that media type, and a request error comes back as 400 without a
``data`` entry. Clients that ask for ``application/json`` (or send ``*/*``, or nothing) get
strawberry's answer unchanged.

This ASGI middleware does that around the GraphQL view, whatever the view is. Only JSON answers
of the view to clients that prefer the new media type are touched; a request error is a
response whose ``data`` is null and none of whose errors has a ``path`` (field errors always
have one, and keep ``"data": null`` with status 200, as the specification asks).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.http.negotiate import choose

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def prefers_graphql_response(accept: str | None) -> bool:
    """True when the ``Accept`` header prefers the GraphQL response type to plain JSON."""
    return bool(accept) and choose(accept, [JSON, GRAPHQL_RESPONSE]) == GRAPHQL_RESPONSE


def request_error(body: bytes) -> dict[str, Any] | None:
    """The response without its ``data`` entry when ``body`` reports a request error."""
    head = body[:32].replace(b" ", b"")
    if not head.startswith(b'{"data":null'):
        return None  # strawberry writes data first: anything else has data or is not ours
    try:
        response = json.loads(body)
    except ValueError:
        return None
    if not isinstance(response, dict) or response.get("data") is not None:
        return None
    errors = response.get("errors")
    if not isinstance(errors, list) or not errors:
        return None
    if any(not isinstance(e, dict) or "path" in e for e in errors):
        return None
    return {key: value for key, value in response.items() if key != "data"}


class GraphQLResponseMedia:
    """ASGI middleware giving ``path`` the ``application/graphql-response+json`` behaviour."""

    def __init__(self, app: ASGIApp, path: str = "/graphql") -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if not prefers_graphql_response(Headers(scope=scope).get("accept")):
            await self.app(scope, receive, send)
            return

        start: Message | None = None
        chunks: list[bytes] = []
        passing = False

        async def respond(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if content_type.split(";")[0].strip() == JSON:
                    start = message  # held until the whole body is here
                else:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._send_rewritten(start, b"".join(chunks), send)
            else:
                await send(message)

        await self.app(scope, receive, respond)

    @staticmethod
    async def _send_rewritten(start: Message, body: bytes, send: Send) -> None:
        status = start["status"]
        if status != 200:  # kg's errors, already in the media type asked for (error_shape)
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        if (stripped := request_error(body)) is not None:
            status = 400
            body = json.dumps(stripped).encode("utf-8")
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        headers["content-length"] = str(len(body))
        await send({"type": "http.response.start", "status": status, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})
