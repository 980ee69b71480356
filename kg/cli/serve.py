"""``kg serve``: seed an empty store, then run the app under uvicorn.

With one worker (the default) the app is built here from the settings object and handed to
uvicorn: nothing goes through the environment. With ``--workers N`` uvicorn starts N processes,
each importing an app factory (``app_for_worker``): the settings reach them as a JSON file
readable by this user only (``KG_SETTINGS_FILE`` names it; removed when the server stops), with
their types and secrets intact, not as ``KG_*`` strings every child process would inherit. The
workers share nothing but the store; the embedded on-disk store can be opened by one process
only, so several workers need a remote store (``KG_STORE=http://...``).

Serving an embedded on-disk store, ``kg serve`` records its URL and process id beside the store
(``kg.store.serving``) until it stops, so the other commands reach the store through it.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import logging
import os
import shutil
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

import click
import uvicorn
from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG
from uvicorn.logging import DefaultFormatter
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.errors import InputError, KgError
from kg.http.app import create_app
from kg.http.headers import HEADERS
from kg.http.limits import head_too_large
from kg.model.text import SafeFormatter
from kg.settings import Settings
from kg.store import opening, serving

log = logging.getLogger("kg.serve")


def is_remote(settings: Settings) -> bool:
    return settings.store_location.startswith(("http://", "https://"))


#: The environment variable naming the settings file of the workers (``--workers N``).
SETTINGS_FILE = "KG_SETTINGS_FILE"
_settings: Settings | None = None


def worker_settings() -> Settings:
    """The settings of this server: given by ``serve`` in this process, or read from the file
    ``serve`` wrote for its workers."""
    global _settings
    if _settings is None:
        path = os.environ.get(SETTINGS_FILE)
        _settings = read_settings(Path(path)) if path else Settings.load()
    return _settings


def write_settings(settings: Settings) -> Path:
    """``settings`` as JSON in a new directory only this user can read."""
    path = Path(tempfile.mkdtemp(prefix="kg-settings-")) / "settings.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(dataclasses.asdict(settings), out)
    return path


def read_settings(path: Path) -> Settings:
    return Settings(**json.loads(path.read_text()))


def app_for(settings: Settings) -> Starlette:
    """The app over ``settings``' store; the store ``memory`` is made and seeded here (a
    temporary store of this process only)."""
    if settings.store_location != "memory":
        return create_app(settings)
    return create_app(settings, store=opening.open_seeded(settings))


def app_for_worker() -> Starlette:
    """The app factory each uvicorn worker calls (``--workers N``)."""
    return app_for(worker_settings())


def seed(settings: Settings) -> bool:
    """Load the ontology and the article graph when the store is empty (and load_article), once
    before the workers start; the store ``memory`` is seeded by ``app_for``."""
    return settings.store_location != "memory" and opening.seed(settings)


class LogFormatter(SafeFormatter, DefaultFormatter):
    """uvicorn's layout, every record on a line of its own (``kg.model.text.SafeFormatter``)."""


class HeadDeadline(HttpToolsProtocol):
    """uvicorn's HTTP protocol, closing connections whose request head comes too slowly or is
    too large.

    uvicorn waits for a request line and headers as long as the client likes, so slowloris
    clients (a header line now and then) could hold every connection. Here the head must be
    complete within ``header_timeout`` seconds of the connection's start or of the first byte
    of its next request; otherwise the connection is closed.

    Nor do httptools (llhttp) or uvicorn bound the size of a head: the parser would keep
    whatever it is sent until the blank line. Here a head still incomplete after
    ``max_header_bytes`` bytes is answered 431 at once; the rest of what the client sends is
    read and dropped for a moment (so it reads the answer rather than a reset), then the
    connection is closed. The app checks the count of fields and the ``Accept`` header
    (``kg.http.limits.HeadLimit``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = worker_settings()
        self.head_timeout = settings.header_timeout
        self.max_head = settings.max_header_bytes
        self.head_timer: asyncio.TimerHandle | None = None
        self.head_bytes = 0
        self.refused = False

    def _expect_head(self) -> None:
        if self.head_timer is None:
            self.head_bytes = 0
            self.head_timer = self.loop.call_later(self.head_timeout, self._head_expired)

    def _head_expired(self) -> None:
        self.head_timer = None
        log.info("closed a connection whose request head took over %gs", self.head_timeout)
        self.transport.close()

    def _head_arrived(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return  # the head was refused: what follows is dropped
        super().data_received(data)
        if self.head_timer is not None and not self.transport.is_closing():
            self.head_bytes += len(data)  # the head is still incomplete after this chunk
            if self.head_bytes > self.max_head:
                self._refuse_head()

    def _refuse_head(self) -> None:
        self._head_arrived()
        self.refused = True
        error = head_too_large(self.max_head)
        log.info("refused a request head of over %d bytes", self.max_head)
        self.transport.write(raw_response(error))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(_LINGER, self.transport.close)

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


#: Seconds a connection whose head was refused stays open, its input dropped.
_LINGER = 1.0


def raw_response(error: KgError) -> bytes:
    """An HTTP/1.1 answer carrying ``error`` in kg's JSON shape, closing the connection."""
    body = json.dumps(error.to_json()).encode("utf-8")
    reason = HTTPStatus(error.status).phrase
    head = [f"HTTP/1.1 {error.status} {reason}", "content-type: application/json"]
    head += [f"{name.lower()}: {value}" for name, value in HEADERS.items()]
    head += [f"content-length: {len(body)}", "connection: close", "", ""]
    return "\r\n".join(head).encode("latin-1") + body


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration, with kg's own loggers printed alongside.

    Records of kg and uvicorn's error log go through :class:`LogFormatter`, so text from a
    request (an argument, a query, an exception's message) cannot start a line of its own.
    uvicorn's access log quotes the path itself.
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["default"]["()"] = f"{__name__}.LogFormatter"
    config["loggers"]["kg"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    # The access log: one JSON object a line on standard output (kg.http.access), in place of
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


def base_url(settings: Settings, *, connect: bool = False) -> str:
    """The service's base URL; with ``connect``, the one a client on this machine reaches
    (a wildcard address, 0.0.0.0 or ::, becomes the loopback address)."""
    host = settings.host
    if connect:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    host = host if ":" not in host else f"[{host}]"
    return f"http://{host}:{settings.port}"


def urls(settings: Settings) -> list[str]:
    base = base_url(settings)
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
    global _settings
    _settings = settings
    app: Starlette | str = "kg.cli.serve:app_for_worker"
    settings_file = None
    if settings.workers == 1:
        app = app_for(settings)
    else:
        settings_file = write_settings(settings)
        os.environ[SETTINGS_FILE] = str(settings_file)
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # The workers count into one directory, so /metrics sums them all.
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="kg-metrics-")
    click.echo(f"kg: store {settings.store_location}")
    for line in urls(settings):
        click.echo(f"kg: {line}")
    # The other commands, finding the embedded store held by this process, come here.
    recorded = opening.is_local(settings.store_location)
    if recorded:
        serving.publish(settings.store_location, base_url(settings, connect=True))
    try:
        uvicorn.run(
            app,
            factory=isinstance(app, str),
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=log_config(),
            access_log=False,
            timeout_graceful_shutdown=5,
            # Slow clients: heads and bodies have deadlines, heads a size (HeadDeadline,
            # kg.http.deadlines, kg.http.limits), idle
            # connections close after keep_alive_timeout, and past max_connections, 503.
            http=HeadDeadline,
            timeout_keep_alive=settings.keep_alive_timeout,
            limit_concurrency=settings.max_connections,
        )
    finally:
        if recorded:
            serving.withdraw(settings.store_location)
        if settings_file is not None:
            shutil.rmtree(settings_file.parent, ignore_errors=True)
