"""``/livez`` and ``/healthz``: whether the process runs, and whether it can take queries now.

* ``GET /livez``: 200 ``{"status": "alive"}`` while the process runs its event loop. It looks
  at nothing else, so a liveness probe restarts a process that hangs, never one that is busy.
* ``GET /healthz``: readiness. 200 ``{"status": "ok", "store": "answering"}``, or 503 with
  ``{"status": "unavailable", "reason": ...}`` and ``Retry-After`` while the service cannot
  take queries:

  - ``busy``: every query worker process is at work and as many calls wait for one as
    ``max_queued`` allows, or the SPARQL requests at work and waiting are at their bound
    (``query_workers`` + ``max_queued``): the next query would wait past its time or be refused
    (``Retry-After: 1``);
  - ``store``: the store does not answer ``ASK`` within ``STORE_TIMEOUT`` seconds
    (``Retry-After: 5``).

  A reader replica's writer is not asked: while it is down, reads go on and writes are refused
  with 503 ``writer_unavailable`` (docs/deployment.md), so a reader stays ready.

The load is read from counters (no store call, nothing waits); the store check runs on a worker
thread, one at a time for the whole app, and its answer is kept ``FRESH`` seconds, so however
often ``/healthz`` is asked, the store is asked at most once a second.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from kg.http.state import AppState, state_of
from kg.store import querypool
from kg.store.protocol import Store

log = logging.getLogger("kg")

#: Seconds the store has to answer the health check's ``ASK``.
STORE_TIMEOUT = 5.0
#: Seconds a store check's answer is reused.
FRESH = 1.0


class StoreCheck:
    """Whether the store answers: one check at a time, its answer kept ``FRESH`` seconds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._checked_at = float("-inf")
        self._answering = True
        self._running: asyncio.Future[bool] | None = None

    async def answering(self) -> bool:
        loop = asyncio.get_running_loop()
        if loop.time() - self._checked_at < FRESH:
            return self._answering
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self._check())
        return await asyncio.shield(self._running)

    async def _check(self) -> bool:
        try:
            # In this process (not a query worker: those may all be busy), bounded here.
            await asyncio.wait_for(
                run_in_threadpool(self.store.ask, "ASK { ?s ?p ?o }"), STORE_TIMEOUT
            )
            answering = True
        except Exception as exc:  # the health check reports any failure of the store
            log.warning("health check failed: the store does not answer: %s", exc)
            answering = False
        self._checked_at, self._answering = asyncio.get_running_loop().time(), answering
        return answering


def busy(state: AppState) -> str | None:
    """Why a query sent now would not be taken, or None."""
    admission = state.sparql_admission
    if admission.full:
        return (
            f"{admission.running + admission.queued} SPARQL requests are at work or waiting, "
            "the bound (settings query_workers and max_queued)"
        )
    pool = querypool.pool()
    running, waiting = pool.load()
    if running >= pool.size and waiting >= state.settings.max_queued:
        return (
            f"every query worker process is busy ({pool.size}, setting query_workers) and "
            f"{waiting} calls wait for one (setting max_queued: {state.settings.max_queued})"
        )
    return None


def _unavailable(reason: str, detail: str, retry_after: int) -> Response:
    return JSONResponse(
        {"status": "unavailable", "reason": reason, "detail": detail},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


async def healthz(request: Request) -> Response:
    state = state_of(request)
    why = busy(state)
    if why is not None:
        return _unavailable("busy", why, 1)
    check = getattr(request.app.state, "store_check", None)
    if not isinstance(check, StoreCheck):
        check = request.app.state.store_check = StoreCheck(state.store)
    if not await check.answering():
        return _unavailable("store", "the store does not answer", 5)
    return JSONResponse({"status": "ok", "store": "answering"})


async def livez(request: Request) -> Response:
    return JSONResponse({"status": "alive"})


def routes() -> list[BaseRoute]:
    return [Route("/healthz", healthz, methods=["GET"]), Route("/livez", livez, methods=["GET"])]
