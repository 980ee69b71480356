"""``kg draw``: the pictures of the pages (``/orgchart/ID``, ``/timeline``) as SVG files.

Like the other commands, it imports what it runs inside its function (see ``kg.cli.commands``).
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.options import STORE

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


@click.group()
def draw() -> None:
    """Draw pictures from the graph as SVG files (the pages /orgchart/ID and /timeline)."""


@draw.command("orgchart")
@click.argument("ident", metavar="ID")
@_OUTPUT
@STORE
@_LAYOUT
def draw_orgchart(ident: str, output: Path, store: str | None, layout: str) -> None:
    """Draw the organisation chart of ID (e.g. openai, org/openai or a full IRI).

    The chart shows the units nested as the graph nests them, each with its lead post and
    holder, the reporting lines between posts, "kg editorial note" on what only kg's notes
    state and the sources' hedges, and the before/after of each reorganisation of them.
    """
    from kg.pictures.files import draw_orgchart as run
    from kg.settings import Settings

    _write(output, run(Settings.load(store=store), ident, engine=layout))


@draw.command("timeline")
@_OUTPUT
@click.option("--organisation", help="Only events of this organisation (e.g. openai).")
@click.option("--kind", help="Only events of this kind (e.g. StrategyShift, Reorganisation).")
@STORE
def draw_timeline(
    output: Path, organisation: str | None, kind: str | None, store: str | None
) -> None:
    """Draw the strategy timeline: events in date order, undated events last."""
    from kg.pictures.files import draw_timeline as run
    from kg.settings import Settings

    _write(output, run(Settings.load(store=store), organisation=organisation, kind=kind))


def _write(output: Path, svg: str) -> None:
    if str(output) == "-":
        click.echo(svg, nl=False)
    else:
        output.write_text(svg, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
