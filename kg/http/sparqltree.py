"""What rdflib's parse of a SPARQL text says, for the guard (``kg.http.guard``).

``verdict(text, update)`` runs in a worker process (``kg.store.workers``): rdflib's SPARQL 1.1
parse, then every node of the tree is walked. It answers ``{"error": [message]}`` when the text may
not run (a syntax error, syntax outside SPARQL 1.1, ``SERVICE``, ``LOAD``, an extension
function), else the node names and, for an update, why it may write a reserved graph.

A second, independent check is a keyword scan that ends comments at any line-like separator
(CR, LF, VT, FF, NEL, U+2028, U+2029): a bare ``SERVICE`` or ``LOAD`` it finds is refused even
when the parse did not see one, for remote engines whose lexers differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib import URIRef
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from kg.model.namespaces import RESERVED_GRAPHS

_REFUSED = {
    "SERVICE": "federated SERVICE is not allowed on this endpoint: the server makes no "
    "outgoing requests",
    "LOAD": "LOAD is not allowed on this endpoint: the server makes no outgoing requests",
}
_NODE_KEYWORD = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


def verdict(text: str, update: bool) -> dict[str, list[str]]:
    """What the guard needs from rdflib's parse of ``text``: node names, graph problems."""

    what = "update" if update else "query"
    try:
        tree = parseUpdate(text) if update else parseQuery(text)
    except ParseException as exc:
        return {"error": [_syntax_message(text, update, exc)]}
    except RecursionError:
        return {"error": [f"the {what} is nested too deeply for the guard to parse; it is refused"]}
    except Exception as exc:  # rdflib raises other types for some malformed texts
        return {"error": [f"the {what} could not be parsed as SPARQL 1.1: {exc}"]}
    names = sorted(set(_names(tree)))
    for name, keyword in _NODE_KEYWORD.items():
        if name in names:
            return {"error": [_REFUSED[keyword]]}
    for keyword in _keywords(text):
        if keyword in _REFUSED:
            return {"error": [_REFUSED[keyword]]}
    unknown = _extension_function(tree)
    if unknown is not None:
        return {
            "error": [
                f"the extension function <{unknown}> is not available on this endpoint "
                "(only the XSD casts are)"
            ]
        }
    graphs = _graph_problems(tree) if update else []
    return {"names": names, "graphs": graphs}


_XSD = "http://www.w3.org/2001/XMLSchema#"


def _extension_function(tree: object) -> str | None:
    """The IRI of a function call other than an XSD cast, if the text has one."""

    nodes = [n for n in _nodes(tree) if isinstance(n, CompValue)]
    prefixes = {
        str(dict.get(n, "prefix") or ""): str(dict.get(n, "iri"))
        for n in nodes
        if n.name == "PrefixDecl"
    }
    for node in nodes:
        if node.name != "Function":
            continue
        iri = dict.get(node, "iri")
        if isinstance(iri, CompValue):  # a prefixed name
            prefix = str(dict.get(iri, "prefix") or "")
            iri = prefixes.get(prefix, "?") + str(dict.get(iri, "localname") or "")
        if not str(iri).startswith(_XSD):
            return str(iri)
    return None


def _syntax_message(text: str, update: bool, exc: Exception) -> str:
    """Why the guard's grammar refused ``text``: the store's parser says it best (where, and
    what it expected), run on an empty in-memory store in this sandboxed worker."""

    if not update:
        try:
            parseUpdate(text)
        except Exception:  # not an update either: find the syntax error below
            pass
        else:
            return (
                "this is a SPARQL update, not a query: send it in the 'update' parameter or "
                "an application/sparql-update body"
            )
    try:
        if update:
            ox.Store().update(text)
        else:
            ox.Store().query(text)
    except SyntaxError as error:
        return f"SPARQL syntax error: {error}"
    except Exception:  # parsed, failed later: the guard's grammar is the reason
        pass
    return (
        f"the {'update' if update else 'query'} uses syntax outside SPARQL 1.1 ({exc}); "
        "the guard cannot judge it, so it is refused"
    )


def _names(node: object) -> Iterator[str]:

    for item in _nodes(node):
        if isinstance(item, CompValue):
            yield item.name


def _nodes(node: object) -> Iterator[object]:
    """Every node of a parse tree (CompValues, lists, terms)."""

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue | dict):
            stack.extend(dict.values(item))
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)


def _graph_problems(tree: object) -> list[str]:
    """Why the update may not run: it names a reserved graph. Whole-store operations
    (``CLEAR ALL``, ``DROP NAMED``, a graph variable in a template) stay the write-token
    holder's deliberate choice, as the SPARQL 1.1 Protocol's tests expect them to work."""
    try:
        operations = translateUpdate(tree).algebra  # type: ignore[arg-type]
    except Exception as exc:  # undeclared prefix and the like
        return [f"the update could not be read: {exc}"]
    reserved = {str(g) for g in RESERVED_GRAPHS}
    problems: list[str] = []
    for op in operations:
        for value in _values(op):
            if isinstance(value, URIRef) and str(value) in reserved:
                problems.append(
                    f"the graph <{value}> is reserved to kg (history and ontology); "
                    "updates may not name it"
                )
    return problems


def _values(node: object) -> Iterator[object]:

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue | dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set):
            stack.extend(item)
        else:
            yield item


# --- 4. the suspicious keyword scan ----------------------------------------------------------

# Strings, IRIs, comments, variables and prefixed names are skipped, so "SERVICE" inside a
# literal or an IRI is not a keyword; a comment ends at any line-like separator.
_TOKEN = re.compile(
    r"""
      (?P<skip>
        '''(?:[^'\\]|\\.|'(?!''))*'''
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\n\r]|\\.)*'
      | "(?:[^"\\\n\r]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>
      | \#[^\n\r\x0b\x0c\x85\u2028\u2029]*
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


_OPEN, _CLOSE, _PREFIX = frozenset("({["), frozenset(")}]"), frozenset("!+-^")


def nesting(text: str) -> int:
    """How deep ``text`` nests: open brackets plus a run of prefix operators (``!!!x``), its
    strings, IRIs, comments and names skipped. Parsers recurse once a level or more: this is
    measured before any of them reads the text."""
    depth = run = deepest = 0
    for match in _TOKEN.finditer(text):
        char = match.group("other")
        if char is None:
            run = 0
        elif char in _OPEN:
            depth, run = depth + 1, 0
        elif char in _CLOSE:
            depth, run = max(0, depth - 1), 0
        elif char in _PREFIX:
            run += 1
        elif not char.isspace():
            run = 0
        deepest = max(deepest, depth + run)
    return deepest
