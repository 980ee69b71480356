"""A TCP listener on loopback that counts the connections it receives.

Tests that must prove the server makes no outgoing request (SPARQL ``SERVICE``, ``LOAD``) point
it at this listener and assert it received nothing.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest


class Listener:
    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> int:
        """Stop listening, after a grace second for a late connection; the count received."""
        if not self._stop.is_set():
            time.sleep(1.0)
            self._stop.set()
            self._thread.join()
            self.sock.close()
        return self.connections


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()
