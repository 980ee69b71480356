"""Tests here build apps with small limits; the bounds on query processes are process-wide
(``kg.store.querypool.configure``, as ``kg serve`` sets them once), so each test puts them back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.settings import Settings
from kg.store import querypool


@pytest.fixture(autouse=True)
def default_query_bounds() -> Iterator[None]:
    yield
    defaults = Settings()
    querypool.configure(memory_mib=defaults.query_memory, concurrency=defaults.query_workers)
