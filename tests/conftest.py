"""Shared fixtures live in tests/plugins/, one module per real component they start."""

import pytest

pytest_plugins: list[str] = [
    "tests.plugins.stores",
    "tests.plugins.server",
    "tests.plugins.browser",
    "tests.plugins.graphql_client",
    "tests.plugins.graphql_api",
    "tests.plugins.listener",
]


@pytest.fixture
def shipped_quads():  # type: ignore[no-untyped-def]
    """Every quad of the shipped article graph."""
    from kg.model import paths, rdf

    return rdf.parse_file(paths.ARTICLE_GRAPH)
