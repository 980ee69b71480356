"""``python -m bench`` (``make bench``): run every benchmark module (``bench/bench_*.py``) in turn.

Each runs with its defaults (about a million triples) in its own process; the exit status is
the first failure's. Run one with ``python -m bench.bench_<name> --help`` to see its options.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    status = 0
    for module in sorted(Path(__file__).parent.glob("bench_*.py")):
        name = f"bench.{module.stem}"
        print(f"\n=== {name}", flush=True)
        code = subprocess.call([sys.executable, "-m", name])
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
