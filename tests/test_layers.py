"""The package layout: layers that import only downwards, no cycles, no hidden imports.

The contracts themselves are in pyproject.toml (``[tool.importlinter]``); ``make lint`` runs
them too (the benchmarks are checked for cycles as well). Function-local imports count as
imports there; this file also refuses them in kg outside the CLI, where they could hide a cycle
from a reader. (The benchmarks import kg inside the child process that measures one path, so
that each path's memory figure holds only what that path loads.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = ROOT / "kg"
LAYERS = ["cli", "http", "pictures", "graphql", "writes", "validation", "store", "model"]


def local_imports(path: Path) -> list[str]:
    """``file:line module`` of every kg or bench import inside a function of ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.ImportFrom) and inner.module:
                names = [inner.module]
            elif isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in ("kg", "bench"):
                    found.append(f"{path.name}:{inner.lineno} {name}")
    return found


def test_the_import_contracts_hold() -> None:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_no_function_local_kg_imports_outside_the_cli() -> None:
    files = [p for p in KG.rglob("*.py") if KG / "cli" not in p.parents]
    assert len(files) > 50
    assert [hit for p in sorted(files) for hit in local_imports(p)] == []


def test_the_check_finds_a_function_local_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import kg\n\n\ndef f() -> None:\n    from kg.http import app\n", "utf-8")
    assert local_imports(probe) == ["probe.py:5 kg.http"]


def test_every_layer_is_a_package_that_says_what_it_owns_and_may_import() -> None:
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((KG / layer / "__init__.py").read_text("utf-8")))
        assert doc, layer
        assert "May import" in doc, layer
    flat = sorted(p.name for p in KG.glob("*.py"))
    assert flat == ["__init__.py", "errors.py", "metrics.py", "settings.py"]
