"""Turning GraphQL input values into RDF terms, with the limits kg accepts.

Strings are capped (``MAX_TEXT`` characters, labels 1,000), lists at ``MAX_LIST`` items; a node
is named by its id (``org/openai``, ``~base64url``) or its absolute http(s) IRI (or ``_:key``
inside a batch); dates are ``YYYY-MM-DD`` (xsd:date),
``YYYY-MM`` (xsd:gYearMonth) or ``YYYY`` (xsd:gYear); years ``YYYY`` (xsd:gYear); decimals a
string of digits with at most one ``.``. Anything else is ``InvalidInput``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pyoxigraph as ox
from strawberry import UNSET

from kg.errors import InputError
from kg.graphql.mapping import iri_of
from kg.model.namespaces import KG, PREFIXES
from kg.model.text import illegal_character

XSD = "http://www.w3.org/2001/XMLSchema#"
MAX_TEXT = 10_000
#: A source's own text (``schema:text``) or reported text: an article's length, with room.
MAX_SOURCE_TEXT = 200_000
MAX_LIST = 1_000


def unset(value: Any) -> bool:
    """True for an input field the client left out (update: keep the stored values)."""
    return value is UNSET


def n(iri: Any) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


class InvalidInput(InputError):
    """An input value kg cannot turn into RDF: an IRI, a date, a size over the limits."""

    code = "invalid_input"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


def text(value: str, name: str, *, limit: int = MAX_TEXT) -> ox.Literal:
    if len(value) > limit:
        raise InvalidInput(
            f"is {len(value)} characters long; at most {limit} are accepted", field=name
        )
    if (problem := illegal_character(value)) is not None:
        raise InvalidInput(problem, field=name)
    return ox.Literal(value)


def iri(value: str, name: str, keys: dict[str, ox.NamedNode] | None = None) -> ox.NamedNode:
    """A node given by the client: its id or IRI (see :func:`kg.graphql.mapping.iri_of`), or
    ``_:key`` naming a node created earlier in the batch."""
    if value.startswith("_:"):
        if keys is None or value[2:] not in keys:
            raise InvalidInput(
                f"{value[:100]} names no node created earlier in this batch", field=name
            )
        return keys[value[2:]]
    if len(value) > 2_000:
        raise InvalidInput(f"{value[:100]!r} is longer than 2,000 characters", field=name)
    try:
        full = iri_of(value)
    except InputError as exc:
        raise InvalidInput(
            f"{value[:100]!r} is neither a node id (such as 'org/openai') nor an absolute IRI "
            f"({exc})",
            field=name,
        ) from exc
    if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", full):
        raise InvalidInput(
            f"{value[:100]!r} is neither a node id (such as 'org/openai') nor an absolute "
            "http(s) IRI",
            field=name,
        )
    return ox.NamedNode(full)


def date_literal(value: str, name: str, *, with_time: bool = False) -> ox.Literal:
    """``YYYY-MM-DD`` (xsd:date), ``YYYY-MM`` (gYearMonth), ``YYYY`` (gYear), or a dateTime."""
    forms: list[tuple[str, str, Callable[[str], object]]] = [
        (r"\d{4}-\d{2}-\d{2}", "date", date.fromisoformat),
        (r"\d{4}-\d{2}", "gYearMonth", lambda v: date.fromisoformat(v + "-01")),
        (r"\d{4}", "gYear", lambda v: date.fromisoformat(v + "-01-01")),
    ]
    if with_time:
        forms = [
            forms[0],
            (r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})?", "dateTime", datetime.fromisoformat),
        ]
    for pattern, datatype, check in forms:
        if re.fullmatch(pattern, value):
            try:
                check(value)
            except ValueError:
                break
            return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    wanted = "YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ" if with_time else "YYYY-MM-DD, YYYY-MM or YYYY"
    raise InvalidInput(f"{value[:40]!r} is not a valid date ({wanted})", field=name)


def year_literal(value: str, name: str) -> ox.Literal:
    """``YYYY`` as an xsd:gYear."""
    if not re.fullmatch(r"\d{4}", value):
        raise InvalidInput(f"{value[:40]!r} is not a year (YYYY)", field=name)
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))


def decimal_literal(value: str, name: str) -> ox.Literal:
    """A decimal number given as a string (``49``, ``12.5``) as an xsd:decimal."""
    if len(value) > 40 or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise InvalidInput(
            f"{value[:40]!r} is not a decimal number (digits, at most one '.', e.g. 12.5)",
            field=name,
        )
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "decimal"))


def concept_node(key: str) -> ox.NamedNode:
    """The concept an enum value names: ``Active`` is kg:Active, ``org:Head`` is ORG's."""
    prefix, _, local = key.rpartition(":")
    return n(PREFIXES[prefix] + local) if prefix else n(KG[key])


def precision_for(value: ox.Literal | None) -> ox.NamedNode:
    if value is None:
        return n(KG.NotStated)
    by_type = {"date": "PrecisionDay", "gYearMonth": "PrecisionMonth", "gYear": "PrecisionYear"}
    return n(KG[by_type[value.datatype.value.removeprefix(XSD)]])


def listed(value: Any, name: str) -> list[Any]:
    items = list(value)
    if len(items) > MAX_LIST:
        raise InvalidInput(f"has {len(items)} items; at most {MAX_LIST} are accepted", field=name)
    return items
