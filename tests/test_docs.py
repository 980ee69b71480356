"""The documentation holds true: README.md and docs/*.md.

* Every fenced ```graphql block parses and validates against the committed schema
  (``schema.graphql``); every fenced ```sparql block parses (pyoxigraph), as a query or, when it
  begins like one, as an update.
* A block that is one of the competency questions (``queries/*.graphql``, ``queries/*.rq``) and
  is followed by its output (a ```json or ```csv block) shows the real output, the one in
  ``queries/*.expected.json`` / ``.expected.csv``; any other SPARQL query followed by a ```csv
  block is run on the embedded store holding the shipped graph and must answer that CSV.
* Every module path named in the documentation, ``pyproject.toml``, and the docstrings and
  comments of ``kg/``, ``tests/`` and ``bench/`` exists: dotted names (``kg.<package>.<module>``,
  or ``kg.<package>.<module>.<Name>`` with ``<Name>`` an attribute of that module;
  ``bench.<module>`` alike) and file paths (``kg/<package>/<module>.py``, ``kg/<package>/``,
  ``tests/test_<topic>.py``, ``bench/<module>.py``). All misses are reported at once, each with
  its file and line.
"""

from __future__ import annotations

import ast
import csv
import importlib
import importlib.util
import io
import json
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import graphql
import pyoxigraph as ox
import pytest

from kg.http.app import create_app
from kg.settings import Settings
from kg.store.opening import ensure_seeded, open_store
from tests.asgi import AppClient

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass(frozen=True)
class Block:
    """A fenced code block of a Markdown file: its language, text and where it starts."""

    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text().splitlines(keepends=True)
    start: int | None = None
    lang = ""
    for number, line in enumerate(lines, 1):
        if start is None and line.startswith("```"):
            start, lang = number, line[3:].strip()
        elif start is not None and line.rstrip() == "```":
            found.append(Block(path, start, lang, "".join(lines[start : number - 1])))
            start = None
    assert start is None, f"{path.relative_to(ROOT)}:{start}: a fence that is never closed"
    return found


ALL_BLOCKS = [b for doc in DOCS for b in blocks(doc)]


def of(lang: str) -> list[Block]:
    return [b for b in ALL_BLOCKS if b.lang == lang]


def output_after(block: Block, lang: str) -> Block | None:
    """The block right after ``block`` in its file, when it is a ``lang`` block."""
    same_file = [b for b in ALL_BLOCKS if b.path == block.path]
    following = same_file[same_file.index(block) + 1 :]
    return following[0] if following and following[0].lang == lang else None


def competency_question(block: Block, suffix: str) -> Path | None:
    """The file of ``queries/`` whose text the block shows, if any."""
    for path in QUERIES.glob(f"*{suffix}"):
        if path.read_text().strip() == block.text.strip():
            return path
    return None


# --- GraphQL -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema() -> graphql.GraphQLSchema:
    return graphql.build_schema((ROOT / "schema.graphql").read_text())


def test_the_docs_have_graphql_and_sparql_examples() -> None:
    assert of("graphql") and of("sparql")


@pytest.mark.parametrize("block", of("graphql"), ids=lambda b: b.where)
def test_graphql_example_is_valid_against_the_schema(
    schema: graphql.GraphQLSchema, block: Block
) -> None:
    errors = graphql.validate(schema, graphql.parse(block.text))
    assert not errors, f"{block.where}: {[e.message for e in errors]}"


@pytest.mark.parametrize("block", of("graphql"), ids=lambda b: b.where)
def test_graphql_competency_question_shows_its_real_output(block: Block) -> None:
    question = competency_question(block, ".graphql")
    shown = output_after(block, "json")
    if question is None or shown is None:
        pytest.skip("not a competency question shown with its output")
    expected = json.loads(question.with_suffix(".expected.json").read_text())
    assert json.loads(shown.text) == expected, f"{shown.where} is not {question.name}'s output"


# --- SPARQL ------------------------------------------------------------------------------------

UPDATE_WORDS = {
    *("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
}


def is_update(text: str) -> bool:
    """Whether the first keyword after the prologue (PREFIX, BASE, comments) is an update's."""
    body = re.sub(r"#[^\n]*", "", text)
    body = re.sub(r"(?is)\s*(PREFIX\s+[\w-]*:\s*<[^>]*>|BASE\s+<[^>]*>)", "", body)
    first = re.match(r"\s*(\w+)", body)
    return bool(first) and first.group(1).upper() in UPDATE_WORDS  # type: ignore[union-attr]


@pytest.mark.parametrize("block", of("sparql"), ids=lambda b: b.where)
def test_sparql_example_parses(block: Block) -> None:
    store = ox.Store()
    try:
        if is_update(block.text):
            store.update(block.text)
        else:
            store.query(block.text)
    except SyntaxError as exc:
        pytest.fail(f"{block.where}: {exc}")


@pytest.fixture(scope="module")
def article_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    store = open_store(str(tmp_path_factory.mktemp("docs") / "store"))
    try:
        ensure_seeded(store)
        with AppClient(create_app(Settings(), store=store)) as client:
            yield client
    finally:
        store.close()


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("block", of("sparql"), ids=lambda b: b.where)
def test_sparql_example_shows_its_real_output(block: Block, request: pytest.FixtureRequest) -> None:
    shown = output_after(block, "csv")
    if shown is None:
        pytest.skip("not shown with its output")
    question = competency_question(block, ".rq")
    if question is not None:
        expected = question.with_suffix(".expected.csv").read_text()
        assert rows(shown.text) == rows(expected), f"{shown.where} is not {question.name}'s output"
        return
    client: AppClient = request.getfixturevalue("article_client")
    r = client.post("/sparql", data={"query": block.text}, headers={"Accept": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.text.replace("\r\n", "\n") == shown.text, f"{shown.where} is not the real output"


# --- module paths ------------------------------------------------------------------------------

DOTTED = re.compile(r"(?<![\w./:-])(?:kg|bench)(?:\.[A-Za-z_]\w*)+(?![\w<*])")
FILE = re.compile(r"(?<![\w./-])(?:kg|tests|bench)/[\w./-]*(?:\.py\b|/)")
#: Paths made when kg is installed, not kept in the repository.
GENERATED = {"kg/static/vendor/"}
#: Dotted names that are not modules: logger names.
NOT_MODULES = {"kg.access"}


def python_files() -> list[Path]:
    files = [*(ROOT / "kg").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    files += [p for p in (ROOT / "tests").rglob("*.py") if "js" not in p.relative_to(ROOT).parts]
    return sorted(files)


def prose_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The comments and docstrings of a Python file, line by line with their numbers."""
    source = path.read_text()
    lines = source.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                for number in range(first.lineno, (first.end_lineno or first.lineno) + 1):
                    yield number, lines[number - 1]


def documented_lines() -> Iterator[tuple[Path, int, str]]:
    for doc in [*DOCS, ROOT / "bench" / "README.md", ROOT / "pyproject.toml"]:
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            yield doc, number, line
    for path in python_files():
        for number, line in prose_lines(path):
            yield path, number, line


def dotted_name_exists(name: str) -> bool:
    """The longest prefix of ``name`` that is a module exists, and the next part, if any, is an
    attribute of it."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        module = ".".join(parts[:end])
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            return end == len(parts) or hasattr(importlib.import_module(module), parts[end])
    return False


def test_every_module_path_named_exists() -> None:
    misses: list[str] = []
    for path, number, line in documented_lines():
        where = f"{path.relative_to(ROOT)}:{number}"
        for match in DOTTED.finditer(line):
            name = match.group(0)
            if name not in NOT_MODULES and not dotted_name_exists(name):
                misses.append(f"{where}: {name}")
        for match in FILE.finditer(line):
            named = match.group(0)
            if named not in GENERATED and not (ROOT / named).exists():
                misses.append(f"{where}: {named}")
    assert not misses, "module paths that do not exist:\n" + "\n".join(misses)
