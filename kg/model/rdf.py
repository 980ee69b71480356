"""Reading RDF files: format detection and parser errors that say where.

Files are parsed with pyoxigraph (fast, and its errors carry line and column); JSON-LD and
RDF/XML parse with pyoxigraph as well. Everything is parsed completely before anything is
used, so a file that fails half-way is never half-applied.
"""

from __future__ import annotations

import gzip
import re
import xml.parsers.expat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from kg.errors import InputError, ParseError
from kg.model.text import illegal_character

#: The one format table: names accepted by ``--format`` (``kg load``, ``kg export``) and
#: ``?format=`` (``/export``, ``/store``), each format with its media type.
FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}

_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "nq": "nquads",
    "n-quads": "nquads",
    "json-ld": "jsonld",
    "json": "jsonld",
    "xml": "rdfxml",
    "rdf": "rdfxml",
    "owl": "rdfxml",
    "rdf/xml": "rdfxml",
    # media types (``?format=text/turtle``, ``Accept``)
    "text/plain": "ntriples",
    "application/x-turtle": "turtle",
    **{f.media_type: name for name, f in FORMATS.items()},
}

_EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".trig": "trig",
    ".nt": "ntriples",
    ".nq": "nquads",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "rdfxml",
    ".xml": "rdfxml",
    ".owl": "rdfxml",
}


def format_named(name: str, *, what: str = "RDF format") -> ox.RdfFormat:
    """The RDF format for a user-given name (``turtle``, ``ttl``, ``json``...) or media type
    (``text/turtle``; parameters such as ``;charset=utf-8`` are ignored)."""
    given = name.split(";")[0].strip().lower()
    key = _ALIASES.get(given, given)
    if key not in FORMATS:
        raise InputError(f"unknown {what} {name!r}; use one of {', '.join(FORMATS)}", format=name)
    return FORMATS[key]


def format_of(path: Path, explicit: str | None = None) -> ox.RdfFormat:
    """The format of a file: ``explicit`` if given, else from its extension (``.gz`` ignored)."""
    if explicit:
        return format_named(explicit)
    suffixes = [s for s in path.suffixes if s != ".gz"]
    ext = suffixes[-1].lower() if suffixes else ""
    if ext not in _EXTENSIONS:
        raise InputError(
            f"{path}: cannot tell the RDF format from the extension {ext or '(none)'!r}; "
            "pass --format",
            source=str(path),
        )
    return FORMATS[_EXTENSIONS[ext]]


_LOCATION = re.compile(r"line (\d+)(?:,? column (\d+))?|(\d+):(\d+)")


def xml_error_location(data: bytes) -> tuple[int, int] | None:
    """Line and column of an XML well-formedness error, or None when the XML is well formed.

    pyoxigraph's RDF/XML errors carry no position; expat finds where the XML itself breaks.
    """
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1
    return None


class _Prolog(Exception):
    """The root element began: the prolog had no DOCTYPE."""


def refuse_doctype(data: bytes | Path, source: str) -> None:
    """``ParseError`` when an RDF/XML document declares a DOCTYPE or entities.

    Entity expansion ("billion laughs": a 1 KB file that expands to gigabytes) is refused in
    every RDF/XML parse: RDF/XML needs no DTD. Only the prolog is read (up to the root element).
    """
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    found: list[int] = []

    def doctype(*_: object) -> None:
        found.append(parser.CurrentLineNumber)
        raise _Prolog

    def element(*_: object) -> None:
        raise _Prolog

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        if isinstance(data, bytes):
            parser.Parse(data, True)
        else:
            with _open(data) as fh:
                while chunk := fh.read(1 << 16):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
    except _Prolog:
        pass
    except xml.parsers.expat.ExpatError:
        return  # not well-formed: the RDF/XML parser says where
    except OSError:
        return
    if found:
        raise ParseError(
            "RDF/XML with a DOCTYPE or entity declarations is refused (entity expansion can "
            "make a small file huge); remove the DOCTYPE",
            source=source,
            line=found[0],
        )


def _open(path: Path) -> IO[bytes]:
    import gzip

    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def parse_error(
    exc: Exception, source: str, *, fmt: ox.RdfFormat | None = None, data: bytes | None = None
) -> ParseError:
    """A ParseError for a pyoxigraph SyntaxError, with the line and column it names.

    For RDF/XML, whose parser reports no position, the line comes from an XML check of ``data``.
    """
    msg = getattr(exc, "msg", None)
    text = msg if isinstance(exc, SyntaxError) and isinstance(msg, str) and msg else str(exc)
    line = column = None
    start = getattr(exc, "lineno", None)
    if isinstance(start, int) and start > 0:
        line = start
        offset = getattr(exc, "offset", None)
        column = offset if isinstance(offset, int) and offset > 0 else None
    else:
        found = _LOCATION.search(text)
        if found:
            line = int(found.group(1) or found.group(3))
            col = found.group(2) or found.group(4)
            column = int(col) if col else None
    if line is None and fmt == ox.RdfFormat.RDF_XML and data is not None:
        located = xml_error_location(data)
        if located:
            line, column = located
    return ParseError(text, source=source, line=line, column=column)


def parse_file(
    path: Path, fmt: ox.RdfFormat | None = None, *, base_iri: str | None = None
) -> list[ox.Quad]:
    """Every quad of an RDF file, or a ParseError naming the line; nothing partial."""
    fmt = fmt or format_of(path)
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_doctype(path, str(path))
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return list(ox.parse(_without_bom(fh.read()), fmt, base_iri=base_iri))
        with path.open("rb") as fh:
            has_bom = fh.read(len(_BOM)) == _BOM
        if has_bom:  # editors on some systems start UTF-8 files with a byte order mark
            return list(ox.parse(_without_bom(path.read_bytes()), fmt, base_iri=base_iri))
        return list(ox.parse(path=str(path), format=fmt, base_iri=base_iri))
    except (SyntaxError, ValueError) as exc:
        data = _read_for_location(path) if fmt == ox.RdfFormat.RDF_XML else None
        raise parse_error(exc, str(path), fmt=fmt, data=data) from exc
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}", source=str(path)) from exc


def parse_bytes(data: bytes, fmt: ox.RdfFormat, source: str) -> list[ox.Quad]:
    """Every quad of an RDF document held in memory (``source`` names it in errors), or a
    ParseError naming the line; nothing partial."""
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_doctype(data, source)
    try:
        return list(ox.parse(_without_bom(data), fmt))
    except (SyntaxError, ValueError) as exc:
        raise parse_error(exc, source, fmt=fmt, data=data) from exc


_BOM = b"\xef\xbb\xbf"


def _without_bom(data: bytes) -> bytes:
    return data[len(_BOM) :] if data.startswith(_BOM) else data


def _read_for_location(path: Path) -> bytes | None:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                return fh.read()
        return path.read_bytes()
    except OSError:
        return None


def check_literals(quads: Iterable[ox.Quad], source: str) -> None:
    """:class:`InputError` at the first literal holding a character XML cannot carry."""
    for q in quads:
        o = q.object
        if isinstance(o, ox.Literal) and (problem := illegal_character(o.value)) is not None:
            raise InputError(
                f"{source}: the value of {q.predicate} on {q.subject}: {problem}", source=source
            )


#: SPARQL finding a literal with a character XML 1.0 cannot carry (see ``kg.model.text``).
ILLEGAL_LITERAL_QUERY = (
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && "
    'REGEX(STR(?o), "[\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\uFFFE\\uFFFF]")) } LIMIT 1'
)


def check_store_literals(store: ox.Store, source: str) -> None:
    """:func:`check_literals` over a whole pyoxigraph store (one scan, in the store)."""
    # The quads are taken out first: pyoxigraph's result must not be in the frame that raises
    # (it may be freed only on this thread, and the error may be handled on another).
    found = [
        ox.Quad(row["s"], row["p"], row["o"])
        for row in cast(
            Iterable[Any], store.query(ILLEGAL_LITERAL_QUERY, use_default_graph_as_union=True)
        )
    ]
    check_literals(found, source)


def iter_file(path: Path, fmt: ox.RdfFormat) -> Iterator[ox.Quad]:
    """Quads of a file one at a time (for large files); errors surface as ParseError."""
    if fmt == ox.RdfFormat.RDF_XML:
        refuse_doctype(path, str(path))
    try:
        yield from ox.parse(path=str(path), format=fmt)
    except (SyntaxError, ValueError) as exc:
        raise parse_error(exc, str(path)) from exc
