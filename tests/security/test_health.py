"""/healthz tells a load balancer the truth: not ready (503, a reason, Retry-After) while no query
can be taken; /livez only says the process runs. In-process, on the embedded store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from kg.http.app import create_app
from kg.http.state import AppState
from kg.settings import Settings
from kg.store import engines, querypool
from kg.store.opening import open_store
from kg.store.protocol import Store
from kg.store.remote import RemoteStore
from tests.asgi import AppClient
from tests.plugins.server import free_port


class _Unreachable:
    """A store that does not answer."""

    def ask(self, query: str, *, timeout: float | None = None) -> bool:
        raise OSError("connection refused")


@pytest.fixture
def memory() -> Iterator[Store]:
    opened = open_store("memory")
    yield opened
    opened.close()


def app_with(store: Store, **settings: object) -> Starlette:
    return create_app(Settings(load_article=False, **settings), store=store)  # type: ignore[arg-type]


def test_ready_and_alive(memory: Store) -> None:
    http = AppClient(app_with(memory))
    assert http.get("/healthz").json() == {"status": "ok", "store": "answering"}
    assert http.get("/livez").json() == {"status": "alive"}


def test_not_ready_while_the_sparql_requests_are_at_their_bound(memory: Store) -> None:
    app = app_with(memory, query_workers=1, max_queued=1)
    http = AppClient(app)
    admission = state_of_app(app).sparql_admission
    with admission.slot("SPARQL"), admission.slot("SPARQL"):
        answer = http.get("/healthz")
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
        assert answer.json()["reason"] == "busy" and "max_queued" in answer.json()["detail"]
        assert http.get("/livez").status_code == 200
        assert http.post("/sparql", data={"query": "ASK {}"}).status_code == 503
    assert http.get("/healthz").status_code == 200


@pytest.mark.slow
def test_not_ready_while_every_query_worker_is_busy_and_the_queue_is_full(memory: Store) -> None:
    """One worker, no queue: while a call holds the worker, /healthz says busy; after, ok."""
    http = AppClient(app_with(memory, query_workers=1, max_queued=0))
    pool = querypool.pool()
    holding = threading.Thread(target=pool.call, args=(time.sleep, 1.5), kwargs={"timeout": 60})
    holding.start()
    try:
        deadline = time.monotonic() + 30
        while pool.load()[0] < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        answer = http.get("/healthz")
        assert answer.status_code == 503, answer.text
        assert answer.json()["reason"] == "busy" and "query worker" in answer.json()["detail"]
        assert answer.headers["retry-after"] == "1"
    finally:
        holding.join()
    assert http.get("/healthz").status_code == 200


def test_not_ready_while_the_store_does_not_answer(memory: Store) -> None:
    app = app_with(memory)
    state_of_app(app).store = _Unreachable()  # type: ignore[assignment]
    http = AppClient(app)
    answer = http.get("/healthz")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert answer.json() == {
        "status": "unavailable",
        "reason": "store",
        "detail": "the store does not answer",
    }
    assert http.get("/livez").status_code == 200


def test_the_store_is_asked_at_most_once_a_second(memory: Store) -> None:
    asked: list[float] = []

    class Counted:
        def ask(self, query: str, *, timeout: float | None = None) -> bool:
            asked.append(time.monotonic())
            return True

    app = app_with(memory)
    state_of_app(app).store = Counted()  # type: ignore[assignment]
    http = AppClient(app)
    for _ in range(20):
        assert http.get("/healthz").status_code == 200
    assert 1 <= len(asked) <= 2


def state_of_app(app: Starlette) -> AppState:
    state = app.state.kg
    assert isinstance(state, AppState)
    return state


def test_not_ready_while_a_remote_store_does_not_answer(memory: Store) -> None:
    """An Oxigraph (any SPARQL server) that is gone: nothing listens at its address."""
    gone = RemoteStore(f"http://127.0.0.1:{free_port()}/query", engine=engines.OXIGRAPH)
    try:
        answer = AppClient(app_with(gone)).get("/healthz")
    finally:
        gone.close()
    assert answer.status_code == 503 and answer.json()["reason"] == "store"
