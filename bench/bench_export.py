"""Export a large store over HTTP and watch the server's memory: is ``/export`` streamed?

Builds (once) an on-disk store of about ``--triples`` synthetic triples (``bench.generate``,
then pyoxigraph's bulk loader), starts ``kg serve`` over it on 127.0.0.1, downloads
``/export?format=nquads`` plainly and ``/export`` (TriG) with ``Accept-Encoding: gzip``, and
prints the bytes, the seconds and the server's anonymous resident memory (RssAnon) before and at
its peak, sampled every 50 ms.

    python -m bench.bench_export --triples 1000000 --dir /tmp/kg-export-bench
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from bench.generate import generate


def rss_anon_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sample(pid: int, peak: list[float], done: threading.Event) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], rss_anon_mib(pid))
        time.sleep(0.05)


def build(directory: Path, triples: int) -> Path:
    store_dir = directory / f"store-{triples}"
    if not store_dir.exists():
        nq = directory / f"synthetic-{triples}.nq"
        generate(nq, triples=triples, seed=0)
        store = ox.Store(str(store_dir))
        store.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        nq.unlink()
    return store_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kg-export-bench"))
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    store_dir = build(args.dir, args.triples)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_STORE": str(store_dir), "KG_PORT": str(port), "KG_HOST": "127.0.0.1"})
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        print(f"store: {args.triples} synthetic triples in {store_dir}")
        for label, url, headers in (
            ("N-Quads, identity", f"{base}/export?format=nquads", {"Accept-Encoding": "identity"}),
            ("TriG, gzip", f"{base}/export", {"Accept-Encoding": "gzip"}),
        ):
            before = rss_anon_mib(server.pid)
            peak = [before]
            done = threading.Event()

            sampler = threading.Thread(target=_sample, args=(server.pid, peak, done))
            sampler.start()
            started = time.perf_counter()
            size = 0
            with httpx.stream("GET", url, headers=headers, timeout=None) as response:
                for chunk in response.iter_raw():
                    size += len(chunk)
            seconds = time.perf_counter() - started
            done.set()
            sampler.join()
            print(
                f"{label}: {size / 1e6:.1f} MB on the wire in {seconds:.1f} s; server RssAnon "
                f"{before:.0f} MiB before, {peak[0]:.0f} MiB at peak"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
