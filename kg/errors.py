"""Every error kg raises on purpose, with the HTTP status, exit code and GraphQL code it maps to.

    KgError                     500  exit 1   INTERNAL_SERVER_ERROR
    ├── InputError              400  exit 2   BAD_USER_INPUT: bad RDF, bad SPARQL, bad arguments
    │   ├── ParseError          400  exit 2   RDF that does not parse (with line and column)
    │   ├── QueryError          400  exit 2   SPARQL that does not parse or is not allowed
    │   ├── BadRequest          400  exit 2   BAD_REQUEST: not a GraphQL request (body, query)
    │   │   └── UnknownOperation 400 exit 2   OPERATION_RESOLUTION_FAILURE: which operation?
    │   ├── LimitExceeded       400  exit 2   a GraphQL document over one of kg's limits:
    │   │   ├── DocumentTooLarge             DOCUMENT_SIZE_LIMIT (max_document)
    │   │   ├── TokenLimit                   TOKEN_LIMIT (max_tokens)
    │   │   ├── DepthLimit                   DEPTH_LIMIT (max_depth)
    │   │   ├── AliasLimit                   ALIAS_LIMIT (max_aliases)
    │   │   ├── CostLimit                    COST_LIMIT (max_cost)
    │   │   └── PageSizeLimit                PAGE_SIZE_LIMIT (max_page_size)
    │   ├── PayloadTooLarge     413  exit 2   request body over the limit
    │   ├── HeadersTooLarge     431  exit 2   request head over the limit (size, fields)
    │   └── BodyTimeout         408  exit 2   request body not received in time
    ├── ValidationFailed        422  exit 1   SHACL_VALIDATION_FAILED: data that breaks the shapes
    ├── NotFound                404  exit 1   NOT_FOUND
    ├── MethodNotAllowed        405  exit 1   METHOD_NOT_ALLOWED
    ├── Unauthorized            401  exit 1   UNAUTHENTICATED: missing or wrong write token
    ├── WritesDisabled          403  exit 1   FORBIDDEN: no write token configured
    ├── WriteConflict           409  exit 1   WRITE_CONFLICT: the graph kept changing; retry
    ├── QueryTimeout            503  exit 1   TIMEOUT: a query ran past the time limit
    ├── QueryOutOfMemory        503  exit 1   OUT_OF_MEMORY: a query needed more than its limit
    ├── ServiceBusy             503  exit 1   BUSY: too much work queued (Retry-After), cancelled
    ├── ResultTooLarge          413  exit 1   RESULT_TOO_LARGE: a result over the row cap
    ├── StoreUnavailable        503  exit 1   STORE_UNAVAILABLE: the store does not answer
    ├── WriterUnavailable       503  exit 1   WRITER_UNAVAILABLE: the writer does not (502/504)
    ├── AssetsUnavailable       503  exit 1   ASSETS_UNAVAILABLE: playground assets missing
    └── ExportMismatch          500  exit 1   an export that does not hold what the store holds

The last column is ``graphql_code``, the ``extensions.code`` of the GraphQL error an error
becomes (PAYLOAD_TOO_LARGE and BODY_TIMEOUT for the two request errors; the whole list, with
GraphQL's own codes, is in docs/graphql.md).

Errors are translated only at the edges: one JSON handler in the HTTP app (in GraphQL's
response shape on ``/graphql``) and ``click.ClickException`` in the CLI. Exit codes follow
pySHACL: 0 conforms, 1 does not, 2 unusable.
"""

from __future__ import annotations

from typing import Any, ClassVar


class KgError(Exception):
    """Base of all kg errors."""

    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "internal_error"
    #: ``extensions.code`` of the GraphQL error this error becomes (see docs/graphql.md).
    graphql_code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    #: Extra HTTP response headers (e.g. ``WWW-Authenticate`` on 401).
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape every HTTP error has: ``{"error": {"code", "message", ...}}``."""
        return {"error": {"code": self.code, "message": self.message, **self.detail}}

    @property
    def extensions(self) -> dict[str, Any]:
        """The ``extensions`` of the GraphQL error for this error: its ``code``, and
        ``retryAfter`` (seconds) when it carries ``Retry-After``. graphql-core copies them onto
        every GraphQL error whose original error this is."""
        extensions: dict[str, Any] = {"code": self.graphql_code}
        if (retry := self.headers.get("Retry-After")) is not None:
            extensions["retryAfter"] = int(retry)
        return extensions


class InputError(KgError):
    status = 400
    exit_code = 2
    code = "bad_input"
    graphql_code = "BAD_USER_INPUT"


class ParseError(InputError):
    code = "parse_error"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                source,
                f"line {line}" if line is not None else None,
                f"column {column}" if column is not None else None,
            )
            if part
        )
        super().__init__(
            f"{where}: {message}" if where else message, source=source, line=line, column=column
        )


class QueryError(InputError):
    code = "query_error"


class BadRequest(InputError):
    """An HTTP request that is not a GraphQL request kg can run: a body that is not JSON, no
    ``query``, a content type kg does not read."""

    graphql_code = "BAD_REQUEST"


class UnknownOperation(BadRequest):
    """The document has no operation of the name asked for, or several and no name."""

    graphql_code = "OPERATION_RESOLUTION_FAILURE"


class LimitExceeded(InputError):
    """A GraphQL document over one of kg's limits (settings ``max_*``)."""

    code = "limit_exceeded"
    graphql_code = "LIMIT_EXCEEDED"


class DocumentTooLarge(LimitExceeded):
    graphql_code = "DOCUMENT_SIZE_LIMIT"


class TokenLimit(LimitExceeded):
    graphql_code = "TOKEN_LIMIT"


class DepthLimit(LimitExceeded):
    graphql_code = "DEPTH_LIMIT"


class AliasLimit(LimitExceeded):
    graphql_code = "ALIAS_LIMIT"


class CostLimit(LimitExceeded):
    graphql_code = "COST_LIMIT"


class PageSizeLimit(LimitExceeded):
    graphql_code = "PAGE_SIZE_LIMIT"


class PayloadTooLarge(InputError):
    status = 413
    code = "payload_too_large"
    graphql_code = "PAYLOAD_TOO_LARGE"


class HeadersTooLarge(InputError):
    status = 431
    code = "headers_too_large"


class BodyTimeout(InputError):
    status = 408
    code = "body_timeout"
    graphql_code = "BODY_TIMEOUT"


class ValidationFailed(KgError):
    status = 422
    code = "validation_failed"
    graphql_code = "SHACL_VALIDATION_FAILED"


class NotFound(KgError):
    status = 404
    code = "not_found"
    graphql_code = "NOT_FOUND"


class MethodNotAllowed(KgError):
    status = 405
    code = "method_not_allowed"
    graphql_code = "METHOD_NOT_ALLOWED"


class Unauthorized(KgError):
    status = 401
    code = "unauthorized"
    graphql_code = "UNAUTHENTICATED"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="kg"'}


class WritesDisabled(KgError):
    status = 403
    code = "writes_disabled"
    graphql_code = "FORBIDDEN"


class WriteConflict(KgError):
    """Other writers got in the way of a write: the history kept changing under it and it was
    re-planned too many times (``kg.writes.commit.ATTEMPTS``)."""

    status = 409
    code = "write_conflict"
    graphql_code = "WRITE_CONFLICT"


class QueryTimeout(KgError):
    status = 503
    code = "query_timeout"
    graphql_code = "TIMEOUT"


class QueryOutOfMemory(KgError):
    status = 503
    code = "query_out_of_memory"
    graphql_code = "OUT_OF_MEMORY"


class ServiceBusy(KgError):
    """Too many requests are running or waiting; the client should retry (``Retry-After``)."""

    status = 503
    code = "busy"
    graphql_code = "BUSY"
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class ResultTooLarge(KgError):
    status = 413
    code = "result_too_large"
    graphql_code = "RESULT_TOO_LARGE"


class StoreUnavailable(KgError):
    status = 503
    code = "store_unavailable"
    graphql_code = "STORE_UNAVAILABLE"


class WriterUnavailable(KgError):
    """A replica could not get a write to the writer (``kg.http.forward``); the status it answers
    (503 not reached, 504 no answer in time, 502 connection lost) is in ``writer_status``."""

    status = 503
    code = "writer_unavailable"
    graphql_code = "WRITER_UNAVAILABLE"


class AssetsUnavailable(KgError):
    """The playground's browser assets could not be fetched, or failed their integrity check."""

    status = 503
    code = "assets_unavailable"
    graphql_code = "ASSETS_UNAVAILABLE"


class ExportMismatch(KgError):
    """An export (``kg export``) whose statements, read back, are not the store's: a wrong Graph
    Store URL, a cut stream, or a store written to meanwhile. Nothing is left at the output."""

    code = "export_mismatch"


def for_status(status: int, message: str) -> KgError:
    """The kg error for an HTTP error status another library raised (Starlette, strawberry)."""
    kinds: dict[int, type[KgError]] = {
        400: InputError,
        404: NotFound,
        405: MethodNotAllowed,
        408: BodyTimeout,
        413: PayloadTooLarge,
    }
    error = kinds.get(status, InputError if 400 <= status < 500 else KgError)(message)
    if status not in kinds:
        error.detail["status"] = status
    return error
