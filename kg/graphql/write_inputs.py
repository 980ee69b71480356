"""GraphQL input types of the mutations: one ``<Kind>Input`` to create, one ``<Kind>Patch`` to
update (a field left out keeps its values; ``null`` clears it) and the ``FactInput`` entry of
each kind, all derived from the declarations in ``kg.graphql.types``; controlled values are the
enums of ``kg.graphql.controlled`` (``kg:<value>``, or a CURIE such as ``org:Head`` for a reused
concept). ``CitationInput`` takes the quote and the fields ``Citation`` declares writable
(hedges, attribution, creditedTo).

Python field names are snake_case; GraphQL shows them in camelCase (``unit_of`` is ``unitOf``).
References to other nodes are IRIs (``ID``); inside ``recordSource`` they may also be ``_:key``,
the key of a fact created earlier in the same batch.
"""

from enum import Enum
from typing import TYPE_CHECKING, Any

import strawberry
from strawberry import UNSET
from strawberry.utils.str_converters import to_snake_case

from kg.graphql.mapping import (
    LABEL_IRI,
    PAGED,
    FieldMap,
    NodeKind,
    declared_fields,
    input_name,
    write_kind,
)
from kg.graphql.types import DECLARED

ID = strawberry.ID


@strawberry.enum(
    description="What a source is: a news article, another article, or another work (such as "
    "kg's editorial notes)."
)
class SourceKind(Enum):
    NEWS_ARTICLE = "NewsArticle"
    ARTICLE = "Article"
    CREATIVE_WORK = "CreativeWork"


@strawberry.enum(
    description="Whose words a source holds: a publication's reporting, or kg's own editorial "
    "notes (background knowledge the curators add, never attributed to a news source)."
)
class SourceRole(Enum):
    REPORTED = "Reported"
    EDITORIAL = "Editorial"


# ---------------------------------------------------------------- derived from the declarations

_REQUIRED = object()


def _value_type(python_name: str, spec: FieldMap) -> Any:
    """The Python type of one input value of a declared field."""
    write = spec.write
    assert write is not None
    kind = write_kind(spec)
    one: Any = {
        "text": str,
        "texts": str,
        "date": str,
        "year": str,
        "decimal": str,
        "minted": str,
        "bool": bool,
        "ref": ID,
        "refs": ID,
        "enum": write.values,
        "enums": write.values,
    }[kind]
    assert one is not None, f"{python_name}: a concept field declares its values"
    return list[one] if kind in ("texts", "minted", "refs", "enums") else one


def _make(name: str, fields: list[tuple[str, Any, Any, str]], description: str | None) -> type:
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    for attr, annotation, default, text in fields:
        annotations[attr] = annotation
        namespace[attr] = (
            strawberry.field(description=text)
            if default is _REQUIRED
            else strawberry.field(default=default, description=text)
        )
    return strawberry.input(type(name, (), namespace), description=description)


def _plain(description: str) -> str:
    """A read field's description without what it says about pages of nodes."""
    return description.removesuffix(" " + PAGED)


def _writable(cls: type) -> list[tuple[str, Any, FieldMap, str]]:
    """``(input name, value type, mapping, description)`` of each written field of ``cls``."""
    return [
        (input_name(python_name, spec), _value_type(python_name, spec), spec, _plain(text))
        for python_name, text, spec in declared_fields(cls)
        if spec.write is not None
    ]


def _inputs(kind: NodeKind) -> tuple[type, type]:
    """``<Kind>Input`` (create: the label and required fields first) and ``<Kind>Patch``
    (update: every field optional, left out keeps its values, null clears it)."""
    assert kind.writes is not None
    declared = _writable(kind.cls)
    label = [d for d in declared if d[2].path == LABEL_IRI]
    required = [d for d in declared if d[2].write and d[2].write.required and d not in label]
    optional = [d for d in declared if d not in label and d not in required]
    create = [(a, t, _REQUIRED, x) for a, t, _, x in label + required] + [
        (a, t | None, None, x) for a, t, _, x in optional
    ]
    patch = [(a, t | None, UNSET, x) for a, t, _, x in label + required + optional]
    return (
        _make(f"{kind.name}Input", create, kind.writes.description),
        _make(f"{kind.name}Patch", patch, None),
    )


if TYPE_CHECKING:

    class CitationInput:
        """What mypy sees of ``CitationInput`` (the declared fields are read by name)."""

        quote: str
        verbatim: bool

else:
    #: The sentence of the source the written facts rest on, and how the source states them.
    CitationInput = _make(
        "CitationInput",
        [
            ("quote", str, _REQUIRED, "The sentence."),
            ("verbatim", bool, True, "True when `quote` is the source's own words."),
        ]
        + [(a, t | None, None, x) for a, t, _, x in _writable(DECLARED["Citation"].cls)],
        "The sentence of the source the written facts rest on, and how the source states them.",
    )

#: The Input and Patch of every kind mutations create, by GraphQL type name.
INPUTS: dict[str, tuple[type, type]] = {
    name: _inputs(kind) for name, kind in DECLARED.items() if kind.writes is not None
}

#: The node field of ``FactInput`` (``cloud_platform``, shown as ``cloudPlatform``) -> kind.
FACT_KINDS: dict[str, str] = {to_snake_case(name): name for name in INPUTS}

if TYPE_CHECKING:

    class FactInput:
        """What mypy sees of ``FactInput`` (the node fields are read by name)."""

        key: str | None
        quote: CitationInput | None

else:
    FactInput = strawberry.input(
        type(
            "FactInput",
            (),
            {
                "__module__": __name__,
                "__annotations__": {
                    "key": str | None,
                    "quote": CitationInput | None,
                    **{field: INPUTS[name][0] | None for field, name in FACT_KINDS.items()},
                },
                "key": None,
                "quote": None,
                **{field: None for field in FACT_KINDS},
            },
        ),
        description="One fact of recordSource: exactly one of the node fields. key names the new "
        "node for later facts of the batch (refer to it as _:key); quote cites the sentence.",
    )


@strawberry.input(
    description="A source and the facts that rest on it, written all together or not at all. "
    "publisher is the id or IRI of an organisation (or _:key of one among facts), required "
    "for a news article or article (kg's editorial notes have none); datePublished is "
    "YYYY-MM-DD or an ISO dateTime; url starts with http:// or https://. text is the source's "
    "own words kept with kg (verbatim quotations are checked against it); reportedText is what "
    "was reported of a source whose words kg does not hold (its quotations are not verbatim)."
)
class SourceInput:
    title: str
    publisher: ID | None = None
    label: str | None = None
    date_published: str | None = None
    url: str | None = None
    kind: SourceKind = SourceKind.NEWS_ARTICLE
    role: SourceRole = SourceRole.REPORTED
    text: str | None = None
    reported_text: str | None = None
    facts: list[FactInput] = strawberry.field(default_factory=list)
