"""Fetching what the pictures show from the store: an ``OrgChart`` and a ``Timeline``.

A thin adapter between the store and the drawing code: a few batched SPARQL queries (one per
kind of node, ``VALUES`` for the nodes found so far) fill the plain dataclasses of
``kg.orgchart`` and ``kg.timeline``. Concept labels come from the ontology graph
(``skos:prefLabel``); without it the concept's local name is shown.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from kg.errors import InputError, NotFound
from kg.namespaces import ID, sparql_prefixes
from kg.orgchart import OrgChart, Post, Reorganisation, Unit
from kg.store import Row, Store
from kg.timeline import Source, Timeline, TimelineEvent, filter_events, when

_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.I)


def organisation_iri(ident: str) -> str:
    """The IRI for an organisation id: ``openai``, ``org/openai`` or a full IRI."""
    if "://" in ident or ident.startswith("urn:"):
        iri = ident
    elif "/" in ident:
        iri = f"{ID}{ident}"
    else:
        iri = f"{ID}org/{ident}"
    if not _IRI.match(iri):
        raise InputError(f"not a valid organisation id: {ident!r}")
    return iri


def short_id(iri: str) -> str:
    """The shortest id ``organisation_iri`` maps back to ``iri``."""
    prefix = f"{ID}org/"
    if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
        return iri[len(prefix) :]
    return iri[len(str(ID)) :] if iri.startswith(str(ID)) else iri


def _value(row: Row, name: str) -> str | None:
    term = row.get(name)
    return None if term is None else str(term.value)


def _local(iri: str | None) -> str | None:
    if iri is None:
        return None
    return re.split(r"[#/]", iri)[-1]


def _label(row: Row, label: str, iri: str) -> str:
    found = _value(row, label)
    if found:
        return found
    local = _local(_value(row, iri)) or ""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).capitalize()


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in sorted(set(iris)))


def _select(store: Store, body: str, timeout: float | None) -> list[Row]:
    return store.select(sparql_prefixes() + body, timeout=timeout)


# ---------------------------------------------------------------- org chart


def fetch_orgchart(store: Store, org: str, *, timeout: float | None = None) -> OrgChart:
    """The chart of organisation ``org`` (an IRI); NotFound when the graph has no such org."""
    rows = _select(
        store,
        f"SELECT ?label WHERE {{ <{org}> a org:FormalOrganization . "
        f"OPTIONAL {{ <{org}> rdfs:label ?label }} }}",
        timeout,
    )
    if not rows:
        raise NotFound(f"no organisation {org} in the graph", id=org)
    label = min((_value(r, "label") or "" for r in rows), default="") or _local(org) or org
    unit_rows = _select(
        store,
        "SELECT ?unit ?label ?parent WHERE { "
        f"?unit org:subOrganizationOf*/org:unitOf <{org}> . "
        "OPTIONAL { ?unit rdfs:label ?label } "
        "OPTIONAL { ?unit org:subOrganizationOf ?parent } }",
        timeout,
    )
    units = _units(unit_rows)
    posts = fetch_posts(store, [org, *units], timeout=timeout)
    resp = fetch_responsibilities(store, units, timeout=timeout)
    for iri, unit in units.items():
        unit.posts = posts.get(iri, [])
        unit.responsibilities = resp.get(iri, [])
    chart = OrgChart(
        iri=org,
        label=label,
        posts=posts.get(org, []),
        units=sorted(units.values(), key=lambda u: u.label.casefold()),
    )
    chart.reorganisations = fetch_reorganisations(store, [org, *units], units, timeout=timeout)
    return chart


def _units(rows: list[Row]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in rows:
        iri = _value(row, "unit")
        if iri is None:
            continue
        unit = units.setdefault(iri, Unit(iri=iri, label=_label(row, "label", "unit")))
        parent = _value(row, "parent")
        if parent and (unit.parent is None or parent < unit.parent):
            unit.parent = parent
    for unit in units.values():  # a parent outside this organisation does not nest
        if unit.parent not in units:
            unit.parent = None
    return units


def fetch_posts(
    store: Store, holders: Iterable[str], *, timeout: float | None = None
) -> dict[str, list[Post]]:
    """The posts in each organisation or unit of ``holders``, keyed by its IRI."""
    rows = _select(
        store,
        "SELECT ?in ?post ?label ?role ?roleLabel ?status ?holder ?holderLabel WHERE { "
        f"VALUES ?in {{ {_values(holders)} }} ?post org:postIn ?in . "
        "OPTIONAL { ?post rdfs:label ?label } "
        "OPTIONAL { ?post org:role ?role OPTIONAL { ?role skos:prefLabel ?roleLabel } } "
        "OPTIONAL { ?post kg:holderStatus ?status } "
        "OPTIONAL { ?post org:heldBy ?holder OPTIONAL { ?holder rdfs:label ?holderLabel } } }",
        timeout,
    )
    found: dict[tuple[str, str], Post] = {}
    for row in rows:
        where, iri = _value(row, "in"), _value(row, "post")
        if where is None or iri is None or (where, iri) in found:
            continue
        holder = _value(row, "holderLabel") or (
            _local(_value(row, "holder")) if row.get("holder") else None
        )
        found[(where, iri)] = Post(
            iri=iri,
            label=_value(row, "label") or _label(row, "roleLabel", "role") or "Post",
            role=_value(row, "roleLabel") or _local(_value(row, "role")),
            holder_status=_local(_value(row, "status")),
            holder=holder,
        )
    out: dict[str, list[Post]] = defaultdict(list)
    for (where, _), post in sorted(found.items(), key=lambda kv: kv[1].label):
        out[where].append(post)
    return out


def fetch_responsibilities(
    store: Store, units: Iterable[str], *, timeout: float | None = None
) -> dict[str, list[str]]:
    """The responsibilities (``org:purpose`` labels) of each unit, keyed by its IRI."""
    iris = list(units)
    if not iris:
        return {}
    rows = _select(
        store,
        "SELECT DISTINCT ?unit ?purpose ?label WHERE { "
        f"VALUES ?unit {{ {_values(iris)} }} ?unit org:purpose ?purpose . "
        "OPTIONAL { ?purpose rdfs:label ?label } }",
        timeout,
    )
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        unit, purpose = _value(row, "unit"), _value(row, "purpose")
        if unit and purpose:
            out[unit].setdefault(purpose, _label(row, "label", "purpose"))
    return {unit: sorted(items.values()) for unit, items in out.items()}


def fetch_reorganisations(
    store: Store,
    touched: Iterable[str],
    units: dict[str, Unit],
    *,
    timeout: float | None = None,
) -> list[Reorganisation]:
    """Events whose original or resulting organisations include one of ``touched``."""
    rows = _select(
        store,
        "SELECT ?event ?label ?date ?precision ?description ?side ?unit ?unitLabel WHERE { "
        f"VALUES ?touched {{ {_values(touched)} }} "
        "{ ?event org:originalOrganization ?touched } "
        "UNION { ?event org:resultingOrganization ?touched } "
        "{ ?event org:originalOrganization ?unit BIND('before' AS ?side) } "
        "UNION { ?event org:resultingOrganization ?unit BIND('after' AS ?side) } "
        "OPTIONAL { ?unit rdfs:label ?unitLabel } "
        "OPTIONAL { ?event rdfs:label ?label } OPTIONAL { ?event kg:date ?date } "
        "OPTIONAL { ?event kg:datePrecision ?precision } "
        "OPTIONAL { ?event dct:description ?description } }",
        timeout,
    )
    events: dict[str, Reorganisation] = {}
    seen: set[tuple[str, str, str]] = set()
    for row in rows:
        iri = _value(row, "event")
        if iri is None:
            continue
        event = events.setdefault(
            iri,
            Reorganisation(
                iri=iri,
                label=_label(row, "label", "event"),
                when=when(_value(row, "date"), _local(_value(row, "precision"))),
                description=_value(row, "description"),
            ),
        )
        side, unit_iri = _value(row, "side") or "", _value(row, "unit") or ""
        if (iri, side, unit_iri) in seen:
            continue
        seen.add((iri, side, unit_iri))
        unit = units.get(unit_iri) or Unit(iri=unit_iri, label=_label(row, "unitLabel", "unit"))
        (event.original if side == "before" else event.resulting).append(unit)
    for event in events.values():
        event.original.sort(key=lambda u: u.label.casefold())
        event.resulting.sort(key=lambda u: u.label.casefold())
    return sorted(events.values(), key=lambda e: e.label)


# ---------------------------------------------------------------- timeline


def fetch_timeline(
    store: Store,
    *,
    organisation: str | None = None,
    kind: str | None = None,
    timeout: float | None = None,
) -> Timeline:
    """Every strategy event, or those associated with ``organisation`` and of ``kind``."""
    rows = _select(
        store,
        "SELECT ?event ?label ?kind ?kindLabel ?date ?precision ?description "
        "?from ?fromLabel ?to ?toLabel WHERE { ?event a kg:StrategyEvent . "
        "OPTIONAL { ?event rdfs:label ?label } "
        "OPTIONAL { ?event kg:eventKind ?kind OPTIONAL { ?kind skos:prefLabel ?kindLabel } } "
        "OPTIONAL { ?event kg:date ?date } OPTIONAL { ?event kg:datePrecision ?precision } "
        "OPTIONAL { ?event dct:description ?description } "
        "OPTIONAL { ?event kg:fromStrategy ?from OPTIONAL { ?from skos:prefLabel ?fromLabel } } "
        "OPTIONAL { ?event kg:toStrategy ?to OPTIONAL { ?to skos:prefLabel ?toLabel } } }",
        timeout,
    )
    events: dict[str, TimelineEvent] = {}
    for row in rows:
        iri = _value(row, "event")
        if iri is None or iri in events:
            continue
        events[iri] = TimelineEvent(
            iri=iri,
            label=_label(row, "label", "event"),
            kind=_value(row, "kind"),
            kind_label=_label(row, "kindLabel", "kind") if row.get("kind") else None,
            date=_value(row, "date"),
            precision=_local(_value(row, "precision")),
            description=_value(row, "description"),
            from_strategy=_label(row, "fromLabel", "from") if row.get("from") else None,
            to_strategy=_label(row, "toLabel", "to") if row.get("to") else None,
        )
    if events:
        _attach_organisations(store, events, timeout)
        _attach_sources(store, events, timeout)
    everything = list(events.values())
    organisations = sorted({o for e in everything for o in e.organisations}, key=lambda o: o[1])
    kinds = sorted({(e.kind, e.kind_label or "") for e in everything if e.kind}, key=lambda k: k[1])
    return Timeline(
        events=filter_events(everything, organisation=organisation, kind=kind),
        organisations=organisations,
        kinds=[(k, label) for k, label in kinds if k],
        organisation=organisation,
        kind=kind,
    )


def _attach_organisations(
    store: Store, events: dict[str, TimelineEvent], timeout: float | None
) -> None:
    rows = _select(
        store,
        "SELECT DISTINCT ?event ?org ?label WHERE { "
        f"VALUES ?event {{ {_values(events)} }} ?event prov:wasAssociatedWith ?org . "
        "OPTIONAL { ?org rdfs:label ?label } }",
        timeout,
    )
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        event, org = _value(row, "event"), _value(row, "org")
        if event and org:
            found[event].setdefault(org, _label(row, "label", "org"))
    for iri, orgs in found.items():
        events[iri].organisations = sorted(orgs.items(), key=lambda o: o[1])


def _attach_sources(store: Store, events: dict[str, TimelineEvent], timeout: float | None) -> None:
    rows = _select(
        store,
        "SELECT DISTINCT ?event ?source ?label ?url WHERE { "
        f"VALUES ?event {{ {_values(events)} }} "
        "?citation kg:about ?event ; prov:wasDerivedFrom ?source . "
        "OPTIONAL { ?source rdfs:label ?label } OPTIONAL { ?source schema:url ?url } }",
        timeout,
    )
    found: dict[str, dict[str, Source]] = defaultdict(dict)
    for row in rows:
        event, source = _value(row, "event"), _value(row, "source")
        if event and source and source not in found[event]:
            found[event][source] = Source(
                iri=source, label=_label(row, "label", "source"), url=_value(row, "url")
            )
    for iri, sources in found.items():
        events[iri].sources = sorted(sources.values(), key=lambda s: s.label)
