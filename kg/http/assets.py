"""The playground's browser assets (GraphiQL, React): fetched from the npm registry, never copied.

``kg/assets.lock.json`` pins each package by exact version, tarball URL and the registry's
``dist.integrity`` (sha512). :func:`fetch` downloads each tarball, refuses it unless its digest
matches, and extracts only the listed files into ``kg/static/vendor/<name>-<version>/``. The
build hook (``hatch_build.py``) calls it so ``pip install .`` and ``pip install -e .`` ship the
files; ``kg assets`` (or ``python -m kg.http.assets``) fetches them again.

This module uses the standard library only: the build hook imports it before kg's dependencies
are installed. Set ``npm_config_registry`` (npm's own variable) to fetch through a mirror.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.errors import AssetsUnavailable

_PACKAGE = Path(__file__).resolve().parent.parent  # the kg package folder
LOCK = _PACKAGE / "assets.lock.json"
STATIC_DIR = _PACKAGE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
_STAMP = ".lock.json"
_NPM_REGISTRY = "https://registry.npmjs.org/"
#: Suffixes of the vendor files that are also stored gzip-compressed (``<file>.gz``).
COMPRESSED = (".js", ".css")


@dataclass(frozen=True)
class Package:
    """One locked npm package and the files the playground takes from it."""

    name: str
    version: str
    tarball: str
    integrity: str
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        """The folder under ``vendor/`` (and under ``/static/vendor/`` on the web)."""
        return f"{self.name}-{self.version}"

    def path(self, file: str) -> str:
        """Where ``file`` (as listed in the lock) lands, relative to ``vendor/``."""
        return f"{self.folder}/{file.rsplit('/', 1)[-1]}"


def load_lock(lock: Path | None = None) -> list[Package]:
    data = json.loads((lock or LOCK).read_text(encoding="utf-8"))
    return [
        Package(
            name=p["name"],
            version=p["version"],
            tarball=p["tarball"],
            integrity=p["integrity"],
            files=tuple(p["files"]),
        )
        for p in data["packages"]
    ]


def vendor_path(name: str, file: str, lock: Path | None = None) -> str:
    """The path under ``vendor/`` of ``file`` (its base name) from locked package ``name``."""
    for package in load_lock(lock):
        if package.name == name:
            return f"{package.folder}/{file}"
    raise KeyError(name)


def missing(dest: Path | None = None, lock: Path | None = None) -> list[str]:
    """The vendor files (relative to ``dest``) that are not on disk; empty when all are."""
    dest = dest or VENDOR_DIR
    return [
        package.path(file)
        for package in load_lock(lock)
        for file in package.files
        if not (dest / package.path(file)).is_file()
    ]


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise AssetsUnavailable unless ``data`` matches npm's ``sha512-<base64>`` ``integrity``."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetsUnavailable(f"unsupported integrity algorithm {algorithm!r} in the assets lock")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if actual != expected:
        raise AssetsUnavailable(
            f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}"
        )


def _url(tarball: str) -> str:
    env = {key.lower(): value for key, value in os.environ.items()}
    registry = env.get("npm_config_registry")
    if registry and tarball.startswith(_NPM_REGISTRY):
        return registry.rstrip("/") + "/" + tarball[len(_NPM_REGISTRY) :]
    return tarball


def _download(url: str, timeout: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise AssetsUnavailable(f"refusing to fetch {url!r}: not an http(s) URL")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data: bytes = response.read()
    except OSError as exc:  # URLError, HTTPError and timeouts are OSErrors
        raise AssetsUnavailable(f"could not download {url}: {exc}") from exc
    return data


def extract(package: Package, data: bytes, dest: Path) -> list[Path]:
    """Check ``data`` (the package's tarball) and write its listed files under ``dest``."""
    check_integrity(data, package.integrity)
    written = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for file in package.files:
            try:
                member = archive.getmember(f"package/{file}")
                source = archive.extractfile(member)
            except KeyError:
                source = None
            if source is None:
                raise AssetsUnavailable(f"{package.name}@{package.version} has no file {file}")
            target = dest / package.path(file)
            target.parent.mkdir(parents=True, exist_ok=True)
            content = source.read()
            target.write_bytes(content)
            written.append(target)
            if target.suffix in COMPRESSED:  # served as is to browsers that accept gzip
                gz = target.with_name(target.name + ".gz")
                gz.write_bytes(gzip.compress(content, compresslevel=9, mtime=0))
                written.append(gz)
    return written


def fetch(
    dest: Path | None = None,
    lock: Path | None = None,
    *,
    force: bool = False,
    timeout: float = 60.0,
    log: bool = False,
) -> list[Path]:
    """Download, verify and extract every locked package into ``dest``; return the files written.

    Nothing is downloaded when ``dest`` already holds the files of this very lock (unless
    ``force``). The files appear all at once: they are extracted into a temporary folder that
    replaces ``dest`` only when every package has passed its integrity check.
    """
    dest = dest or VENDOR_DIR
    lock = lock or LOCK
    stamp = dest / _STAMP
    wanted = lock.read_text(encoding="utf-8")
    if not force and not missing(dest, lock) and stamp.is_file() and stamp.read_text() == wanted:
        return []
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=dest.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the server may run as another user
    try:
        for package in load_lock(lock):
            url = _url(package.tarball)
            if log:
                print(f"kg assets: fetching {package.name}@{package.version} from {url}")
            extract(package, _download(url, timeout), staging)
        (staging / _STAMP).write_text(wanted, encoding="utf-8")
        if dest.exists():
            shutil.rmtree(dest)
        staging.rename(dest)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(p for p in dest.rglob("*") if p.is_file() and p.name != _STAMP)


def main(argv: list[str] | None = None) -> int:
    """``python -m kg.http.assets``: fetch the playground's assets (exit 1 when that fails)."""
    parser = argparse.ArgumentParser(prog="python -m kg.http.assets", description=__doc__)
    parser.add_argument("--force", action="store_true", help="fetch even if already present")
    parser.add_argument("--dest", type=Path, default=None, help="target folder")
    args = parser.parse_args(argv)
    try:
        written = fetch(args.dest, force=args.force, log=True)
    except AssetsUnavailable as exc:
        print(f"kg assets: {exc.message}", file=sys.stderr)
        return exc.exit_code
    where = args.dest or VENDOR_DIR
    print(f"kg assets: {len(written)} files in {where}" if written else "kg assets: up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
