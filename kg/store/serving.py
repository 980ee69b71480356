"""The record of a ``kg serve`` serving an embedded on-disk store: where it answers.

The embedded store is a RocksDB database that one process opens at a time. ``kg serve`` holds
it while it runs, so the other commands (``kg query``, ``kg sparql``, ``kg export``,
``kg validate``, ``kg load``) cannot open it; they go through the running service instead. To
find it, ``kg serve`` writes a small JSON file with its base URL and process id:

* ``<store>/serving.json`` in a store directory (beside ``CURRENT-GENERATION``);
* ``<store>.serving.json`` beside a plain pyoxigraph database directory (as its snapshots).

The file is written when the service starts (after the store is seeded) and removed when it
stops. A file whose process is gone (a server killed with kill -9) is stale: :func:`find`
ignores it, and the next ``kg serve`` replaces it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kg.store import generations

NAME = "serving.json"


@dataclass(frozen=True)
class Service:
    """A running ``kg serve``: its base URL (``http://127.0.0.1:8000``) and process id."""

    url: str
    pid: int

    @property
    def sparql_url(self) -> str:
        return f"{self.url}/sparql"


def record_path(location: str | Path) -> Path:
    """Where the record of a service over the store at ``location`` is kept."""
    path = Path(location)
    if generations.is_plain_database(path):
        return path.with_name(f"{path.name}.{NAME}")
    return path / NAME


def publish(location: str | Path, url: str) -> Path:
    """Record that this process serves the store at ``location`` at ``url`` (replacing a stale
    record); returns the record's path."""
    path = record_path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, tmp = tempfile.mkstemp(prefix=".serving-", dir=path.parent)
    with os.fdopen(descriptor, "w") as out:
        json.dump({"url": url.rstrip("/"), "pid": os.getpid()}, out)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    return path


def withdraw(location: str | Path) -> None:
    """Remove the record of this process (a record another process wrote since is kept)."""
    path = record_path(location)
    found = read(path)
    if found is not None and found.pid == os.getpid():
        path.unlink(missing_ok=True)


def read(path: Path) -> Service | None:
    """The service the record at ``path`` names, alive or not; None without a usable record."""
    try:
        data = json.loads(path.read_text())
        return Service(url=str(data["url"]), pid=int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find(location: str | Path) -> Service | None:
    """The running service recorded for the store at ``location`` (None when there is no record
    or its process is gone)."""
    found = read(record_path(location))
    return found if found is not None and is_running(found.pid) else None


def is_running(pid: int) -> bool:
    """Whether a process ``pid`` exists (owned by anyone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
