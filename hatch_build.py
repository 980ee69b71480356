"""Build hook: fetch the playground's browser assets (GraphiQL, React) into kg/static/vendor/.

Runs for ``pip install .`` (wheel) and ``pip install -e .`` (editable). The files are fetched
from the npm registry and checked against kg/assets.lock.json by kg/http/assets.py; they are never
committed. If the fetch fails, the build still succeeds with a warning: the playground page
then says the assets are missing and how to fetch them (``kg assets``). Set KG_SKIP_ASSETS=1 to
skip the fetch.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _load(root: Path, module: str) -> Any:
    """Import a stdlib-only kg module (``errors``, ``http.assets``) from the source tree, without
    its package's ``__init__`` (kg's dependencies may be absent)."""
    name = f"kg.{module}"
    if "kg" not in sys.modules:
        package = importlib.util.spec_from_file_location(
            "kg", root / "kg" / "__init__.py", submodule_search_locations=[str(root / "kg")]
        )
        assert package is not None and package.loader is not None
        sys.modules["kg"] = importlib.util.module_from_spec(package)
        package.loader.exec_module(sys.modules["kg"])
    spec = importlib.util.spec_from_file_location(name, root / "kg" / f"{module.replace('.', '/')}.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


class AssetsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if os.environ.get("KG_SKIP_ASSETS"):
            self.app.display_info("kg assets: skipped (KG_SKIP_ASSETS is set)")
            return
        _load(root, "errors")
        assets = _load(root, "http.assets")
        vendor = root / "kg" / "static" / "vendor"
        try:
            written = assets.fetch(vendor, root / "kg" / "assets.lock.json")
        except Exception as exc:  # any failure leaves a working package without the playground
            self.app.display_warning(
                f"kg assets: could not fetch the playground's assets ({exc}); "
                "the playground will show how to fetch them later (kg assets)"
            )
            return
        self.app.display_info(f"kg assets: {len(written) or 'already'} files in {vendor}")
        if version != "editable":
            # The vendor folder is git-ignored, which hatchling would otherwise honour.
            for path in vendor.rglob("*"):
                if path.is_file():
                    relative = path.relative_to(root).as_posix()
                    build_data["force_include"][str(path)] = relative
