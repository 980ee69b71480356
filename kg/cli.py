"""The ``kg`` command line. It only parses arguments and delegates; errors become exit codes.

Exit codes: 0 success (data conforms), 1 failure (data does not conform, query failed),
2 unusable input (a file that does not parse, a bad argument).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.errors import KgError


class KgClickError(click.ClickException):
    """A KgError shown to the user with its exit code."""

    def __init__(self, error: KgError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kg")
def main() -> None:
    """kg: a knowledge graph of AI-infrastructure strategy, over GraphQL and SPARQL."""


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", help="RDF format of the files (default: from the extension).")
@click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as readable text or as JSON.",
)
def validate(files: tuple[Path, ...], fmt: str | None, output: str) -> None:
    """Validate RDF FILES (or the shipped graph) against the shapes.

    Exit 0 when the data conforms, 1 when it does not, 2 when a file cannot be read or parsed.
    """
    from kg import paths, rdf
    from kg.validate import validate_quads

    targets = list(files) or [paths.ARTICLE_GRAPH]
    try:
        quads = []
        for path in targets:
            quads.extend(rdf.parse_file(path, rdf.format_of(path, fmt)))
        report = validate_quads(quads)
    except KgError as exc:
        raise KgClickError(exc) from exc
    click.echo(report.dumps() if output == "json" else report.to_text())
    sys.exit(0 if report.conforms else 1)


@main.command()
@click.option("--force", is_flag=True, help="Fetch again even if the files are present.")
def assets(force: bool) -> None:
    """Fetch the playground's GraphiQL and React files from the npm registry.

    Each package is checked against the sha512 in kg/assets.lock.json before its files are
    written to kg/static/vendor/. Exit 1 when a download or a check fails.
    """
    from kg import assets as vendor

    try:
        written = vendor.fetch(force=force, log=True)
    except KgError as exc:
        raise KgClickError(exc) from exc
    click.echo(f"{len(written)} files in {vendor.VENDOR_DIR}" if written else "up to date")


@main.command()
@click.option("--host", help="Address to bind (default 127.0.0.1; KG_HOST).")
@click.option("--port", type=int, help="Port to listen on (default 8000; KG_PORT).")
@click.option("--workers", type=int, help="Worker processes (default 1; KG_WORKERS).")
@click.option("--store", help="Store directory, 'memory', or a SPARQL server URL (KG_STORE).")
def serve(host: str | None, port: int | None, workers: int | None, store: str | None) -> None:
    """Serve GraphQL, SPARQL and the exports over HTTP.

    An empty store is first loaded with the ontology and the article graph. Writes need the
    bearer token in KG_WRITE_TOKEN; without it the server is read-only.
    """
    from kg.serve import serve as run
    from kg.settings import Settings

    try:
        run(Settings.load(host=host, port=port, workers=workers, store=store))
    except KgError as exc:
        raise KgClickError(exc) from exc


@main.command()
@click.argument("document", metavar="QUERY")
@click.option("--variables", help="Variables of the query, as a JSON object.")
@click.option("--explain", is_flag=True, help="Also print the SPARQL the query ran.")
@click.option("--store", help="Store directory, 'memory', or a SPARQL server URL (KG_STORE).")
def query(document: str, variables: str | None, explain: bool, store: str | None) -> None:
    """Run a GraphQL QUERY (text, or @FILE) and print the result as JSON.

    Exit 1 when the result has errors, 2 when the arguments are unusable. With --explain, the
    SPARQL queries it generated are printed after the result, one per nesting level.
    """
    import json

    from kg import errors
    from kg.graphql.schema import execute
    from kg.settings import Settings
    from kg.store import ensure_seeded, open_store

    try:
        text = Path(document[1:]).read_text() if document.startswith("@") else document
        values = json.loads(variables) if variables else None
        if values is not None and not isinstance(values, dict):
            raise errors.InputError("--variables must be a JSON object")
    except (OSError, ValueError) as exc:
        raise KgClickError(errors.InputError(str(exc))) from exc
    except KgError as exc:
        raise KgClickError(exc) from exc
    try:
        settings = Settings.load(store=store)
        opened = open_store(
            settings.store_location, update_url=settings.update_url, gsp_url=settings.gsp_url
        )
        try:
            if settings.load_article:
                ensure_seeded(opened)
            sparql: list[str] = []
            result = execute(opened, settings, text, values, log_to=sparql)
        finally:
            opened.close()
    except KgError as exc:
        raise KgClickError(exc) from exc
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if explain:
        for number, generated in enumerate(sparql, 1):
            click.echo(f"\n# SPARQL query {number} of {len(sparql)}\n{generated}")
    sys.exit(1 if result.get("errors") else 0)


@main.command()
def schema() -> None:
    """Print the GraphQL schema (SDL), as committed in schema.graphql."""
    from kg.graphql.schema import sdl

    click.echo(sdl(), nl=False)


_LAYOUT = click.option(
    "--layout",
    type=click.Choice(["auto", "dot", "grandalf"]),
    default="auto",
    show_default=True,
    help="Layout engine: Graphviz dot (needs Graphviz), grandalf (pure Python), or auto.",
)
_OUTPUT = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    required=True,
    help="SVG file to write ('-' for standard output).",
)
_STORE = click.option(
    "--store", help="Store directory, 'memory', or a SPARQL server URL (KG_STORE)."
)


@main.group()
def draw() -> None:
    """Draw pictures from the graph as SVG files (the pages /orgchart/ID and /timeline)."""


@draw.command("orgchart")
@click.argument("ident", metavar="ID")
@_OUTPUT
@_STORE
@_LAYOUT
def draw_orgchart(ident: str, output: Path, store: str | None, layout: str) -> None:
    """Draw the organisation chart of ID (e.g. openai, org/openai or a full IRI).

    The chart shows the units nested as the graph nests them, each with its lead post and
    holder, and the before/after of each reorganisation of them.
    """
    from kg.pictures import draw_orgchart as run
    from kg.settings import Settings

    try:
        _write(output, run(Settings.load(store=store), ident, engine=layout))
    except KgError as exc:
        raise KgClickError(exc) from exc


@draw.command("timeline")
@_OUTPUT
@click.option("--organisation", help="Only events of this organisation (e.g. openai).")
@click.option("--kind", help="Only events of this kind (e.g. StrategyShift, Reorganisation).")
@_STORE
def draw_timeline(
    output: Path, organisation: str | None, kind: str | None, store: str | None
) -> None:
    """Draw the strategy timeline: events in date order, undated events last."""
    from kg.pictures import draw_timeline as run
    from kg.settings import Settings

    try:
        _write(output, run(Settings.load(store=store), organisation=organisation, kind=kind))
    except KgError as exc:
        raise KgClickError(exc) from exc


def _write(output: Path, svg: str) -> None:
    if str(output) == "-":
        click.echo(svg, nl=False)
    else:
        output.write_text(svg, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
