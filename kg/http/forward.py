"""Readers and one writer: a replica given the writer's URL forwards every write to it.

kg replicas over one remote store hold no state of their own, so any number of them answer
reads. Writes are validated on the state they are committed on only if one process commits
them (``kg.writes`` serializes writes in a process; nothing serializes them across processes),
so exactly one ``kg serve`` is the writer and the others, started with ``writer_url``, send it:

* ``POST /graphql`` whose operation is a mutation (the document is parsed to tell, on a worker
  thread and within the caps the GraphQL endpoint applies: a document over ``max_document``
  characters is not parsed, the parse stops at ``max_tokens`` tokens, and JSON nested too
  deeply or variables past ``max_variable_depth`` or ``max_variable_values`` are refused here
  with 400, as the endpoint would);
* ``POST /sparql`` carrying an update (``application/sparql-update``, or a form with
  ``update``);
* ``PUT`` and ``POST /store``: a load through the writer (``kg.http.gsp``).

The request goes on as it came (body, query string, ``Content-Type``, ``Accept`` and the
caller's ``Authorization``, which the writer checks), with the writer's answer passed back as it
is. The forwarding is bounded by ``writer_timeout``. When the writer cannot be reached the
client gets 503 ``writer_unavailable`` saying nothing was written; when it was reached but did
not answer in time, 504 ``writer_unavailable`` saying the write may or may not have been made
(``changes`` tells).
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl

import httpx
from graphql import OperationDefinitionNode, OperationType, parse
from graphql.error import GraphQLError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import InputError, WriterUnavailable
from kg.graphql.checks import decode_request
from kg.http.error_shape import error_response
from kg.settings import Settings

_PASSED_ON = ("content-type", "accept", "authorization")
#: The requests that may write (method, path); which of them do is ``is_write``'s to say.
_WRITES = {("POST", "/graphql"), ("POST", "/sparql"), ("PUT", "/store"), ("POST", "/store")}
_DEFAULTS = Settings()


def is_mutation(body: bytes, content_type: str, settings: Settings = _DEFAULTS) -> bool:
    """Whether a GraphQL POST body runs a mutation (False when the document is over the
    GraphQL endpoint's caps or does not parse: the reader answers that error itself);
    ``InputError`` for a JSON body that cannot be decoded or whose variables are past their
    limits. Blocking: run it on a worker thread."""
    if content_type.startswith("application/graphql"):
        try:
            document, name = body.decode(), None
        except UnicodeDecodeError:
            return False
    else:
        payload = decode_request(body, settings)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return False
        document, name = payload["query"], payload.get("operationName")
    if len(document) > settings.max_document:
        return False
    try:
        definitions = parse(document, max_tokens=settings.max_tokens).definitions
    except (GraphQLError, RecursionError):
        return False
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if name is None or (o.name and o.name.value == name)]
    return len(chosen) == 1 and chosen[0].operation == OperationType.MUTATION


def is_update(body: bytes, content_type: str, query_string: str) -> bool:
    """Whether a SPARQL protocol POST carries an update."""
    if content_type.startswith("application/sparql-update"):
        return True
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return False
        return any(k == "update" for k, _ in pairs)
    return any(k == "update" for k, _ in parse_qsl(query_string, keep_blank_values=True))


class WriteForwarding:
    """ASGI middleware sending writes to the writer at ``writer_url``; reads stay here."""

    def __init__(
        self, app: ASGIApp, writer_url: str, timeout: float, settings: Settings = _DEFAULTS
    ) -> None:
        self.app = app
        self.settings = settings
        self.writer_url = writer_url.rstrip("/")
        self.timeout = timeout
        self.client = httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 5)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        method = str(scope.get("method"))
        if scope["type"] != "http" or (method, path) not in _WRITES:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "").lower()
        query_string = scope.get("query_string", b"").decode("latin-1")
        try:  # the body is read on a worker thread, never on the event loop
            write = await asyncio.to_thread(self.is_write, path, body, content_type, query_string)
        except InputError as exc:
            answer = error_response(exc, path=path, accept=headers.get("accept"))
            await answer(scope, receive, send)
            return
        if write:
            response = await self.forward(path, query_string, headers, body, method)
            await response(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def is_write(self, path: str, body: bytes, content_type: str, query_string: str) -> bool:
        if path == "/store":
            return True
        if path == "/graphql":
            return is_mutation(body, content_type, self.settings)
        return is_update(body, content_type, query_string)

    async def forward(
        self,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        method: str = "POST",
    ) -> Response:
        url = f"{self.writer_url}{path}" + (f"?{query_string}" if query_string else "")
        sent = {k: v for k, v in headers.items() if k in _PASSED_ON}

        def _error(message: str, status: int) -> Response:
            error = WriterUnavailable(message, writer_status=status)
            return error_response(error, path=path, accept=headers.get("accept"), status=status)

        try:
            answer = await self.client.request(method, url, content=body, headers=sent)
        except httpx.ConnectError as exc:
            return _error(
                f"the writer at {self.writer_url} cannot be reached ({type(exc).__name__}); "
                "nothing was written, retry later",
                503,
            )
        except httpx.TimeoutException:
            return _error(
                f"the writer at {self.writer_url} did not answer within {self.timeout:g} s "
                "(setting writer_timeout); the write may or may not have been made: look at "
                "the changes before retrying",
                504,
            )
        except httpx.TransportError as exc:
            return _error(
                f"the connection to the writer at {self.writer_url} failed "
                f"({type(exc).__name__}); the write may or may not have been made: look at "
                "the changes before retrying",
                502,
            )
        kept = {
            k: v
            for k, v in answer.headers.items()
            if k.lower() in ("content-type", "www-authenticate", "retry-after", "vary")
        }
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    async def aclose(self) -> None:
        await self.client.aclose()
