"""What a SPARQL request is, and whether it may run, decided before anything reaches the store.

The guard fails closed: a text it cannot judge with certainty is refused (``QueryError``, 400),
never guessed at. For a remote store it is the only defence against a request that makes the
server call out (``SERVICE``, ``LOAD``); on the embedded store, query evaluation also runs
without network (``kg.store.sandbox``).

1. **One text for both parsers.** SPARQL's codepoint escapes (``\\u0053ERVICE``) are expanded
   here, once, and the expanded text is what is parsed and what the store receives, so the
   store's parser (which expands them only inside strings and IRIs) and the guard's cannot read
   two different queries. A leading byte order mark is dropped. Refused: an escape that yields
   a backslash (a second round of escapes), a surrogate, NUL and other control characters but
   tab, line feed and carriage return, and a carriage return not followed by a line feed (one
   parser ends a comment there, another does not).
2. **Bounded.** Texts over ``max_query_length`` characters are refused, and so are texts
   nesting brackets and prefix operators more than ``max_query_nesting`` deep
   (``sparqltree.nesting``, measured on the text before any parser reads it: parsers recurse
   a level at a time, and Oxigraph's, which explains syntax errors, crashes its process on
   45,000 ``!`` in a row); the parse runs in a
   worker process (``kg.store.workers``: no network, bounded memory, at most ``query_workers`` at
   once) killed after ``parse_timeout`` seconds (rdflib's parser is slow on some texts: an
   18 KB ``FILTER(1 IN (1, 1, ...))`` takes seconds). Verdicts are cached by the text's
   SHA-256, and concurrent requests with the same text wait for one parse.
3. **A real parse** (``kg.http.sparqltree``). rdflib's SPARQL 1.1 grammar must accept the text;
   what it does not accept (a syntax error, or syntax newer than SPARQL 1.1 such as RDF-star
   triple terms) is refused. Every node of the parse tree is walked: ``SERVICE`` (however
   deeply nested, ``SILENT`` or not), ``LOAD`` and extension functions are refused.
4. **And a suspicious scan.** As a second, independent check, a keyword scan that ends comments
   at any line-like separator (CR, LF, VT, FF, NEL, U+2028, U+2029) refuses a bare ``SERVICE``
   or ``LOAD`` the parse did not see, for remote engines whose lexers differ.

Updates (with the write token) are checked the same way, and may not name the reserved graphs
(``kg.model.namespaces.RESERVED_GRAPHS``); whole-store operations (``CLEAR ALL``, a graph
variable in a template) stay the token holder's deliberate choice.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal

from kg.errors import QueryError, QueryTimeout
from kg.http import sparqltree
from kg.settings import Settings
from kg.store import workers

Form = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]
_FORMS: dict[str, Form] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

#: Defaults of the settings of the same name (``kg.settings``).
MAX_QUERY_LENGTH = 50_000
MAX_QUERY_NESTING = 64
PARSE_TIMEOUT = 3.0


@dataclass(frozen=True)
class Limits:
    """The guard's bounds: longest text in characters, seconds for the parse, seconds to wait
    for a free query process (``query_timeout``)."""

    max_length: int = MAX_QUERY_LENGTH
    parse_timeout: float = PARSE_TIMEOUT
    wait: float = 10.0
    workers: int = 4
    memory_mib: int = 2048
    max_nesting: int = MAX_QUERY_NESTING

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The bounds the settings give."""
        return cls(
            settings.max_query_length,
            settings.parse_timeout,
            settings.query_timeout,
            settings.query_workers,
            settings.query_memory,
            settings.max_query_nesting,
        )


@dataclass(frozen=True)
class Checked:
    """A request that may run: the text to send to the store and, for a query, its form."""

    text: str
    form: Form | None


def inspect_query(text: str, limits: Limits = Limits()) -> Checked:
    """The form of a read query; ``QueryError`` when it may not run here."""
    canonical = canonical_text(text, "query", limits)
    tree = _judge(canonical, update=False, limits=limits)
    form = next((_FORMS[n] for n in tree["names"] if n in _FORMS), None)
    if form is None:
        raise QueryError(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE "
            "(updates go in the 'update' parameter or an application/sparql-update body)"
        )
    return Checked(canonical, form)


def inspect_update(text: str, limits: Limits = Limits()) -> Checked:
    """An update that may run; ``QueryError`` for LOAD, SERVICE, a reserved graph..."""
    canonical = canonical_text(text, "update", limits)
    tree = _judge(canonical, update=True, limits=limits)
    for problem in tree["graphs"]:
        raise QueryError(problem)
    return Checked(canonical, None)


# --- 1. one text for both parsers ------------------------------------------------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_BAD_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]|\r(?!\n)")


def canonical_text(text: str, what: str, limits: Limits) -> str:
    """``text`` with codepoint escapes expanded, or ``QueryError`` for what parsers may
    read differently."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise QueryError(f"the {what} is empty")
    if len(text) > limits.max_length:
        raise QueryError(
            f"the {what} is {len(text):,} characters long; the limit is "
            f"{limits.max_length:,} (setting max_query_length)"
        )

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise QueryError(f"the escape {match.group(0)} names no Unicode character")
        char = chr(code)
        if char == "\\":
            raise QueryError(
                f"the escape {match.group(0)} yields a backslash: escapes are expanded once"
            )
        return char

    expanded = _ESCAPE.sub(expand, text)
    depth = sparqltree.nesting(expanded)
    if depth > limits.max_nesting:
        raise QueryError(
            f"the {what} nests brackets and operators {depth:,} deep; the limit is "
            f"{limits.max_nesting} (setting max_query_nesting)"
        )
    bad = _BAD_CHAR.search(expanded)
    if bad is not None:
        line = expanded.count("\n", 0, bad.start()) + 1
        column = bad.start() - (expanded.rfind("\n", 0, bad.start()) + 1) + 1
        char = bad.group(0)
        what_char = (
            "a carriage return not followed by a line feed"
            if char == "\r"
            else "a lone surrogate"
            if "\ud800" <= char <= "\udfff"
            else f"the control character U+{ord(char):04X}"
        )
        raise QueryError(
            f"the {what} contains {what_char} at line {line}, column {column}; "
            "it is refused because SPARQL parsers read it differently",
            line=line,
            column=column,
        )
    return expanded


# --- 2. bounded: the parse in a child with a deadline, cached by hash -----------------------

_cache: OrderedDict[tuple[str, bool], dict[str, list[str]]] = OrderedDict()
_pending: dict[tuple[str, bool], Future[dict[str, list[str]]]] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 512


def _judge(text: str, *, update: bool, limits: Limits) -> dict[str, list[str]]:
    """The verdict on ``text``: from the cache, from a parse already under way for the same
    text (concurrent identical requests parse once), or from a new parse."""
    key = (hashlib.sha256(text.encode("utf-8")).hexdigest(), update)
    with _cache_lock:
        verdict = _cache.get(key)
        if verdict is not None:
            _cache.move_to_end(key)
        pending = _pending.get(key)
        mine = verdict is None and pending is None
        if mine:
            pending = _pending[key] = Future()
    if verdict is None:
        assert pending is not None
        if mine:
            try:
                verdict = _parse(text, update, limits)
                pending.set_result(verdict)
            except BaseException as exc:
                pending.set_exception(exc)
                raise
            finally:
                with _cache_lock:
                    _pending.pop(key, None)
                    if verdict is not None:
                        _cache[key] = verdict
                        while len(_cache) > _CACHE_SIZE:
                            _cache.popitem(last=False)
        else:
            verdict = pending.result()
    if verdict.get("error"):
        raise QueryError(verdict["error"][0])
    return verdict


def _parse(text: str, update: bool, limits: Limits) -> dict[str, list[str]]:
    try:
        # Waiting for a free worker does not count against the parse's own time.
        return _pool(limits).call(
            sparqltree.verdict,
            text,
            update,
            timeout=limits.parse_timeout,
            wait=limits.wait,
            cancelled=workers.cancel_event(),
        )
    except QueryTimeout as exc:
        raise QueryError(
            f"the {'update' if update else 'query'} could not be checked within "
            f"{limits.parse_timeout:g} s (setting parse_timeout); it is refused",
            timeout=limits.parse_timeout,
        ) from exc


_pools: dict[tuple[int, int], workers.Pool] = {}


def warm(limits: Limits) -> None:
    """Start a parsing worker now (in the background), so the first request does not wait."""
    _pool(limits).warm()


def _pool(limits: Limits) -> workers.Pool:
    """The worker processes that parse (one pool per size and memory bound)."""
    key = (limits.workers, limits.memory_mib)
    with _cache_lock:
        if key not in _pools:
            _pools[key] = workers.Pool(*key, preload=(sparqltree.__name__,))
        return _pools[key]
