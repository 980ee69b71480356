"""Credentials for the SPARQL server behind a remote store, from the settings.

* ``store_user`` + ``store_password``: HTTP Basic, or Digest with ``store_auth=digest``
  (Virtuoso's authenticated endpoints, ``/sparql-auth`` and ``/sparql-graph-crud-auth``, use
  Digest);
* ``store_token``: ``Authorization: Bearer <token>`` on every request (Amazon Neptune behind a
  proxy, Stardog, GraphDB with tokens...).

The secrets go only into the ``Authorization`` header of requests to the store: never into a
message, a log line or ``repr`` (kg's error messages name the server by its URL, which carries
no credentials: a URL with ``user:password@`` is refused).
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from kg.errors import InputError
from kg.settings import Settings

SCHEMES = ("basic", "digest")


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def __repr__(self) -> str:
        return "BearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def auth_for(settings: Settings) -> httpx.Auth | None:
    """The credentials the settings give for the remote store, or None."""
    scheme = (settings.store_auth or "basic").lower()
    if scheme not in SCHEMES:
        raise InputError(f"store_auth must be one of {', '.join(SCHEMES)}, not {scheme!r}")
    if settings.store_token and settings.store_user:
        raise InputError("give the SPARQL server either store_token or store_user, not both")
    if settings.store_token:
        return BearerAuth(settings.store_token)
    if settings.store_user:
        password = settings.store_password or ""
        if scheme == "digest":
            return httpx.DigestAuth(settings.store_user, password)
        return httpx.BasicAuth(settings.store_user, password)
    if settings.store_password:
        raise InputError("store_password is set but store_user is not")
    return None
