"""What a SPARQL request is, and whether it may run, decided before anything reaches the store.

``inspect_query`` and ``inspect_update`` parse the text (rdflib's SPARQL grammar) and walk the
parse tree: they tell the query form (SELECT, ASK, CONSTRUCT, DESCRIBE) and refuse federated
``SERVICE`` (anywhere, however deeply nested) and ``LOAD``, so the server never makes an
outgoing request on a client's behalf.

When rdflib's grammar does not accept a text that the store's own parser might (newer syntax),
or the text is long, a lexer that skips strings, IRIs, comments, variables and prefixed names
looks at the bare keywords instead (SERVICE and LOAD are reserved words, so a bare SERVICE is a
federated call); the store then gives its own parser's message if the text is malformed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from kg.errors import QueryError
from kg.model.sparqlparse import PARSE_LOCK

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS: dict[str, Form] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
_REFUSED = {
    "ServiceGraphPattern": (
        "federated SERVICE is not allowed on this endpoint: the server makes no outgoing requests"
    ),
    "Load": "LOAD is not allowed on this endpoint: the server makes no outgoing requests",
}


@dataclass(frozen=True)
class Checked:
    """A request that may run: its text and, for a query, its form."""

    text: str
    form: Form | None


def inspect_query(text: str) -> Checked:
    """The form of a read query; ``QueryError`` when it may not run here."""
    if not text.strip():
        raise QueryError("the query is empty")
    names = _parse_names(text, update=False)
    if names is None:
        keywords = set(_keywords(text))
        _refuse(keywords)
        form = next((k for k in _lex_forms(text)), None)
        if form is None:
            raise QueryError(
                "SPARQL syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
                "(updates go in the 'update' parameter or an application/sparql-update body)"
            )
        return Checked(text, form)
    _refuse(names)
    form = next((_FORMS[n] for n in names if n in _FORMS), None)
    if form is None:  # pragma: no cover - the grammar always yields one of the four forms
        raise QueryError("not a SPARQL query")
    return Checked(text, form)


def inspect_update(text: str) -> Checked:
    """An update that may run; ``QueryError`` for LOAD, SERVICE, or an empty text."""
    if not text.strip():
        raise QueryError("the update is empty")
    names = _parse_names(text, update=True)
    if names is None:
        _refuse(set(_keywords(text)))
    else:
        _refuse(names)
    return Checked(text, None)


def _refuse(names: set[str]) -> None:
    for name, message in _REFUSED.items():
        if name in names or _KEYWORD_OF[name] in names:
            raise QueryError(message)


_KEYWORD_OF = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


@lru_cache(maxsize=256)
def _parse_names_cached(text: str, update: bool) -> frozenset[str] | None:
    # rdflib's SPARQL grammar takes about 0.5 s to build: loaded only for queries that need it
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        with PARSE_LOCK:
            tree = parseUpdate(text) if update else parseQuery(text)
    except Exception:  # rdflib's grammar refused it; fall back to the lexer
        return None
    return frozenset(_names(tree))


#: Longer texts (large VALUES blocks, bulk INSERT DATA) skip rdflib's grammar, which takes about
#: a second per 80 kB: the keyword scan alone decides, which is as strict for SERVICE and LOAD.
PARSE_BELOW = 20_000


def _parse_names(text: str, *, update: bool) -> set[str] | None:
    """Names of every node of rdflib's parse tree, or None when it is not parsed."""
    if len(text) >= PARSE_BELOW:
        return None
    found = _parse_names_cached(text, update)
    return None if found is None else set(found)


def _names(node: object) -> Iterator[str]:
    # with the grammar above: loaded only when a query needs the full parse
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


# A SPARQL lexer just good enough to find bare keywords: strings, IRIs, comments, variables
# and prefixed names are skipped, so "SERVICE" inside a literal or an IRI is not a keyword.
_TOKEN = re.compile(
    r"""
      (?P<skip>
        '''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n]|\\.)*'
      | "(?:[^"\\\n]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
      | \#[^\n]*
      | [?$][\w\u00b7-\uffff]+
      | [\w.\u00b7-\uffff-]*:[\w.:%\\\u00b7-\uffff-]*
      )
    | (?P<word>[A-Za-z_][\w-]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _keywords(text: str) -> Iterator[str]:
    for match in _TOKEN.finditer(text):
        word = match.group("word")
        if word is not None:
            yield word.upper()


_LEX_FORMS: dict[str, Form] = {f: f for f in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")}


def _lex_forms(text: str) -> Iterator[Form]:
    for word in _keywords(text):
        if word in _LEX_FORMS:
            yield _LEX_FORMS[word]
