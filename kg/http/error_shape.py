"""The one HTTP answer of a kg error, in the shape its route speaks.

Every route answers ``{"error": {"code", "message", ...}}`` (``KgError.to_json``), except
``/graphql``, whose clients read GraphQL's response shape: a request ``/graphql`` cannot run
(a body that is not JSON, no query, a method or content type it does not take, a body over
``max_body``...) is answered ``{"errors": [{"message", "extensions": {"code"}}]}``, with the
error's HTTP status, in ``application/graphql-response+json`` to clients that prefer it.
The codes are ``KgError.graphql_code`` (the list is in docs/graphql.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse, Response

from kg.errors import KgError
from kg.http.graphql_http import GRAPHQL_RESPONSE, JSON, prefers_graphql_response

#: The path whose errors are answered in GraphQL's response shape.
GRAPHQL_PATH = "/graphql"


def graphql_body(error: KgError) -> dict[str, Any]:
    """``error`` as a GraphQL response without data."""
    return {"errors": [{"message": error.message, "extensions": error.extensions}]}


def error_response(
    error: KgError,
    *,
    path: str,
    accept: str | None,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The answer to a request for ``path`` that failed with ``error`` (its status and headers
    unless given)."""
    status = error.status if status is None else status
    headers = (error.headers or None) if headers is None else headers
    if path != GRAPHQL_PATH:
        return JSONResponse(error.to_json(), status_code=status, headers=headers)
    media = GRAPHQL_RESPONSE if prefers_graphql_response(accept) else JSON
    return JSONResponse(graphql_body(error), status_code=status, headers=headers, media_type=media)
