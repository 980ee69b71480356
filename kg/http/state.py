"""What every request handler of the kg app reads: the settings, the store and the admission
bounds (``AppState``, set on the app by ``kg.http.app.create_app``), and the
write-token check for a request."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import HTTPConnection

from kg.http.limits import Admission
from kg.settings import Settings
from kg.store.protocol import Store
from kg.writes.auth import require_write_token


@dataclass
class AppState:
    """What every request handler needs: the settings and the store."""

    settings: Settings
    store: Store
    #: Bounds the SPARQL requests at work and waiting (``query_workers``, ``max_queued``).
    sparql_admission: Admission
    #: Bounds the exports (``/export``, ``/store``) streaming at once (``max_exports``).
    export_admission: Admission


def state_of(request: HTTPConnection) -> AppState:
    state = request.app.state.kg
    assert isinstance(state, AppState)
    return state


def require_writer(request: HTTPConnection) -> None:
    """``kg.writes.auth.require_write_token`` for a request of the kg app."""
    require_write_token(state_of(request).settings, request.headers.get("authorization"))
