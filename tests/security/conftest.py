"""Tests here build apps with small limits; the bounds on query processes are process-wide
(``kg.isolate.configure``, as ``kg serve`` sets them once), so each test puts them back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.settings import Settings
from kg.store import isolate


@pytest.fixture(autouse=True)
def default_query_bounds() -> Iterator[None]:
    yield
    defaults = Settings()
    isolate.configure(memory_mib=defaults.query_memory, concurrency=defaults.query_workers)
