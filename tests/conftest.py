"""Shared fixtures live in tests/plugins/, one module per real component they start.

Each test is marked by what it needs (markers declared in pyproject.toml, ``--strict-markers``):
``oxigraph`` and ``virtuoso`` (a server of that engine), ``browser`` (Chromium), ``serve`` (a
``kg serve`` process) are set here from the fixtures and parameters a test uses; ``slow`` is
set by hand on tests that take seconds on their own. ``make check`` runs the tests with none of
them; ``make test`` runs them all.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins: list[str] = [
    "tests.plugins.stores",
    "tests.plugins.server",
    "tests.plugins.browser",
    "tests.plugins.graphql_client",
    "tests.plugins.graphql_api",
    "tests.plugins.listener",
]

#: The marker a test gets when it uses one of these fixtures.
NEEDS = {
    "oxigraph": {"oxigraph_server", "seeded_oxigraph"},
    "virtuoso": {"virtuoso_server", "seeded_virtuoso"},
    "browser": {"chromium", "browser_page"},
    "serve": {"kg_server", "kg_server_factory"},
}


#: Parameter values that name a SPARQL engine (``tests.plugins.stores.REMOTE_ENGINES``; not
#: imported here, where it would be imported before pytest can rewrite its asserts).
ENGINES = {"oxigraph", "virtuoso"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        callspec: Any = getattr(item, "callspec", None)
        params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
        for marker, fixtures in NEEDS.items():
            if used & fixtures or (marker in ENGINES and marker in params):
                item.add_marker(marker)


@pytest.fixture
def shipped_quads():  # type: ignore[no-untyped-def]
    """Every quad of the shipped article graph."""
    from kg.model import paths, rdf

    return rdf.parse_file(paths.ARTICLE_GRAPH)
