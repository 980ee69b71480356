"""Security headers on every response: a Content-Security-Policy and ``nosniff``.

Every response gets ``X-Content-Type-Options: nosniff`` (browsers take the declared media type,
so an answer is never run as a script or page it was not sent as) and, unless the response set
its own, :data:`CSP`: everything from kg's own origin only, no plugins, and
``frame-ancestors 'none'`` (no other site may frame kg's pages). Pages with an inline script
of their own name it by digest with :func:`policy`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def policy(*, scripts: Iterable[str] = ()) -> str:
    """The Content-Security-Policy allowing kg's own files and these inline scripts.

    Inline styles are allowed: GraphiQL (React, CodeMirror) sets style attributes, and the
    pictures carry their style inside the SVG. Scripts come from kg's origin only, or are one
    of ``scripts`` (by SHA-256).
    """
    digests = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in scripts
    )
    return (
        f"default-src 'self'; script-src 'self'{digests}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


#: The policy of every response that does not set its own.
CSP = policy()
#: The headers every response gets (for responses made outside the middleware).
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = CSP
            await send(message)

        await self.app(scope, receive, with_headers)
