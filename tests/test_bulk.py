"""Feeding pyoxigraph's bulk loader (kg/store/bulk.py): chunks keep blank nodes whole, progress
counts the bytes read, and a parse error names the line in the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import ParseError
from kg.store import bulk
from kg.store.opening import open_store
from kg.writes.load import load

EX = "http://example.org/"


def lines(n: int) -> bytes:
    """``n`` statements about plain IRIs, with one blank node's statements spread over them."""
    out = []
    for i in range(n):
        out.append(f'<{EX}s{i}> <{EX}label> "node {i}" <{EX}g> .\n')
        if i % 250 == 0:
            out.append(f"_:shared <{EX}sees> <{EX}s{i}> <{EX}g> .\n")
    return "".join(out).encode()


@pytest.mark.parametrize("suffix", [".nq", ".nq.gz"])
def test_chunks_keep_a_blank_node_whole_and_count_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)  # many chunks
    data = lines(2000)
    path = tmp_path / f"data{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    whole, chunked = ox.Store(), ox.Store()
    counters = bulk.Counter(), bulk.Counter()
    bulk.load_file(whole, path, ox.RdfFormat.N_QUADS, f"{EX}d", counters[0], chunked=False)
    bulk.load_file(chunked, path, ox.RdfFormat.N_QUADS, f"{EX}d", counters[1], chunked=True)
    assert counters[0].done == counters[1].done == len(data)
    assert len(chunked) == len(whole) == 2008
    sees = ox.NamedNode(f"{EX}sees")
    subjects = {q.subject for q in chunked.quads_for_pattern(None, sees, None, None)}
    assert len(subjects) == 1 and isinstance(next(iter(subjects)), ox.BlankNode)


def test_a_parse_error_in_a_large_load_names_the_line_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_BYTES", 4096)
    data = lines(2000) + b"<broken line\n"
    last = data.count(b"\n")
    path = tmp_path / "bad.nq"
    path.write_bytes(data)
    store = open_store(str(tmp_path / "store"))
    try:
        with pytest.raises(ParseError) as caught:
            load(store, [path], bulk=True)
        assert f"line {last}," in str(caught.value)
        assert store.is_empty()
    finally:
        store.close()


def test_progress_reaches_the_size_of_the_files(tmp_path: Path) -> None:
    path = tmp_path / "data.nq"
    path.write_bytes(lines(3000))
    seen: list[tuple[int, int]] = []
    store = open_store(str(tmp_path / "store"))
    try:
        load(store, [path], bulk=True, progress=lambda done, total: seen.append((done, total)))
    finally:
        store.close()
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert all(total == size and 0 <= done <= size for done, total in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
