"""``kg serve``: seed an empty store, then run the app under uvicorn.

The settings reach every worker through the environment (``KG_*``): with ``--workers N``
uvicorn starts N processes, and each builds its own app with ``app_from_env`` (an app factory),
so they share nothing but the store. The embedded on-disk store can be opened by one process
only, so several workers need a remote store (``KG_STORE=http://...``).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import tempfile
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import DefaultFormatter
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.errors import InputError
from kg.http.app import create_app
from kg.model.text import SafeFormatter
from kg.settings import SETTINGS, Settings
from kg.store.opening import ensure_seeded, open_store, store_for

log = logging.getLogger("kg.serve")


def is_remote(settings: Settings) -> bool:
    return settings.store_location.startswith(("http://", "https://"))


def to_env(settings: Settings) -> dict[str, str]:
    """The ``KG_*`` variables that make ``Settings.load()`` give back ``settings``."""
    env: dict[str, str] = {}
    for s in SETTINGS:
        value = getattr(settings, s.name)
        if value is None:
            continue
        env[f"KG_{s.name.upper()}"] = (
            ("true" if value else "false") if isinstance(value, bool) else str(value)
        )
    return env


def app_from_env() -> Starlette:
    """The app factory each uvicorn worker calls: settings from the environment."""
    settings = Settings.load()
    if settings.store_location != "memory":
        return create_app(settings)
    # An in-memory store lives in this process only: seed it here, not before the start.
    store = open_store("memory")
    if settings.load_article:
        ensure_seeded(store)
    return create_app(settings, store=store)


def seed(settings: Settings) -> bool:
    """Load the ontology and the article graph when the store is empty (and load_article)."""
    if not settings.load_article or settings.store_location == "memory":
        return False
    store = store_for(settings)
    try:
        return ensure_seeded(store)
    finally:
        store.close()


class LogFormatter(SafeFormatter, DefaultFormatter):
    """uvicorn's layout, every record on a line of its own (``kg.model.text.SafeFormatter``)."""


class HeadDeadline(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections whose request head comes too slowly.

    uvicorn waits for a request line and headers as long as the client likes, so slowloris
    clients (a header line now and then) could hold every connection. Here the head must be
    complete within ``header_timeout`` seconds of the connection's start or of the first byte
    of its next request; otherwise the connection is closed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_timeout = Settings.load().header_timeout
        self.head_timer: asyncio.TimerHandle | None = None

    def _expect_head(self) -> None:
        if self.head_timer is None:
            self.head_timer = self.loop.call_later(self.head_timeout, self._head_expired)

    def _head_expired(self) -> None:
        self.head_timer = None
        log.info("closed a connection whose request head took over %gs", self.head_timeout)
        self.transport.close()

    def _head_arrived(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._expect_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._expect_head()

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._head_arrived()  # idle now: uvicorn's keep-alive timeout takes over

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with kg's own loggers printed alongside.

    Records of kg and uvicorn's error log go through :class:`LogFormatter`, so text from a
    request (an argument, a query, an exception's message) cannot start a line of its own.
    uvicorn's access log quotes the path itself.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = f"{__name__}.LogFormatter"
    config["loggers"]["kg"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # The access log: one JSON object a line on standard output (kg.store.metrics), in place of
    # uvicorn's own access lines.
    config["formatters"]["kg_json"] = {"format": "%(message)s"}
    config["handlers"]["kg_access"] = {
        "formatter": "kg_json",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["kg.access"] = {
        "handlers": ["kg_access"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def urls(settings: Settings) -> list[str]:
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    base = f"http://{host}:{settings.port}"
    return [
        f"GraphQL     {base}/graphql",
        f"SPARQL      {base}/sparql",
        f"Export      {base}/export",
        f"Ontology    {base}/ontology   Shapes {base}/shapes",
        f"Health      {base}/healthz   Metrics {base}/metrics",
        f"Home        {base}/",
    ]


def serve(settings: Settings) -> None:
    """Seed the store if it is empty, print the URLs, and serve until interrupted."""
    if settings.workers < 1:
        raise InputError("--workers must be at least 1")
    if settings.workers > 1 and not is_remote(settings):
        raise InputError(
            "--workers > 1 needs a remote store (KG_STORE=http://.../query): the embedded "
            "on-disk store can be opened by one process only"
        )
    if settings.workers > 1 and settings.write_token and not settings.writer_url:
        raise InputError(
            "--workers > 1 with a write token would make several processes commit writes: "
            "run one writer process (--workers 1) and give the other replicas writer_url"
        )
    if seed(settings):
        click.echo(f"kg: loaded the ontology and the article graph into {settings.store_location}")
    os.environ.update(to_env(settings))
    if settings.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The workers count into one directory, so /metrics sums them all (kg.store.metrics).
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kg-metrics-")
    click.echo(f"kg: store {settings.store_location}")
    for line in urls(settings):
        click.echo(f"kg: {line}")
    uvicorn.run(
        "kg.cli.serve:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=log_config(),
        access_log=False,
        timeout_graceful_shutdown=5,
        # Slow clients: heads and bodies have deadlines (HeadDeadline, kg.deadlines), idle
        # connections close after keep_alive_timeout, and past max_connections, 503.
        http=HeadDeadline,
        timeout_keep_alive=settings.keep_alive_timeout,
        limit_concurrency=settings.max_connections,
    )
