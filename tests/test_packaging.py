"""The wheel: built from the checkout, installed with its dependencies into a fresh virtualenv,
``kg validate`` works from outside the repository with the ontology, shapes and graph it ships.

This is slow-ish (a real install; pip's cache keeps it to seconds when warm), so it builds once
per session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run(*cmd: str | Path, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-q", "-w", out, cwd=ROOT)
    (built,) = out.glob("kg-*.whl")
    return built


@pytest.fixture(scope="session")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv (no access to the test environment's packages) with the wheel installed."""
    home = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", home, cwd=home)
    run(home / "bin" / "python", "-m", "pip", "install", "-q", wheel, cwd=home)
    return home


def test_wheel_ships_the_ontology_shapes_and_graph(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for shipped in ("kg/_ontology/kg.ttl", "kg/_ontology/shapes.ttl", "kg/_data/article.trig"):
        assert shipped in names
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("kg/_data/article.trig") == (ROOT / "data" / "article.trig").read_bytes()
        entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "kg = kg.cli:main" in zf.read(entry).decode()


def test_installed_kg_validate_conforms_outside_the_repo(venv: Path, tmp_path: Path) -> None:
    assert not tmp_path.is_relative_to(ROOT)
    done = subprocess.run(
        [str(venv / "bin" / "kg"), "validate"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Conforms" in done.stdout


def test_installed_package_reads_its_own_files_and_dependencies(venv: Path, tmp_path: Path) -> None:
    code = (
        "import rdflib, pyshacl, pyoxigraph\n"
        "from kg.model import paths\n"
        "for p in (paths.ARTICLE_GRAPH, paths.SHAPES, paths.ONTOLOGY, rdflib.__file__,"
        " pyshacl.__file__, pyoxigraph.__file__):\n"
        "    print(p)\n"
    )
    done = run(venv / "bin" / "python", "-c", code, cwd=tmp_path)
    for line in done.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(venv.resolve()), line


def test_installed_playground_opens_with_the_curated_example(venv: Path, tmp_path: Path) -> None:
    code = (
        "import json, os\n"
        "os.environ['KG_STORE'] = 'memory'\n"
        "from starlette.testclient import TestClient\n"
        "from kg.http.app import create_app\n"
        "from kg.settings import Settings\n"
        "with TestClient(create_app(Settings.load())) as client:\n"
        "    page = client.get('/graphql', headers={'Accept': 'text/html'})\n"
        "print(json.dumps({'status': page.status_code, 'page': page.text}))\n"
    )
    done = run(venv / "bin" / "python", "-c", code, cwd=tmp_path)
    answer = json.loads(done.stdout)
    assert answer["status"] == 200
    example = (ROOT / "queries" / "example.graphql").read_text(encoding="utf-8").strip()
    for line in example.splitlines():  # as JSON in the page's <script> (<, >, & escaped)
        shown = json.dumps(line)[1:-1]
        for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            shown = shown.replace(char, escaped)
        assert shown in answer["page"], f"the playground does not open with the example: {line}"
