"""``extensions.code`` on every GraphQL error, so clients can branch on it (docs/graphql.md).

An error kg raises carries its own code, ``KgError.graphql_code`` (graphql-core copies the
original error's ``extensions`` onto the GraphQL error). The others are GraphQL's own errors,
named as Apollo names them:

* ``GRAPHQL_PARSE_FAILED``: the document does not parse;
* ``GRAPHQL_VALIDATION_FAILED``: it breaks GraphQL's validation rules (``kg.graphql.checks``
  marks them);
* ``BAD_USER_INPUT``: variables that do not coerce to their types (the only errors GraphQL
  itself raises once a document is valid);
* ``INTERNAL_SERVER_ERROR``: an unexpected error, masked for the client as ``Unexpected
  error.`` (and logged).
"""

from __future__ import annotations

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import MaskErrors

from kg.errors import InputError, KgError

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = InputError.graphql_code
INTERNAL = KgError.graphql_code


def expected(error: GraphQLError) -> bool:
    """Errors a client may see: GraphQL's own and kg's expected ones."""
    original = error.original_error
    return original is None or isinstance(original, KgError | GraphQLError)


def code_of(error: GraphQLError) -> str:
    """The code of ``error``: the one it carries, its original error's, or GraphQL's own."""
    code = error.extensions.get("code") if error.extensions else None
    if isinstance(code, str):
        return code
    original = error.original_error
    if isinstance(original, KgError):
        return original.graphql_code
    if isinstance(original, GraphQLError):
        return code_of(original)
    if original is not None:
        return INTERNAL
    if isinstance(error, GraphQLSyntaxError):
        return PARSE_FAILED
    return BAD_USER_INPUT


def mark(errors: list[GraphQLError], code: str | None = None) -> list[GraphQLError]:
    """``errors``, each with its ``extensions.code`` (``code``, or :func:`code_of` it)."""
    for error in errors:
        error.extensions = {**(error.extensions or {}), "code": code or code_of(error)}
    return errors


class Masked(MaskErrors):
    """strawberry's ``MaskErrors`` for unexpected errors, the masked ones coded
    ``INTERNAL_SERVER_ERROR``."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: not expected(error))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": INTERNAL}
        return masked
