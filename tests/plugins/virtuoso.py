"""A real Virtuoso 7 server (Debian's ``virtuoso-opensource``) on loopback, once per session.

``start_virtuoso(directory)`` writes a ``virtuoso.ini`` from the packaged one with the database
in ``directory``, free ports for SQL and HTTP, a server-side row cap of ``MAX_ROWS`` (Virtuoso's
``ResultSetMaxRows``; the packaged 10,000 would cut kg's exports short), then grants SPARQL
Update to the anonymous SPARQL user with ``isql-vt`` (the recipe in docs/sparql.md). Its ``.url``
is the query and update endpoint, ``http://127.0.0.1:<port>/sparql``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

PACKAGED_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
#: The server's own cap on result rows (tests of the cap go past it).
MAX_ROWS = 20_000
START_TIMEOUT = 90.0


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        return "virtuoso-t/isql-vt missing: apt-get install virtuoso-opensource (.ci/run does)"
    if not PACKAGED_INI.is_file():
        return f"{PACKAGED_INI} missing: apt-get install virtuoso-opensource"
    return None


@dataclass
class VirtuosoServer:
    process: subprocess.Popen[bytes]
    port: int
    sql_port: int
    location: Path

    engine = "virtuoso"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base}/sparql"

    def isql(self, statements: str, timeout: float = 60) -> str:
        """Run SQL statements with ``isql-vt`` as dba; their output."""
        done = subprocess.run(
            ["isql-vt", str(self.sql_port), "dba", "dba", f"exec={statements}"],
            check=True,
            capture_output=True,
            timeout=timeout,
            text=True,
        )
        return done.stdout

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _ini(directory: Path, port: int, sql_port: int, dirs_allowed: list[Path]) -> str:
    text = PACKAGED_INI.read_text()
    text = text.replace("/var/lib/virtuoso-opensource-7/db/", f"{directory}/")
    sections = re.split(r"(?m)^(?=\[)", text)
    out = []
    for section in sections:
        if section.startswith("[Parameters]"):
            section = re.sub(r"(?m)^ServerPort\s*=.*$", f"ServerPort = {sql_port}", section)
            extra = "".join(f", {d}" for d in dirs_allowed)
            section = re.sub(r"(?m)^(DirsAllowed\s*=.*)$", rf"\g<1>{extra}", section)
        elif section.startswith("[HTTPServer]"):
            section = re.sub(r"(?m)^ServerPort\s*=.*$", f"ServerPort = {port}", section)
            section = re.sub(
                r"(?m)^(ServerThreads|MaxClientConnections)\s*=.*$", r"\1 = 20", section
            )
        elif section.startswith("[SPARQL]"):
            section = re.sub(
                r"(?m)^ResultSetMaxRows\s*=.*$", f"ResultSetMaxRows = {MAX_ROWS}", section
            )
        out.append(section)
    return "".join(out)


def start_virtuoso(
    directory: Path, port: int, sql_port: int, dirs_allowed: list[Path] | None = None
) -> VirtuosoServer:
    """Start ``virtuoso-t`` in ``directory``; wait until it answers; grant SPARQL Update.
    ``dirs_allowed``: directories its bulk loader may read (``isql``)."""
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(_ini(directory, port, sql_port, dirs_allowed or []))
    process = subprocess.Popen(
        ["virtuoso-t", "-c", str(ini), "+foreground"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = VirtuosoServer(process, port, sql_port, directory)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {log}")
        try:
            if httpx.get(server.url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    else:
        server.stop()
        raise RuntimeError(f"Virtuoso did not answer within {START_TIMEOUT} s")
    server.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    return server
