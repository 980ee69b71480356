"""The one declaration of each node kind: its GraphQL type, RDF classes, fields and writes.

A type names its RDF classes with :func:`rdf_type` (and, when mutations create it, how with
:class:`Writes`); each field names its RDF path with one of :func:`literal`, :func:`iris`,
:func:`concept` or :func:`link` (``inverse=True`` follows the path backwards), and a field that
mutations write says so with ``write=Writable(...)``. Everything else is derived from these
declarations: the SPARQL the API runs (``kg.graphql.compile``), the lookup and search unions
and ``NODE_TYPES`` (``kg.graphql.types``), the write plans (``kg.graphql.write_plans``), the
inputs, patches and facts (``kg.graphql.write_inputs``) and the mutations. The tests hold both
sides against ``ontology/shapes.ttl`` (``tests/test_graphql_mapping.py``).

Ids: a node's ``id`` is its IRI without the ``https://w3id.org/aikg/id/`` prefix (for example
``org/openai``); an IRI outside that namespace (or one whose rest would read as an IRI scheme)
gets ``~`` followed by the base64url of the IRI. Every ID argument accepts an id in either form
or the full IRI (:func:`iri_of`), so the ids queries and writes return can be passed back.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
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
#: rdfs:label: the ``label`` of every Input.
LABEL_IRI = "http://www.w3.org/2000/01/rdf-schema#label"
T = TypeVar("T", bound=type)


@dataclass(frozen=True)
class Writable:
    """How mutations write a field.

    ``input``: the field's name in the kind's Input and Patch when it is not the read field's
    (``unit_of`` for ``Unit.organisation``); ``required``: the Input cannot leave it out;
    ``values``: the enum of controlled values of a concept field (``kg.graphql.controlled``);
    ``minted``: a link field written as strings, each a new node (IRI segment, RDF class);
    ``literal``: how a literal is written when not as a plain string: ``date`` (``YYYY``,
    ``YYYY-MM`` or ``YYYY-MM-DD``), ``year`` (``YYYY``, an xsd:gYear) or ``decimal`` (a
    decimal number given as a string, such as ``49`` or ``12.5``).
    """

    input: str | None = None
    required: bool = False
    values: type[Enum] | None = None
    minted: tuple[str, str] | None = None
    literal: Literal["date", "year", "decimal"] | None = None


@dataclass(frozen=True)
class FieldMap:
    """How one GraphQL field is read from RDF (and written, when ``write`` is set)."""

    path: str
    kind: Kind
    inverse: bool = False
    datatype: str = "string"  # for literals: string, boolean, decimal
    many: bool = False
    write: Writable | None = None

    @property
    def curie(self) -> str:
        return curie(self.path)


@dataclass(frozen=True)
class Writes:
    """How mutations create a node kind: ``noun`` names it in descriptions and messages,
    ``segment`` is the path segment of its minted IRIs (``id/<segment>/<slug>``),
    ``extra_types`` gives classes that depend on the input values (a reorganisation is also an
    ``org:ChangeEvent``), ``description`` describes its Input."""

    noun: str
    segment: str
    extra_types: Callable[[Any], list[str]] | None = None
    description: str | None = None


@dataclass(frozen=True)
class NodeKind:
    """One node kind: its GraphQL type, its RDF classes, whether ``search`` finds it and how
    mutations create it (None: read only)."""

    cls: type
    classes: tuple[str, ...]
    searchable: bool
    writes: Writes | None

    @property
    def name(self) -> str:
        return self.cls.__name__


#: Every node kind by GraphQL type name, in declaration order, filled by :func:`rdf_type`.
NODE_KINDS: dict[str, NodeKind] = {}
#: GraphQL type name -> the RDF classes its nodes have.
RDF_CLASSES: dict[str, tuple[str, ...]] = {}


def rdf_type(*classes: str, searchable: bool = True, writes: Writes | None = None) -> Any:
    """Declare the RDF classes of a GraphQL node type (put it above ``@strawberry.type``)."""

    def mark(cls: T) -> T:
        RDF_CLASSES[cls.__name__] = tuple(classes)
        NODE_KINDS[cls.__name__] = NodeKind(cls, tuple(classes), searchable, writes)
        cls.__rdf_classes__ = tuple(classes)  # type: ignore[attr-defined]
        return cls

    return mark


def _field(spec: FieldMap, description: str, default: Any) -> Any:
    if isinstance(default, list):
        return strawberry.field(
            default_factory=list, description=description, metadata={"rdf": spec}
        )
    return strawberry.field(default=default, description=description, metadata={"rdf": spec})


def literal(
    path: str,
    description: str,
    *,
    datatype: str = "string",
    default: Any = None,
    write: Writable | None = None,
) -> Any:
    """A field whose values are the literals at ``path``."""
    many = isinstance(default, list)
    spec = FieldMap(str(path), "literal", datatype=datatype, many=many, write=write)
    return _field(spec, description, default)


def iris(path: str, description: str) -> Any:
    """A list field whose values are the IRIs at ``path``, shown as CURIEs (``rdfs:label``)."""
    return _field(FieldMap(str(path), "iri", many=True), description, [])


def concept(
    path: str, description: str, *, many: bool = False, write: Writable | None = None
) -> Any:
    """A field whose values are SKOS concepts at ``path``, with their ``skos:prefLabel``."""
    spec = FieldMap(str(path), "concept", many=many, write=write)
    return _field(spec, description, [] if many else None)


def link(
    path: str,
    description: str,
    *,
    inverse: bool = False,
    many: bool = False,
    write: Writable | None = None,
) -> Any:
    """A field whose values are other nodes at ``path`` (or pointing here, when inverse).

    A list of nodes takes ``first`` and ``after`` (see :func:`paged`).
    """
    spec = FieldMap(str(path), "link", inverse=inverse, many=many, write=write)
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


def declared_fields(cls: type) -> list[tuple[str, str, FieldMap]]:
    """``(python name, description, mapping)`` of every mapped field of a node type."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    return [
        (f.python_name, f.description or "", f.metadata["rdf"])
        for f in definition.fields
        if "rdf" in f.metadata
    ]


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


def write_kind(spec: FieldMap) -> str:
    """How mutations write a declared field: text, texts, bool, date, year, decimal, enum,
    enums, ref, refs or minted (see ``kg.graphql.write_plans.FieldSpec``)."""
    write = spec.write
    assert write is not None
    if write.minted:
        return "minted"
    if spec.kind == "literal":
        if spec.datatype == "boolean":
            return "bool"
        return write.literal or ("texts" if spec.many else "text")
    if spec.kind == "concept":
        return "enums" if spec.many else "enum"
    assert spec.kind == "link", spec
    return "refs" if spec.many else "ref"


def input_name(python_name: str, spec: FieldMap) -> str:
    """The field's name in the Input and Patch of its kind."""
    return (spec.write.input if spec.write else None) or python_name
