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
``org/openai``); an IRI outside that namespace gets ``~`` followed by the base64url of the IRI.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, TypeVar

import strawberry

from kg.errors import InputError
from kg.model.namespaces import ID, PREFIXES

Kind = Literal["literal", "iri", "concept", "link", "holder"]

_ID_BASE = str(ID)
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
    ``date``: a literal written as a date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``).
    """

    input: str | None = None
    required: bool = False
    values: type[Enum] | None = None
    minted: tuple[str, str] | None = None
    date: bool = False


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
    """A field whose values are other nodes at ``path`` (or pointing here, when inverse)."""
    spec = FieldMap(str(path), "link", inverse=inverse, many=many, write=write)
    return _field(spec, description, [] if many else None)


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
    if iri.startswith(_ID_BASE) and len(iri) > len(_ID_BASE):
        return iri[len(_ID_BASE) :]
    return "~" + base64.urlsafe_b64encode(iri.encode()).decode().rstrip("=")


def iri_of(node_id_: str) -> str:
    """The IRI a node id stands for; :class:`InputError` when the id is malformed."""
    if node_id_.startswith("~"):
        raw = node_id_[1:]
        try:
            return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"malformed id {node_id_!r}") from exc
    if not node_id_ or any(c in node_id_ for c in '<>"{}|\\^` \n'):
        raise InputError(f"malformed id {node_id_!r}")
    return _ID_BASE + node_id_


def check_iri(iri: str) -> str:
    """``iri`` when it can go between ``<>`` in SPARQL, else :class:`InputError`."""
    if not iri or any(c in iri for c in '<>"{}|\\^` \n\t') or ":" not in iri:
        raise InputError(f"not an IRI: {iri!r}")
    return iri


def write_kind(spec: FieldMap) -> str:
    """How mutations write a declared field: text, texts, bool, date, enum, enums, ref, refs
    or minted (see ``kg.graphql.write_plans.FieldSpec``)."""
    write = spec.write
    assert write is not None
    if write.minted:
        return "minted"
    if spec.kind == "literal":
        if spec.datatype == "boolean":
            return "bool"
        return "date" if write.date else "texts" if spec.many else "text"
    if spec.kind == "concept":
        return "enums" if spec.many else "enum"
    assert spec.kind == "link", spec
    return "refs" if spec.many else "ref"


def input_name(python_name: str, spec: FieldMap) -> str:
    """The field's name in the Input and Patch of its kind."""
    return (spec.write.input if spec.write else None) or python_name
