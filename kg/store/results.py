"""Query results in one portable shape, capped, and rendered in any SPARQL result format.

Both stores reduce a query result to a ``Result``: SELECT solutions as SPARQL TSV (lossless for
RDF terms, one row a line), an ASK answer, or CONSTRUCT/DESCRIBE triples as N-Triples (one
triple a line). The row cap (``max_results``) is applied while the result is produced, so a
query over the cap stops early instead of filling memory. From a ``Result`` we get Python rows,
or bytes in the media type a client asked for, serialized by pyoxigraph.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Literal, TypeVar, cast

import pyoxigraph as ox

from kg.errors import QueryError, ResultTooLarge

Kind = Literal["solutions", "boolean", "graph"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]

#: Result formats for SELECT and ASK: short name -> pyoxigraph format.
SOLUTION_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

#: Result formats for CONSTRUCT and DESCRIBE: short name -> pyoxigraph format.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

_BY_MEDIA_TYPE: dict[str, str] = {
    **{f.media_type.split(";")[0]: name for name, f in SOLUTION_FORMATS.items()},
    **{f.media_type.split(";")[0]: name for name, f in GRAPH_FORMATS.items()},
    "application/json": "json",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
}


def format_name(result_format: str) -> str:
    """The short name for a result format given as a short name or a media type."""
    key = result_format.split(";", 1)[0].strip().lower()
    if key in SOLUTION_FORMATS or key in GRAPH_FORMATS:
        return key
    if key in _BY_MEDIA_TYPE:
        return _BY_MEDIA_TYPE[key]
    known = ", ".join([*SOLUTION_FORMATS, *GRAPH_FORMATS])
    raise QueryError(f"unknown result format {result_format!r}; use one of {known}")


class _CappedBuffer:
    """A binary sink that counts lines and stops the writer once past ``max_lines``."""

    def __init__(self, max_lines: int | None) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.max_lines = max_lines

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        if self.max_lines is not None and self.lines > self.max_lines:
            raise _OverCap
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def getvalue(self) -> bytes:
        return b"".join(self.parts)

    def io(self) -> IO[bytes]:
        return cast(IO[bytes], self)


class _OverCap(Exception):
    pass


def release_frames(exc: BaseException) -> None:
    """Clear the frames of ``exc``'s traceback and of every exception it was raised from or
    during (``__cause__``, ``__context__``).

    pyoxigraph's results and parsers may be freed only on the thread that made them (pyo3
    "unsendable": freed elsewhere, they raise). A traceback keeps the frames that hold them, and
    the exception travels to the thread that handles it (the event loop), where it is freed,
    often by the cycle collector: clearing the frames first frees those objects here.
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__]


def rows_of(solutions: ox.QuerySolutions, max_results: int | None = None) -> list[Row]:
    """Python rows of SELECT solutions; unbound variables are absent from the row.

    Raises ResultTooLarge as soon as there are more than ``max_results`` rows.
    """
    names = [v.value for v in solutions.variables]
    rows: list[Row] = []
    for solution in solutions:
        if max_results is not None and len(rows) >= max_results:
            raise too_large(max_results)
        row: Row = {}
        for name in names:
            value = solution[name]
            if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
                row[name] = value
        rows.append(row)
    return rows


F = TypeVar("F", bound=Callable[..., Any])


def releasing(function: F) -> F:
    """``function``, with the frames of a failure cleared before it leaves (``release_frames``):
    the pyoxigraph results and parsers its frames or its arguments hold are freed on this
    thread. Pass such an argument directly (``read(store.query(...))``), not from a variable
    of the caller, whose frame the failure also carries."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BaseException as exc:
            release_frames(exc)
            del args, kwargs  # this frame stays in the traceback: drop the arguments it holds
            raise

    return cast(F, wrapper)


def too_large(max_results: int | None) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result has more than {max_results} rows; add a LIMIT or narrow the query",
        max_results=max_results,
    )


@dataclass(frozen=True)
class Result:
    """A query result: ``data`` is TSV (solutions), ``true``/``false``, or N-Triples (graph)."""

    kind: Kind
    data: bytes

    @classmethod
    @releasing
    def of(
        cls,
        outcome: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
        max_results: int | None = None,
    ) -> Result:
        """Capture a pyoxigraph query outcome, failing early past ``max_results`` rows."""
        if isinstance(outcome, ox.QueryBoolean):
            return cls("boolean", b"true" if bool(outcome) else b"false")
        if isinstance(outcome, ox.QuerySolutions):
            # The header line plus one line per row.
            sink = _CappedBuffer(None if max_results is None else max_results + 1)
            try:
                outcome.serialize(sink.io(), ox.QueryResultsFormat.TSV)
            except _OverCap:
                raise too_large(max_results) from None
            return cls("solutions", sink.getvalue())
        sink = _CappedBuffer(max_results)
        try:
            ox.serialize(outcome, sink.io(), ox.RdfFormat.N_TRIPLES)
        except _OverCap:
            raise too_large(max_results) from None
        return cls("graph", sink.getvalue())

    @classmethod
    @releasing
    def from_wire(cls, data: bytes, media_type: str, max_results: int | None = None) -> Result:
        """A Result from a SPARQL protocol response body (what a remote server sent)."""
        name = format_name(media_type)
        if name in SOLUTION_FORMATS:
            parsed = ox.parse_query_results(data, SOLUTION_FORMATS[name])
            if isinstance(parsed, ox.QueryBoolean):
                return cls("boolean", b"true" if bool(parsed) else b"false")
            if name == "tsv":
                rows = data.count(b"\n") - 1 if data.endswith(b"\n") else data.count(b"\n")
                if max_results is not None and rows > max_results:
                    raise too_large(max_results)
                return cls("solutions", data if data.endswith(b"\n") else data + b"\n")
            return cls.of(parsed, max_results)
        triples = (q.triple for q in ox.parse(data, GRAPH_FORMATS[name]))
        sink = _CappedBuffer(max_results)
        try:
            ox.serialize(triples, sink.io(), ox.RdfFormat.N_TRIPLES)
        except _OverCap:
            raise too_large(max_results) from None
        return cls("graph", sink.getvalue())

    @classmethod
    @releasing
    def from_stream(cls, source: IO[bytes], media_type: str, max_results: int | None) -> Result:
        """A Result from SPARQL results (JSON or XML) read from ``source`` as they arrive,
        stopping as soon as there are more than ``max_results`` rows."""
        name = format_name(media_type)
        if name not in ("json", "xml"):
            return cls.from_wire(source.read(), media_type, max_results)
        return cls.of(ox.parse_query_results(source, SOLUTION_FORMATS[name]), max_results)

    @releasing
    def rows(self) -> list[Row]:
        """Python rows of SELECT solutions (see ``rows_of``)."""
        return rows_of(self.solutions())

    def solutions(self) -> ox.QuerySolutions:
        if self.kind != "solutions":
            raise QueryError("expected a SELECT query")
        parsed = ox.parse_query_results(self.data, ox.QueryResultsFormat.TSV)
        assert isinstance(parsed, ox.QuerySolutions)
        return parsed

    def boolean(self) -> bool:
        if self.kind != "boolean":
            raise QueryError("expected an ASK query")
        return self.data == b"true"

    def triples(self) -> list[ox.Triple]:
        if self.kind != "graph":
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return [q.triple for q in ox.parse(self.data, ox.RdfFormat.N_TRIPLES)]

    def render(self, result_format: str) -> tuple[str, bytes]:
        """``(media type, body)`` in ``result_format``; a format that does not fit the query
        form (Turtle for a SELECT, CSV for a CONSTRUCT) falls back to that form's default
        (SPARQL JSON for SELECT and ASK, Turtle for graphs)."""
        name = format_name(result_format)
        if self.kind == "graph":
            rdf = GRAPH_FORMATS.get(name, ox.RdfFormat.TURTLE)
            if rdf == ox.RdfFormat.N_TRIPLES:
                return rdf.media_type, self.data
            triples = (q.triple for q in ox.parse(self.data, ox.RdfFormat.N_TRIPLES))
            return rdf.media_type, ox.serialize(triples, None, rdf) or b""
        fmt = SOLUTION_FORMATS.get(name, ox.QueryResultsFormat.JSON)
        if self.kind == "boolean":
            if fmt in (ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV):
                return fmt.media_type, self.data + b"\n"
            json = b'{"head":{},"boolean":' + self.data + b"}"
            parsed = ox.parse_query_results(json, ox.QueryResultsFormat.JSON)
            return fmt.media_type, parsed.serialize(None, fmt) or b""
        if fmt == ox.QueryResultsFormat.TSV:
            return fmt.media_type, self.data
        return fmt.media_type, self.solutions().serialize(None, fmt) or b""


def table(tsv: bytes, prefixes: dict[str, str] | None = None) -> str:
    """SELECT results (SPARQL TSV) as an aligned text table; IRIs shortened with ``prefixes``.

    A literal's value is shown without its language tag: a variable with language-tagged
    values gets a column ``lang(x)`` beside it holding the tags (as SPARQL's ``lang``)."""
    solutions = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    if isinstance(solutions, ox.QueryBoolean):
        return "true" if bool(solutions) else "false"
    variables = [v.value for v in solutions.variables]
    found = list(solutions)
    tagged = {n for s in found for n in variables if _language(s[n])}
    names = [c for n in variables for c in ([n, f"lang({n})"] if n in tagged else [n])]
    rows = [
        [
            cell
            for n in variables
            for cell in (
                [_cell(s[n], prefixes or {}), _language(s[n])]
                if n in tagged
                else [_cell(s[n], prefixes or {})]
            )
        ]
        for s in found
    ]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows),
    ]
    count = f"({len(rows)} row{'s' if len(rows) != 1 else ''})"
    return "\n".join([*lines, count])


def _cell(term: object, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, ns in prefixes.items():
            if term.value.startswith(ns) and len(term.value) > len(ns):
                return f"{prefix}:{term.value[len(ns) :]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value.replace("\n", "\\n")
    return str(term)


def _language(term: object) -> str:
    return (term.language or "") if isinstance(term, ox.Literal) else ""
