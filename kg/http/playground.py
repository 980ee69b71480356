"""The GraphQL playground: GraphiQL served entirely by kg, so it works with no internet.

``graphiql_page(example_query)`` is the HTML that GET ``/graphql`` returns to a browser (the
GraphQL view calls it). Its JavaScript and CSS come from ``/static/...`` (:func:`static_routes`):
GraphiQL and React from ``kg/static/vendor/`` (fetched from the npm registry by ``kg.http.assets``,
never committed) and a small script of our own, ``kg/static/playground.js``. A
Content-Security-Policy keeps the page from loading anything from another origin. When the
vendor files are missing the page says so and how to fetch them, instead of staying blank.
"""

from __future__ import annotations

import html
import json
import os
import stat
from pathlib import Path

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from kg.http import assets
from kg.http.layout import STYLE, header
from kg.model import paths

STATIC_PREFIX = "/static"
#: Used when no example query is given and ``queries/`` has none.
FALLBACK_QUERY = """\
# The three groups OpenAI's infrastructure team was reorganised into, what each is
# responsible for, and whether the source names its leader. Press run (Ctrl-Enter).
{
  node(id: "unit/openai-infrastructure") {
    ... on Unit {
      name
      subUnits {
        name
        responsibilities { statement }
        posts { title holderStatus { label } }
      }
    }
  }
}
"""

# 'unsafe-inline' styles: React and CodeMirror set style attributes; scripts stay 'self' only.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)

_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
}
_IMMUTABLE = "public, max-age=31536000, immutable"


def default_example_query(directory: Path | None = None) -> str:
    """The playground's opening query: ``queries/example.graphql``, else the first ``.graphql``."""
    folder = directory or paths.QUERIES_DIR
    preferred = folder / "example.graphql"
    candidates = [preferred] if preferred.is_file() else sorted(folder.glob("*.graphql"))
    for path in candidates:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text + "\n"
    return FALLBACK_QUERY


def _vendor(name: str, file: str) -> str:
    return f"{STATIC_PREFIX}/vendor/{assets.vendor_path(name, file)}"


def _json_for_script(value: object) -> str:
    """JSON safe to embed in a ``<script type="application/json">`` element."""
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _header() -> str:
    return header(current="/graphql")


def _head(extra: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        "<title>kg GraphQL playground</title>"
        '<link rel="icon" href="data:,">'
        f"{extra}"
        f'<link rel="stylesheet" href="{STYLE}">'
        f'<link rel="stylesheet" href="{STATIC_PREFIX}/playground.css">'
        "</head>"
    )


def missing_assets_page(query: str, absent: list[str]) -> str:
    """What the playground shows when GraphiQL's files were not fetched."""
    files = "".join(f"<li><code>{html.escape(f)}</code></li>" for f in absent)
    return (
        _head("")
        + '<body class="kg-missing">'
        + _header()
        + '<main class="kg-notice"><h1>The playground\'s assets are missing</h1>'
        "<p>GraphiQL's JavaScript and CSS were not fetched when kg was installed, so the "
        "playground cannot start. Fetch them from the npm registry with</p>"
        "<pre><code>kg assets</code></pre>"
        "<p>(or <code>python -m kg.http.assets</code>), then reload this page. Missing files, "
        "under "
        f"<code>{html.escape(str(assets.VENDOR_DIR))}</code>:</p><ul>{files}</ul>"
        "<p>The GraphQL endpoint itself works: POST a query to this URL, for example</p>"
        f"<pre><code>{html.escape(query)}</code></pre></main></body></html>"
    )


def graphiql_page(example_query: str = "") -> str:
    """The full HTML of the playground, opening with ``example_query`` (or the default one)."""
    query = example_query or default_example_query()
    absent = assets.missing()
    if absent:
        return missing_assets_page(query, absent)
    config = {"query": query}
    return (
        _head(f'<link rel="stylesheet" href="{_vendor("graphiql", "graphiql.min.css")}">')
        + "<body>"
        + _header()
        + '<main id="graphiql" class="kg-graphiql">Loading the playground…</main>'
        + f'<script type="application/json" id="kg-playground-config">{_json_for_script(config)}'
        "</script>"
        f'<script src="{_vendor("react", "react.production.min.js")}"></script>'
        f'<script src="{_vendor("react-dom", "react-dom.production.min.js")}"></script>'
        f'<script src="{_vendor("graphiql", "graphiql.min.js")}"></script>'
        f'<script src="{STATIC_PREFIX}/playground.js"></script>'
        "</body></html>"
    )


def _accepts_gzip(scope: Scope) -> bool:
    for part in Headers(scope=scope).get("accept-encoding", "").split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() == "gzip" and params.replace(" ", "") not in {"q=0", "q=0.0"}:
            return True
    return False


class StaticAssets(StaticFiles):
    """Static files with explicit media types and cache headers.

    Vendor files live under a versioned folder, so browsers may keep them for a year; our own
    files are revalidated on each load (ETag, 304). A vendor file stored with a ``.gz`` beside
    it (see ``kg.http.assets``) is sent compressed to browsers that accept gzip.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not path.endswith(assets.COMPRESSED):
            return await super().get_response(path, scope)
        response = None
        if scope["method"] in ("GET", "HEAD") and _accepts_gzip(scope):
            response = await self._gzipped(path, scope)
        response = response or await super().get_response(path, scope)
        response.headers["vary"] = "Accept-Encoding"
        return response

    async def _gzipped(self, path: str, scope: Scope) -> Response | None:
        """The ``.gz`` stored beside ``path``, sent with Content-Encoding: gzip; None if absent."""
        full_path, stat_result = await anyio.to_thread.run_sync(self.lookup_path, path + ".gz")
        if stat_result is None or not stat.S_ISREG(stat_result.st_mode):
            return None
        response = self.file_response(full_path, stat_result, scope)
        response.headers["content-type"] = _MEDIA_TYPES[Path(path).suffix]
        response.headers["content-encoding"] = "gzip"
        return response

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        media_type = _MEDIA_TYPES.get(Path(full_path).suffix)
        if media_type:
            response.headers["content-type"] = media_type
        vendored = Path(full_path).resolve().is_relative_to(assets.VENDOR_DIR.resolve())
        response.headers["cache-control"] = _IMMUTABLE if vendored else "no-cache"
        response.headers["x-content-type-options"] = "nosniff"
        return response


def static_routes() -> list[BaseRoute]:
    """The ``/static`` mount serving ``kg/static`` (the playground's script, style and vendor)."""
    return [Mount(STATIC_PREFIX, app=StaticAssets(directory=assets.STATIC_DIR), name="static")]
