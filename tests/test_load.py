"""kg load: parse, validate with the store's context, commit all or nothing; on both stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli.commands import main
from kg.errors import ParseError, ValidationFailed
from kg.model import paths
from kg.store.opening import open_store
from kg.store.protocol import Store
from kg.writes.load import graph_for, load

ARTICLE = "https://w3id.org/aikg/graph/seemless-article"
PLATFORM = """@prefix kg: <https://w3id.org/aikg/def#> .
@prefix schema: <https://schema.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/aikg/id/platform/test-cloud> a kg:CloudPlatform ;
    rdfs:label "Test cloud" ;
    schema:provider <https://w3id.org/aikg/id/org/microsoft> .
"""

#: One malformed document per format, the error on line 3.
MALFORMED = {
    "bad.ttl": '@prefix ex: <http://example.org/> .\nex:a ex:p "1" .\nex:b ex:p .\n',
    "bad.trig": '<http://example.org/g> {\n<http://example.org/a> <http://example.org/p> "1" .\n'
    "<http://example.org/b> <http://example.org/p> }\n",
    "bad.nt": '<http://example.org/a> <http://example.org/p> "1" .\n'
    '<http://example.org/a> <http://example.org/p> "2" .\n'
    "<http://example.org/b> <http://example.org/p> .\n",
    "bad.nq": '<http://example.org/a> <http://example.org/p> "1" <http://example.org/g> .\n'
    '<http://example.org/a> <http://example.org/p> "2" <http://example.org/g> .\n'
    '<http://example.org/b> <http://example.org/p> "3" <http://example.org/g> <urn:x> .\n',
    "bad.jsonld": '{\n  "@id": "http://example.org/a",\n  "http://example.org/p": [1, }\n}\n',
    "bad.rdf": '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    'syntax-ns#">\n  <rdf:Description rdf:about="http://example.org/a"></rdf:RDF>\n',
}


def snapshot(store: Store) -> set[ox.Quad]:
    return set(ox.parse(b"".join(store.dump(ox.RdfFormat.N_QUADS)), ox.RdfFormat.N_QUADS))


def shipped_graphs() -> set[str]:
    from kg.model import rdf

    return {
        q.graph_name.value
        for q in rdf.parse_file(paths.ARTICLE_GRAPH)
        if isinstance(q.graph_name, ox.NamedNode)
    }


def test_the_article_loads_into_its_source_graphs(store: Store) -> None:
    result = load(store, [paths.ARTICLE_GRAPH])
    assert set(store.named_graphs()) == shipped_graphs()
    assert result.triples == store.count() > 1000
    assert result.report.conforms
    assert "triples/s" in result.summary()


def test_loading_a_graph_again_replaces_it(store: Store, tmp_path: Path) -> None:
    load(store, [paths.ARTICLE_GRAPH])
    count = store.count()
    load(store, [paths.ARTICLE_GRAPH])
    assert store.count() == count
    first = tmp_path / "cloud.ttl"
    first.write_text(PLATFORM)
    load(store, [first])
    assert store.count() == count + 3
    first.write_text(PLATFORM.replace('    rdfs:label "Test cloud" ;\n', '    rdfs:label "T" ;\n'))
    load(store, [first])
    labels = store.select(
        "SELECT ?l WHERE { <https://w3id.org/aikg/id/platform/test-cloud> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    )
    assert [r["l"].value for r in labels] == ["T"]


def test_a_triple_format_goes_into_the_graph_of_its_file_or_of_graph(
    article_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "test-cloud.ttl"
    path.write_text(PLATFORM)
    load(article_store, [path])
    assert graph_for(path) == "https://w3id.org/aikg/graph/test-cloud"
    assert graph_for(path) in article_store.named_graphs()
    load(article_store, [path], graph="https://example.org/graph/mine")
    assert "https://example.org/graph/mine" in article_store.named_graphs()


def test_validation_reads_what_the_store_knows(article_store: Store, tmp_path: Path) -> None:
    """Microsoft is an org:FormalOrganization only in the stored article graph."""
    path = tmp_path / "cloud.ttl"
    path.write_text(PLATFORM)
    load(article_store, [path])
    empty = open_store("memory")
    with pytest.raises(ValidationFailed) as caught:
        load(empty, [path])
    assert "schema:provider" in caught.value.message
    assert empty.is_empty()


@pytest.mark.parametrize("name", sorted(MALFORMED))
@pytest.mark.parametrize("bulk", [False, True], ids=["small", "bulk"])
def test_malformed_rdf_names_the_line_and_loads_nothing(
    article_store: Store, tmp_path: Path, name: str, bulk: bool
) -> None:
    path = tmp_path / name
    path.write_text(MALFORMED[name])
    before = snapshot(article_store)
    with pytest.raises(ParseError) as caught:
        load(article_store, [paths.ARTICLE_GRAPH, path], bulk=bulk)
    assert caught.value.detail["line"] == 3, caught.value.message
    assert name in caught.value.message
    assert snapshot(article_store) == before


@pytest.mark.parametrize("bulk", [False, True], ids=["small", "bulk"])
def test_data_breaking_the_shapes_loads_nothing(
    article_store: Store, tmp_path: Path, bulk: bool
) -> None:
    path = tmp_path / "broken.ttl"
    # A provider relationship with no customer, and the platform of a well-formed file.
    path.write_text(
        PLATFORM + "<https://w3id.org/aikg/id/relationship/broken> a kg:ProviderRelationship ;\n"
        "    kg:provider <https://w3id.org/aikg/id/org/microsoft> .\n"
    )
    before = snapshot(article_store)
    with pytest.raises(ValidationFailed) as caught:
        load(article_store, [path], bulk=bulk)
    assert "https://w3id.org/aikg/id/relationship/broken" in caught.value.message
    assert "kg:customer" in caught.value.message
    assert snapshot(article_store) == before


def test_cli_load_reports_count_and_rate(store_kind: str, store: Store, tmp_path: Path) -> None:
    location = _location(store, tmp_path)
    result = CliRunner().invoke(main, ["load", "--store", location, str(paths.ARTICLE_GRAPH)])
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output and "triples/s" in result.output


def test_cli_load_exit_codes(store: Store, tmp_path: Path) -> None:
    location = _location(store, tmp_path)
    for name, text in sorted(MALFORMED.items()):
        bad = tmp_path / name
        bad.write_text(text)
        result = CliRunner().invoke(main, ["load", "--store", location, str(bad)])
        assert result.exit_code == 2, (name, result.output)
        assert f"{name}, line 3" in result.output
    broken = tmp_path / "lonely.ttl"
    broken.write_text(PLATFORM.replace("microsoft", "nobody"))
    result = CliRunner().invoke(main, ["load", "--store", location, str(broken)])
    assert result.exit_code == 1
    assert "does not conform" in result.output and "schema:provider" in result.output


def _location(store: Store, tmp_path: Path) -> str:
    url = getattr(store, "url", None)
    if isinstance(url, str):
        return url
    store.close()  # the CLI opens the directory itself
    return str(getattr(store, "path", tmp_path / "store"))


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bench.generate import generate

    path = tmp_path_factory.mktemp("big") / "synthetic.nq"
    generate(str(path), triples=150_000, seed=7)
    return path


def _kg_load(location: Path, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KG_STORE": str(location), "KG_LOAD_ARTICLE": "true"}
    return subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "load", "--bulk", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_staging(location: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the load is writing its new generation (its directory holds data)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        staged = [p for p in location.glob("gen-*") if p.name != "gen-000001"]
        if staged and sum(f.stat().st_size for f in staged[0].rglob("*") if f.is_file()) > 1e6:
            return
        time.sleep(0.05)
    raise AssertionError("the load never started writing")


def test_a_load_killed_halfway_leaves_nothing(tmp_path: Path, big_file: Path) -> None:
    location = tmp_path / "store"
    seeded = open_store(str(location))
    from kg.store.opening import ensure_seeded

    ensure_seeded(seeded)
    before = snapshot(seeded)
    seeded.close()
    process = _kg_load(location, big_file)
    _wait_for_staging(location, process)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL
    reopened = open_store(str(location))
    try:
        assert snapshot(reopened) == before
        assert sorted(p.name for p in location.glob("gen-*")) == ["gen-000001"]
    finally:
        reopened.close()


@pytest.mark.slow
def test_a_load_that_completes_is_all_there_after_restart(tmp_path: Path, big_file: Path) -> None:
    location = tmp_path / "store"
    process = _kg_load(location, big_file)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()
    assert b"triples/s" in out
    assert b"Loading" in err  # the progress bar of a large load
    reopened = open_store(str(location))
    try:
        graphs = {q.graph_name for q in ox.parse(path=str(big_file), format=ox.RdfFormat.N_QUADS)}
        assert {g.value for g in graphs if isinstance(g, ox.NamedNode)} <= set(
            reopened.named_graphs()
        )
        new = set(ox.parse(path=str(big_file), format=ox.RdfFormat.N_QUADS))
        assert new <= snapshot(reopened)
    finally:
        reopened.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["small", "bulk"])
def test_gzipped_files_load(store: Store, tmp_path: Path, bulk: bool) -> None:
    import gzip

    path = tmp_path / "article.trig.gz"
    path.write_bytes(gzip.compress(paths.ARTICLE_GRAPH.read_bytes()))
    load(store, [path], bulk=bulk)
    assert set(store.named_graphs()) == shipped_graphs()


def test_a_large_load_into_a_plain_directory_is_transactional(tmp_path: Path) -> None:
    """A directory without generations (an older layout) takes the staged add_quads path."""
    ox.Store(str(tmp_path / "plain")).flush()
    store = open_store(str(tmp_path / "plain"))
    try:
        result = load(store, [paths.ARTICLE_GRAPH], bulk=True)
        assert result.bulk and store.count() == result.triples
    finally:
        store.close()


@pytest.mark.parametrize("copy_limit", [0, 1_000_000], ids=["checkpoint", "copy"])
def test_a_large_load_into_a_holding_store_merges_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy_limit: int
) -> None:
    """The new generation starts from a checkpoint of the current one (much data) or copies
    it (little data); both replace the loaded graphs and keep the others."""
    import kg.store.embedded
    from kg.store.opening import ensure_seeded

    monkeypatch.setattr(kg.store.embedded, "COPY_INTO_STAGE", copy_limit)
    location = tmp_path / "store"
    store = open_store(str(location))
    try:
        ensure_seeded(store)
        before = snapshot(store)
        path = tmp_path / "cloud.ttl"
        path.write_text(PLATFORM)
        load(store, [path], bulk=True)
        added = {q for q in snapshot(store) if q not in before}
        assert len(added) == 3 and snapshot(store) >= before
        path.write_text(PLATFORM.replace('"Test cloud"', '"Renamed"'))
        load(store, [path], bulk=True)
        assert {q.object for q in snapshot(store) - before} >= {ox.Literal("Renamed")}
        assert len(snapshot(store) - before) == 3
        path.write_text(PLATFORM.replace("microsoft", "nobody"))
        current = snapshot(store)
        with pytest.raises(ValidationFailed):
            load(store, [path], bulk=True)
        assert snapshot(store) == current
    finally:
        store.close()
    assert [p.name for p in location.iterdir() if p.name.startswith("gen-")] == [
        Path((location / "CURRENT-GENERATION").read_text().strip()).name
    ]
