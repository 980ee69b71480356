from collections import Counter
from pathlib import Path

import pytest

from bench.generate import generate
from kg.model import rdf
from kg.validation.validate import validate_quads

pytestmark = pytest.mark.slow

SHAPED_COMPONENTS = {
    "MinCountConstraintComponent",
    "MaxCountConstraintComponent",
    "DatatypeConstraintComponent",
    "MinLengthConstraintComponent",
    "PatternConstraintComponent",
    "InConstraintComponent",
    "ClassConstraintComponent",
    "NodeKindConstraintComponent",
    "OrConstraintComponent",
}


def test_same_arguments_give_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.nq", tmp_path / "b.nq", tmp_path / "c.nq"
    generate(a, triples=5_000, seed=3, broken_fraction=0.1)
    generate(b, triples=5_000, seed=3, broken_fraction=0.1)
    generate(c, triples=5_000, seed=4, broken_fraction=0.1)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_size_graphs_and_classes(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    stats = generate(out, triples=20_000)
    quads = rdf.parse_file(out)
    assert len(quads) == stats.triples
    assert 20_000 <= stats.triples < 21_000
    assert len({q.graph_name for q in quads}) == stats.graphs > 20
    types = Counter(
        q.object.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        for q in quads
        if q.predicate.value.endswith("#type")
    )
    for cls in (
        "FormalOrganization",
        "OrganizationalUnit",
        "Responsibility",
        "Post",
        "Person",
        "CloudPlatform",
        "ProviderRelationship",
        "Initiative",
        "StrategyEvent",
        "ChangeEvent",
        "Benefit",
        "Risk",
        "NewsArticle",
        "Article",
        "Citation",
    ):
        assert types[cls] > 0, cls
    assert types["Citation"] > sum(types.values()) / 3


def test_a_generated_graph_conforms(tmp_path: Path) -> None:
    out = tmp_path / "g.nq"
    generate(out, triples=20_000, seed=1)
    report = validate_quads(rdf.parse_file(out))
    assert report.conforms, report.to_text()[:2000]


@pytest.mark.parametrize("fraction", [0.01, 0.3])
def test_broken_nodes_break_the_shapes(tmp_path: Path, fraction: float) -> None:
    out = tmp_path / "g.nq"
    stats = generate(out, triples=20_000, seed=2, broken_fraction=fraction)
    report = validate_quads(rdf.parse_file(out))
    assert not report.conforms
    assert stats.broken_nodes > 0
    broken_focus = {v.focus for v in report.violations}
    assert len(broken_focus) >= stats.broken_nodes * 0.9
    if fraction >= 0.3:
        assert {v.component for v in report.violations} >= SHAPED_COMPONENTS
