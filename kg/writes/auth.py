"""Access control: reads are open, every write needs the bearer token ``KG_WRITE_TOKEN``.

Call ``require_write_token(settings, authorization)`` (``kg.http.state.require_writer(request)``
from a Starlette handler) before anything is written: a SPARQL Update, a GraphQL mutation, a load.

* no token configured: writes are disabled, ``WritesDisabled`` (403);
* no ``Authorization: Bearer ...`` header, or a wrong token: ``Unauthorized`` (401, with
  ``WWW-Authenticate: Bearer``).

The token is compared in constant time and never appears in a message or a log line.
"""

from __future__ import annotations

import hmac
import logging

from kg.errors import Unauthorized, WritesDisabled
from kg.settings import Settings

log = logging.getLogger("kg.auth")

_SCHEME = "bearer"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != _SCHEME or not token.strip():
        return None
    return token.strip()


def require_write_token(settings: Settings, authorization: str | None) -> None:
    """Refuse the write unless ``authorization`` carries the configured write token."""
    expected = settings.write_token
    if not expected:
        raise WritesDisabled(
            "writes are disabled on this server: it was started without a write token "
            "(set KG_WRITE_TOKEN to enable them)"
        )
    given = bearer_token(authorization)
    if given is None:
        raise Unauthorized(
            "this request writes data: send the write token as 'Authorization: Bearer <token>'"
        )
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise Unauthorized("the write token is not valid")


def writes_enabled(settings: Settings) -> bool:
    return bool(settings.write_token)


def log_write_mode(settings: Settings) -> None:
    """Say at start whether writes are possible (never the token itself)."""
    if settings.writer_url:
        log.info("reader: mutations and SPARQL Updates go to the writer at %s", settings.writer_url)
    elif writes_enabled(settings):
        log.info("writes enabled: SPARQL Update and mutations need the bearer write token")
    else:
        log.warning("writes are disabled: no write token configured (set KG_WRITE_TOKEN)")
