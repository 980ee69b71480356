"""kg.http.assets: npm tarballs checked against the lock's sha512, then only the listed files kept.

A small npm-shaped registry on loopback stands in for the npm registry (``npm_config_registry``
points at it), so these tests download real tarballs over HTTP without leaving the machine.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli.commands import main
from kg.errors import AssetsUnavailable
from kg.http import assets

NPM = "https://registry.npmjs.org/"


def tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


class Registry:
    """Tarballs served at ``/<name>/-/<name>-<version>.tgz`` on 127.0.0.1, with a request log."""

    def __init__(self) -> None:
        self.tarballs: dict[str, bytes] = {}
        self.requests: list[str] = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests.append(self.path)
                data = registry.tarballs.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.end_headers()
                self.wfile.write(data or b"not found")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def publish(self, name: str, version: str, files: dict[str, bytes]) -> dict[str, object]:
        data = tarball(files)
        path = f"{name}/-/{name}-{version}.tgz"
        self.tarballs["/" + path] = data
        return {
            "name": name,
            "version": version,
            "tarball": NPM + path,
            "integrity": integrity(data),
            "files": sorted(files),
        }


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    reg = Registry()
    thread = threading.Thread(target=reg.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("npm_config_registry", reg.url)
    yield reg
    reg.server.shutdown()
    reg.server.server_close()


def write_lock(path: Path, *packages: dict[str, object]) -> Path:
    path.write_text(json.dumps({"packages": list(packages)}))
    return path


def test_fetch_keeps_only_the_listed_files_of_a_verified_tarball(
    registry: Registry, tmp_path: Path
) -> None:
    entry = registry.publish(
        "widget", "1.2.3", {"dist/widget.min.js": b"widget()", "README.md": b"readme"}
    )
    entry["files"] = ["dist/widget.min.js"]
    lock = write_lock(tmp_path / "lock.json", entry)
    dest = tmp_path / "vendor"

    written = assets.fetch(dest, lock)

    assert [p.relative_to(dest).as_posix() for p in written] == [
        "widget-1.2.3/widget.min.js",
        "widget-1.2.3/widget.min.js.gz",
    ]
    assert (dest / "widget-1.2.3" / "widget.min.js").read_bytes() == b"widget()"
    assert gzip.decompress((dest / "widget-1.2.3" / "widget.min.js.gz").read_bytes()) == b"widget()"
    assert registry.requests == ["/widget/-/widget-1.2.3.tgz"]
    assert assets.missing(dest, lock) == []


def test_a_second_fetch_downloads_nothing(registry: Registry, tmp_path: Path) -> None:
    lock = write_lock(tmp_path / "lock.json", registry.publish("w", "1.0.0", {"w.js": b"1"}))
    dest = tmp_path / "vendor"
    assets.fetch(dest, lock)
    assert assets.fetch(dest, lock) == []
    assert len(registry.requests) == 1
    assets.fetch(dest, lock, force=True)
    assert len(registry.requests) == 2


def test_a_tampered_tarball_is_refused_and_nothing_is_written(
    registry: Registry, tmp_path: Path
) -> None:
    good = registry.publish("w", "1.0.0", {"w.js": b"good"})
    lock = write_lock(tmp_path / "lock.json", good)
    dest = tmp_path / "vendor"
    assets.fetch(dest, lock)
    registry.tarballs["/w/-/w-1.0.0.tgz"] = tarball({"w.js": b"evil"})

    with pytest.raises(AssetsUnavailable, match="integrity mismatch"):
        assets.fetch(dest, lock, force=True)

    assert (dest / "w-1.0.0" / "w.js").read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".vendor-")] == []


def test_a_listed_file_absent_from_the_tarball_is_an_error(
    registry: Registry, tmp_path: Path
) -> None:
    entry = registry.publish("w", "1.0.0", {"w.js": b"1"})
    entry["files"] = ["umd/w.min.js"]
    lock = write_lock(tmp_path / "lock.json", entry)
    with pytest.raises(AssetsUnavailable, match=r"has no file umd/w\.min\.js"):
        assets.fetch(tmp_path / "vendor", lock)
    assert not (tmp_path / "vendor").exists()


def test_kg_assets_reports_an_unreachable_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    before = sorted(p for p in assets.VENDOR_DIR.rglob("*")) if assets.VENDOR_DIR.exists() else []

    result = CliRunner().invoke(main, ["assets", "--force"])

    assert result.exit_code == 1
    assert "could not download http://127.0.0.1:9/" in result.output
    after = sorted(p for p in assets.VENDOR_DIR.rglob("*")) if assets.VENDOR_DIR.exists() else []
    assert after == before


def test_the_lock_pins_graphiql_and_react_by_sha512() -> None:
    packages = {p.name: p for p in assets.load_lock()}
    assert set(packages) == {"graphiql", "react", "react-dom"}
    for package in packages.values():
        assert package.tarball == f"{NPM}{package.name}/-/{package.name}-{package.version}.tgz"
        assert package.integrity.startswith("sha512-")
    assert packages["graphiql"].version.startswith("3.")
