"""The parts of the SPARQL 1.1 Protocol that change the text kg sends to the store.

* ``using-graph-uri`` / ``using-named-graph-uri`` on an update: each ``DELETE``/``INSERT ...
  WHERE`` operation of the request gets them as ``USING <g>`` / ``USING NAMED <g>`` clauses (the
  protocol's dataset for the update's ``WHERE``). A request that names its own dataset with
  ``USING`` or ``WITH`` as well is refused (400), as the protocol requires.
* **Base IRI**: a query or update with a relative IRI (``<test>``) and no ``BASE`` of its own is
  read against the endpoint's URL (the protocol lets the service choose; the endpoint is what it
  suggests), by putting ``BASE <endpoint>`` in front of it.

A small lexer finds what matters (top-level keywords and braces, IRIs), skipping strings,
comments, variables and prefixed names, so a keyword inside a literal is never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import InputError

_TOKEN = re.compile(
    r"""
      (?P<skip>
        '''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n]|\\.)*'
      | "(?:[^"\\\n]|\\.)*"
      | \#[^\n]*
      | [?$][\w\u00b7-\uffff]+
      | [\w.\u00b7-\uffff-]*:[\w.:%\\\u00b7-\uffff-]*
      )
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<word>[A-Za-z_][\w-]*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)
_ABSOLUTE = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:")
_GRAPH_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*")


def _top_level(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """``(kind, match)`` of the tokens outside any ``{...}``; ``}`` closing to the top too."""
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
            if depth == 0:
                yield kind, match
            continue
        if depth == 0 and kind != "skip":
            yield kind, match


def with_using(update: str, using: list[str], using_named: list[str]) -> str:
    """``update`` with the protocol's ``using-graph-uri``/``using-named-graph-uri`` put into
    each ``DELETE``/``INSERT ... WHERE`` operation; InputError on a conflict or a bad IRI."""
    if not using and not using_named:
        return update
    for name, graphs in (("using-graph-uri", using), ("using-named-graph-uri", using_named)):
        for graph in graphs:
            if not _GRAPH_IRI.fullmatch(graph):
                raise InputError(f"the {name} parameter is not an absolute IRI: {graph!r}")
    clauses = "".join(f"USING <{g}> " for g in using)
    clauses += "".join(f"USING NAMED <{g}> " for g in using_named)
    positions: list[int] = []
    previous = ""
    for kind, match in _top_level(update):
        word = match.group().upper() if kind == "word" else ""
        if word in ("USING", "WITH"):
            raise InputError(
                "the update names its dataset with USING or WITH and with the "
                "using-graph-uri/using-named-graph-uri parameters: give one or the other"
            )
        if word == "WHERE" and previous != "DELETE":  # DELETE WHERE takes no dataset
            positions.append(match.start())
        previous = word or match.group()
    for position in reversed(positions):
        update = update[:position] + clauses + update[position:]
    return update


def with_base(text: str, base: str) -> str:
    """``text`` read against ``base`` when it has a relative IRI and no ``BASE`` of its own."""
    relative = False
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "word" and match.group().upper() == "BASE":
            return text
        if kind == "iri" and not _ABSOLUTE.match(match.group()):
            relative = True
    return f"BASE <{base}> {text}" if relative else text
