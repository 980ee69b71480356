"""The ``kg`` command line. It only parses arguments and delegates; errors become exit codes.

Exit codes: 0 success (data conforms), 1 failure (data does not conform, query failed),
2 unusable input (a file that does not parse, a bad argument). A ``KgError`` raised by any
command is translated once, by the group (``_Group``), into its message and its exit code.

Each command imports what it runs inside its function: the whole service (pySHACL, rdflib,
strawberry, uvicorn) takes seconds to import, so ``kg --help`` and the light commands start in
a fraction of that. These are the only function-local ``kg`` imports; nothing imports the CLI, so
they cannot hide an import cycle.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kg.cli.draw import draw
from kg.cli.options import STORE as _STORE
from kg.cli.options import flag_help as _flag_help
from kg.errors import InputError, KgError

if TYPE_CHECKING:
    from kg.validation.quotations import QuotationCheck
    from kg.validation.validate import Report


class KgClickError(click.ClickException):
    """A KgError shown to the user with its exit code."""

    def __init__(self, error: KgError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]


class _Group(click.Group):
    """The commands, whose ``KgError`` (of any command, subcommands included) is shown with its
    exit code, and whose MemoryError is unusable input (exit 2), as the other errors say."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            raise KgClickError(exc) from exc
        except MemoryError:
            pass  # raised below, once this block has let go of the frames holding the memory
        raise KgClickError(
            InputError("out of memory: the input is too large to process on this machine")
        )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--store",
    "store",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[LOCATION]",
    help="Validate a whole store instead of files, inside the store (shapes run as SPARQL): "
    "a directory, 'memory' or a SPARQL endpoint URL (default: the store setting, KG_STORE).",
)
def validate(files: tuple[Path, ...], fmt: str | None, output: str, store: str | None) -> None:
    """Validate RDF FILES (or the shipped graph, or a whole store) against the shapes.

    Exit 0 when the data conforms, 1 when it does not, 2 when a file cannot be read or parsed.
    """
    from kg.model import paths, rdf
    from kg.validation.quotations import quotations_in
    from kg.validation.validate import validate_quads

    targets = list(files) or [paths.ARTICLE_GRAPH]
    if store is not None:
        if files:
            raise InputError("give either FILES or --store, not both")
        report, quoted = _validate_store(store)
    else:
        quads = []
        for path in targets:
            quads.extend(rdf.parse_file(path, rdf.format_of(path, fmt)))
        report = validate_quads(quads)
        quoted = quotations_in(quads)
    click.echo(report.dumps() if output == "json" else f"{report.to_text()}\n{quoted.to_text()}")
    sys.exit(0 if report.conforms else 1)


def _validate_store(location: str) -> tuple[Report, QuotationCheck]:
    """The report of kg.validation.fastvalidate over the store at ``location`` (or the
    configured one), as it is: an empty store is not seeded first."""
    from kg.cli.service import reading
    from kg.settings import Settings
    from kg.validation.fastvalidate import validate_store
    from kg.validation.quotations import quotations_of

    opened = reading(Settings.load(store=location or None), seeded=False)
    try:
        return validate_store(opened), quotations_of(opened)
    finally:
        opened.close()


@main.command()
@click.option("--force", is_flag=True, help="Fetch again even if the files are present.")
def assets(force: bool) -> None:
    """Fetch the playground's GraphiQL and React files from the npm registry.

    Each package is checked against the sha512 in kg/assets.lock.json before its files are
    written to kg/static/vendor/. Exit 1 when a download or a check fails.
    """
    from kg.http import assets as vendor

    written = vendor.fetch(force=force, log=True)
    click.echo(f"{len(written)} files in {vendor.VENDOR_DIR}" if written else "up to date")


@main.command()
@click.option("--host", help=_flag_help("host", "Address to bind"))
@click.option("--port", type=int, help=_flag_help("port", "Port to listen on"))
@click.option("--workers", type=int, help=_flag_help("workers", "Worker processes"))
@_STORE
def serve(host: str | None, port: int | None, workers: int | None, store: str | None) -> None:
    """Serve GraphQL, SPARQL and the exports over HTTP.

    An empty store is first loaded with the ontology and the article graph. Writes need the
    bearer token in KG_WRITE_TOKEN; without it the server is read-only.
    """
    from kg.cli.serve import serve as run
    from kg.settings import Settings

    run(Settings.load(host=host, port=port, workers=workers, store=store))


@main.command()
@click.argument("document", metavar="QUERY")
@click.option("--variables", help="Variables of the query, as a JSON object.")
@click.option("--explain", is_flag=True, help="Also print the SPARQL the query ran.")
@_STORE
def query(document: str, variables: str | None, explain: bool, store: str | None) -> None:
    """Run a GraphQL QUERY (text, or @FILE) and print the result as JSON.

    Exit 1 when the result has errors, 2 when the arguments are unusable. With --explain, the
    SPARQL queries it generated are printed after the result, one per nesting level.
    """
    import json

    from kg.cli.service import answer
    from kg.settings import Settings

    try:
        text = Path(document[1:]).read_text() if document.startswith("@") else document
        values = json.loads(variables) if variables else None
    except (OSError, ValueError) as exc:
        raise InputError(str(exc)) from exc
    if values is not None and not isinstance(values, dict):
        raise InputError("--variables must be a JSON object")
    sparql: list[str] = []
    result = answer(Settings.load(store=store), text, values, explain=explain, log_to=sparql)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    if explain:
        for number, generated in enumerate(sparql, 1):
            click.echo(f"\n# SPARQL query {number} of {len(sparql)}\n{generated}")
    sys.exit(1 if result.get("errors") else 0)


main.add_command(draw)


@main.command()
def schema() -> None:
    """Print the GraphQL schema (SDL), as committed in schema.graphql."""
    from kg.graphql.schema import sdl

    click.echo(sdl(), nl=False)


@main.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--graph", help="Named graph for triple formats (default: graph/<file stem>).")
@click.option("--format", "fmt", help="RDF format of the files (default: from the extension).")
@_STORE
@click.option(
    "--token",
    help="Write token of the running kg serve holding the store, when there is one "
    "(default: KG_WRITE_TOKEN).",
)
@click.option(
    "--bulk/--no-bulk",
    default=None,
    help="Force the large-load path (bulk parser, in-store validation) on or off "
    "(default: on for files over 2 MiB).",
)
def load_command(
    files: tuple[Path, ...],
    graph: str | None,
    fmt: str | None,
    store: str | None,
    token: str | None,
    bulk: bool,
) -> None:
    """Validate RDF FILES against the shapes and load them in one transaction.

    Each source goes into its own named graph; loading a graph again replaces it. A file that
    does not parse (exit 2) or does not conform (exit 1, with the report) loads nothing. While
    kg serve holds the store, the files go through its write path (with the write token).
    """
    import io

    from kg.cli import service
    from kg.settings import Settings
    from kg.store.opening import open_or_served
    from kg.store.serving import Service
    from kg.writes.load import LARGE_LOAD_BYTES, load, read_files, sources

    settings = Settings.load(store=store, write_token=token)
    opened = open_or_served(settings)
    if isinstance(opened, Service):
        click.echo(service.note(opened, settings.store_location), err=True)
        started = time.monotonic()
        todo = sources(files, fmt, graph)
        done = service.load(opened, read_files(todo), settings.write_token)
        click.echo(
            f"Loaded {done['triples']:,} triples into {len(done['graphs']):,} graph(s) from "
            f"{len(todo)} file(s) through {opened.url} in {time.monotonic() - started:.2f} s "
            f"(change {done['change']})"
        )
        return
    size = sum(p.stat().st_size for p in files if p.is_file())
    shown = bulk if bulk is not None else size > LARGE_LOAD_BYTES
    started = time.monotonic()
    with click.progressbar(
        length=size,
        label="Loading",
        file=sys.stderr if shown else io.StringIO(),
        show_eta=True,  # time left, from the bytes read so far
        item_show_func=lambda rate: rate,
    ) as bar:

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            rate = done / elapsed / 1e6 if elapsed > 0 else 0.0
            bar.update(done - bar.pos, f"{rate:.1f} MB/s" if done < total else "validating")

        try:
            result = load(opened, files, fmt=fmt, graph=graph, progress=progress, bulk=bulk)
        finally:
            opened.close()
    click.echo(result.summary())


@main.command()
@click.argument("text", metavar="QUERY")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "turtle", "ntriples"]),
    default="table",
    show_default=True,
    help="Output format (table: aligned columns for SELECT, Turtle for CONSTRUCT).",
)
@_STORE
@click.option("--timeout", type=float, help="Seconds before the query is stopped.")
def sparql(text: str, fmt: str, store: str | None, timeout: float | None) -> None:
    """Run a SPARQL QUERY (text, or @FILE) over the store and print its result.

    kg's prefixes (kg:, id:, org:, prov:, schema:, skos:, dct:, rdfs:, xsd: ...) are declared.
    The query is checked as /sparql checks it: federated SERVICE is refused (exit 2).
    """
    from kg.cli.service import reading
    from kg.http import guard
    from kg.model.namespaces import PREFIXES, sparql_prefixes
    from kg.settings import Settings
    from kg.store import querypool
    from kg.store.results import table

    try:
        query = Path(text[1:]).read_text() if text.startswith("@") else text
    except OSError as exc:
        raise InputError(str(exc)) from exc
    query = sparql_prefixes() + query  # kg's prefixes, overridable by the query's own
    settings = Settings.load(store=store)
    querypool.configure(memory_mib=settings.query_memory, concurrency=settings.query_workers)
    # The same guard as /sparql: no SERVICE or LOAD, nothing it cannot judge.
    checked = guard.inspect_query(query, guard.Limits.of(settings))
    opened = reading(settings)
    try:
        raw = opened.query_raw(
            checked.text,
            result_format="tsv" if fmt == "table" else fmt,
            timeout=timeout or settings.query_timeout,
            max_results=settings.max_results,
        )
        body = b"".join(raw.chunks)
    finally:
        opened.close()
    if fmt == "table" and raw.media_type.startswith("text/tab-separated-values"):
        click.echo(table(body, PREFIXES))
    else:
        click.echo(body.decode("utf-8"), nl=not body.endswith(b"\n"))


@main.command()
@click.option("--format", "fmt", help="trig, nquads, jsonld, turtle, ntriples or rdfxml.")
@click.option("--graph", help="Export only this named graph ('default': the default graph).")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="File to write (default: standard output; its extension sets the format).",
)
@_STORE
def export(fmt: str | None, graph: str | None, output: Path | None, store: str | None) -> None:
    """Export the store (or one graph) as RDF, streamed.

    Without --format: from the output's extension, else TriG (whole store) or Turtle (one
    graph). Turtle, N-Triples and RDF/XML carry no graph names: the whole store in them is the
    union of its graphs. The export is read back as it is written: unless it holds as many
    statements as the store, it exits 1 and leaves no file.
    """
    from kg.cli.service import reading
    from kg.settings import Settings
    from kg.store import export as exporting

    rdf_format = exporting.choose_format(fmt, output, graph)
    opened = reading(Settings.load(store=store))
    try:
        if output is None or str(output) == "-":
            exporting.write(opened, rdf_format, sys.stdout.buffer, graph)
        else:
            size = exporting.write_file(opened, rdf_format, output, graph)
            click.echo(f"wrote {size:,} bytes to {output}", err=True)
    finally:
        opened.close()
