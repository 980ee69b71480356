"""Options the commands share, with their help drawn from the settings they set."""

from __future__ import annotations

import click

from kg.settings import SETTINGS


def flag_help(name: str, what: str) -> str:
    """The help of the flag of setting ``name``: ``what``, then the setting's default and
    variable, as ``kg.settings`` declares them."""
    declared = next(s for s in SETTINGS if s.name == name)
    default = f"default {declared.default}; " if declared.default is not None else ""
    return f"{what} ({default}KG_{name.upper()})."


STORE = click.option(
    "--store", help=flag_help("store", "Store directory, 'memory', or a SPARQL server URL")
)
