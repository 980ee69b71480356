"""Every error kg raises on purpose, with the HTTP status and exit code it maps to.

    KgError                     500  exit 1
    ├── InputError              400  exit 2   unusable input: bad RDF, bad SPARQL, bad arguments
    │   ├── ParseError          400  exit 2   RDF that does not parse (with line and column)
    │   ├── QueryError          400  exit 2   SPARQL that does not parse or is not allowed
    │   ├── PayloadTooLarge     413  exit 2   request body over the limit
    │   ├── HeadersTooLarge     431  exit 2   request head over the limit (size, fields)
    │   └── BodyTimeout         408  exit 2   request body not received in time
    ├── ValidationFailed        422  exit 1   data that breaks the shapes (carries the report)
    ├── NotFound                404  exit 1
    ├── MethodNotAllowed        405  exit 1
    ├── Unauthorized            401  exit 1   missing or wrong write token
    ├── WritesDisabled          403  exit 1   no write token configured
    ├── WriteConflict           409  exit 1   the graph kept changing under a write; retry
    ├── QueryTimeout            503  exit 1   a query ran past the time limit
    ├── QueryOutOfMemory        503  exit 1   a query needed more than its memory limit
    ├── ServiceBusy             503  exit 1   too much work queued (Retry-After), or cancelled
    ├── ResultTooLarge          413  exit 1   a result over the row cap
    ├── StoreUnavailable        503  exit 1   the store does not answer
    ├── WriterUnavailable       503  exit 1   the writer replica does not answer (502/504 too)
    └── AssetsUnavailable       503  exit 1   playground assets not fetched or not verified

Errors are translated only at the edges: one JSON handler in the HTTP app and
``click.ClickException`` in the CLI. Exit codes follow pySHACL: 0 conforms, 1 does not, 2 unusable.
"""

from __future__ import annotations

from typing import Any, ClassVar


class KgError(Exception):
    """Base of all kg errors."""

    status: ClassVar[int] = 500
    exit_code: ClassVar[int] = 1
    code: ClassVar[str] = "internal_error"
    #: Extra HTTP response headers (e.g. ``WWW-Authenticate`` on 401).
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_json(self) -> dict[str, Any]:
        """The one JSON shape every HTTP error has: ``{"error": {"code", "message", ...}}``."""
        return {"error": {"code": self.code, "message": self.message, **self.detail}}


class InputError(KgError):
    status = 400
    exit_code = 2
    code = "bad_input"


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


class PayloadTooLarge(InputError):
    status = 413
    code = "payload_too_large"


class HeadersTooLarge(InputError):
    status = 431
    code = "headers_too_large"


class BodyTimeout(InputError):
    status = 408
    code = "body_timeout"


class ValidationFailed(KgError):
    status = 422
    code = "validation_failed"


class NotFound(KgError):
    status = 404
    code = "not_found"


class MethodNotAllowed(KgError):
    status = 405
    code = "method_not_allowed"


class Unauthorized(KgError):
    status = 401
    code = "unauthorized"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer realm="kg"'}


class WritesDisabled(KgError):
    status = 403
    code = "writes_disabled"


class WriteConflict(KgError):
    """Other writers got in the way of a write: the history kept changing under it and it was
    re-planned too many times (``kg.writes.commit.ATTEMPTS``)."""

    status = 409
    code = "write_conflict"


class QueryTimeout(KgError):
    status = 503
    code = "query_timeout"


class QueryOutOfMemory(KgError):
    status = 503
    code = "query_out_of_memory"


class ServiceBusy(KgError):
    """Too many requests are running or waiting; the client should retry (``Retry-After``)."""

    status = 503
    code = "busy"
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


class ResultTooLarge(KgError):
    status = 413
    code = "result_too_large"


class StoreUnavailable(KgError):
    status = 503
    code = "store_unavailable"


class WriterUnavailable(KgError):
    """A replica could not get a write to the writer (``kg.http.forward``); the status it answers
    (503 not reached, 504 no answer in time, 502 connection lost) is in ``writer_status``."""

    status = 503
    code = "writer_unavailable"


class AssetsUnavailable(KgError):
    """The playground's browser assets could not be fetched, or failed their integrity check."""

    status = 503
    code = "assets_unavailable"


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
