"""The one mapping between the GraphQL types and RDF, declared next to each type.

A type names its RDF classes with :func:`rdf_type`; each field names its RDF path with one of
:func:`literal`, :func:`iris`, :func:`concept` or :func:`link` (``inverse=True`` follows the path
backwards). The SPARQL the API runs is generated from these declarations only (``kg.graphql.
compile``), and ``tests/test_graphql_mapping.py`` holds them against ``ontology/shapes.ttl``.

Ids: a node's ``id`` is its IRI without the ``https://w3id.org/aikg/id/`` prefix (for example
``org/openai``); an IRI outside that namespace (or one whose rest would read as an IRI scheme)
gets ``~`` followed by the base64url of the IRI. Every ID argument accepts an id in either form
or the full IRI (:func:`iri_of`), so the ids queries and writes return can be passed back.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import pyoxigraph as ox
import strawberry

from kg.errors import InputError
from kg.model.namespaces import ID, PREFIXES
from kg.model.text import illegal_character

Kind = Literal["literal", "iri", "concept", "link", "holder"]

_ID_BASE = str(ID)
#: Longest IRI accepted in a request.
MAX_IRI = 2_000
#: An absolute IRI starts with a scheme and a colon (RFC 3987); an id never does.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class FieldMap:
    """How one GraphQL field is read from RDF."""

    path: str
    kind: Kind
    inverse: bool = False
    datatype: str = "string"  # for literals: string, boolean, decimal

    @property
    def curie(self) -> str:
        return curie(self.path)


#: GraphQL type name -> the RDF classes its nodes have, filled by :func:`rdf_type`.
RDF_CLASSES: dict[str, tuple[str, ...]] = {}


def rdf_type(*classes: str) -> Any:
    """Declare the RDF classes of a GraphQL type (put it above ``@strawberry.type``)."""

    def mark(cls: T) -> T:
        RDF_CLASSES[cls.__name__] = tuple(classes)
        cls.__rdf_classes__ = tuple(classes)  # type: ignore[attr-defined]
        return cls

    return mark


def _field(spec: FieldMap, description: str, default: Any) -> Any:
    if isinstance(default, list):
        return strawberry.field(
            default_factory=list, description=description, metadata={"rdf": spec}
        )
    return strawberry.field(default=default, description=description, metadata={"rdf": spec})


def literal(path: str, description: str, *, datatype: str = "string", default: Any = None) -> Any:
    """A field whose values are the literals at ``path``."""
    return _field(FieldMap(str(path), "literal", datatype=datatype), description, default)


def iris(path: str, description: str) -> Any:
    """A list field whose values are the IRIs at ``path``, shown as CURIEs (``rdfs:label``)."""
    return _field(FieldMap(str(path), "iri"), description, [])


def concept(path: str, description: str, *, many: bool = False) -> Any:
    """A field whose values are SKOS concepts at ``path``, with their ``skos:prefLabel``."""
    return _field(FieldMap(str(path), "concept"), description, [] if many else None)


def link(path: str, description: str, *, inverse: bool = False, many: bool = False) -> Any:
    """A field whose values are other nodes at ``path`` (or pointing here, when inverse).

    A list of nodes takes ``first`` and ``after`` (see :func:`paged`).
    """
    spec = FieldMap(str(path), "link", inverse=inverse)
    if not many:
        return _field(spec, description, None)
    return strawberry.field(
        resolver=paged,
        description=f"{description} {PAGED}",
        metadata={"rdf": spec},
    )


#: What every list of nodes says about its pages.
PAGED = "In name order, `first` at a time (default: nested_page_size), after the id `after`."

#: Where the loader keeps, for each list field of an object it built, the window each
#: ``(field, first, after)`` of the request asked for: ``(start, end)`` in the loaded list.
WINDOWS = "__windows__"


def paged(
    root: Any,
    info: strawberry.Info,
    first: int | None = None,
    after: strawberry.ID | None = None,
) -> Any:
    """The page of a list of nodes the loader filled (``kg.graphql.loader``)."""
    loaded: list[Any] = root.__dict__.get(info.python_name, [])
    window = root.__dict__.get(WINDOWS, {}).get((info.python_name, first, after))
    if window is None:  # not built by the loader for this request: its first nodes
        window = (0, len(loaded) if first is None else first)
    start, end = window
    return [node for node in loaded[start:end] if node is not None]


def holder(path: str, description: str) -> Any:
    """A post's holder: the person at ``path``, or why no person is given."""
    return _field(FieldMap(str(path), "holder"), description, None)


def curie(iri: str) -> str:
    """``rdfs:label`` for an IRI in a known namespace, else the IRI itself."""
    best = ""
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(base) > len(best):
            best, name = base, f"{prefix}:{iri[len(base) :]}"
    return name if best else iri


def node_id(iri: str) -> str:
    """The stable id of the node named ``iri`` (see the module docstring)."""
    rest = iri[len(_ID_BASE) :]
    if iri.startswith(_ID_BASE) and rest and not rest.startswith("~") and not _SCHEME.match(rest):
        return rest
    return "~" + base64.urlsafe_b64encode(iri.encode()).decode().rstrip("=")


def iri_of(node_id_: str) -> str:
    """The IRI an ID argument names: an id as :func:`node_id` gives it (``org/openai``,
    ``~aHR0c...``) or a full IRI; :class:`InputError` when it is neither."""
    if node_id_.startswith("~"):
        raw = node_id_[1:]
        try:
            found = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"malformed id {node_id_[:100]!r}") from exc
    elif _SCHEME.match(node_id_):
        found = node_id_
    elif not node_id_ or any(c in node_id_ for c in '<>"{}|\\^` \n\t'):
        raise InputError(f"malformed id {node_id_[:100]!r}")
    else:
        found = _ID_BASE + node_id_
    problem = iri_problem(found)
    if problem is not None:
        raise InputError(f"malformed id {node_id_[:200]!r}: {problem}")
    return found


def iri_problem(iri: str) -> str | None:
    """Why ``iri`` is not an absolute IRI (RFC 3987) kg accepts, or ``None`` when it is."""
    if len(iri) > MAX_IRI:
        return f"it is longer than {MAX_IRI} characters"
    problem = illegal_character(iri)
    if problem is not None:
        return problem
    if any(c in iri for c in '<>"{}|\\^` \n\t'):
        return 'it holds a space or one of < > " { } | \\ ^ `'
    if re.search("%(?![0-9A-Fa-f]{2})", iri):
        return "a % must be followed by two hexadecimal digits"
    try:
        ox.NamedNode(iri)
    except ValueError:
        return "it does not have the syntax of an absolute IRI (scheme:rest, RFC 3987)"
    return None


def check_iri(iri: str) -> str:
    """``iri`` when it is an absolute IRI, else :class:`InputError` saying why."""
    problem = iri_problem(iri)
    if problem is not None:
        shown = repr(iri) if len(iri) <= 200 else repr(iri[:200]) + "..."
        raise InputError(f"not an IRI: {shown}: {problem}")
    return iri
