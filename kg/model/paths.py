"""Where the shipped files live: the ontology, the shapes, the article graph and the example
queries.

In a wheel they are packaged under ``kg/_ontology``, ``kg/_data`` and ``kg/_queries``; in a
source checkout (editable install, tests) they are read from the top-level ``ontology/``,
``data/`` and ``queries/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the kg package folder


def _locate(packaged: str, checkout: str) -> Path:
    inside = _PACKAGE / packaged
    return inside if inside.is_dir() else _PACKAGE.parent / checkout


ONTOLOGY_DIR = _locate("_ontology", "ontology")
DATA_DIR = _locate("_data", "data")
QUERIES_DIR = _locate("_queries", "queries")

ONTOLOGY = ONTOLOGY_DIR / "kg.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
ARTICLE_GRAPH = DATA_DIR / "article.trig"
