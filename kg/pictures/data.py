"""Fetching what the pictures show: an ``OrgChart`` and a ``Timeline``, through GraphQL.

A thin adapter between the GraphQL API and the drawing code: the pictures run the GraphQL
queries below in-process (``kg.graphql.schema.execute``), the same queries a client could
send to ``/graphql``, and fill the plain dataclasses of ``kg.pictures.orgchart`` and
``kg.pictures.timeline``.
So a picture shows exactly what the API answers, for any organisation in the graph.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from kg.errors import InputError, KgError, NotFound, QueryTimeout
from kg.graphql.mapping import iri_of, iri_problem, node_id
from kg.graphql.schema import execute
from kg.model.namespaces import ID, KG
from kg.pictures.orgmodel import Group, OrgChart, Post, Reorganisation, Unit
from kg.pictures.provenance import CITATIONS, facts
from kg.pictures.timeline import Source, Timeline, TimelineEvent, when
from kg.settings import Settings
from kg.store.protocol import Store

_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.I)
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")

_GROUP = f"iri name description reportsTo {{ iri title }} {CITATIONS}"
_POST = (
    "iri title description role { key label } holderStatus { key } heldBy { name } "
    f"reportsTo {{ iri title }} reportingGroups {{ iri }} {CITATIONS}"
)
_UNIT = (
    f"iri name parent {{ iri }} posts {{ {_POST} }} responsibilities {{ statement }} {CITATIONS}"
)

#: The drawn facts of each kind of box, and the properties (as citations name them) that
#: state them.
POST_FACTS = {
    "post": ("rdfs:label", "org:postIn"),
    "holder": ("org:heldBy", "kg:holderStatus"),
    "note": ("dct:description",),
    "reportsTo": ("org:reportsTo",),
}
UNIT_FACTS = {"name": ("rdfs:label",), "nesting": ("org:subOrganizationOf", "org:unitOf")}
GROUP_FACTS = {
    "name": ("rdfs:label",),
    "note": ("dct:description",),
    "reportsTo": ("org:reportsTo",),
}

#: The organisation chart: the organisation, its posts, its units (and theirs, three levels
#: down, for units nested only by org:subOrganizationOf) and its reorganisation events; the
#: posts' reporting lines, and every node's citations (to mark editorial and hedged facts).
ORGCHART_QUERY = f"""
query OrgChart($iri: String!) {{
  lookup(iri: $iri) {{
    __typename
    ... on Organisation {{
      iri
      name
      {CITATIONS}
      posts {{ {_POST} }}
      units {{ {_UNIT} subUnits {{ {_UNIT} subUnits {{ {_UNIT} subUnits {{ {_UNIT} }} }} }} }}
      events {{
        iri name date datePrecision {{ key }} dateBasis {{ key }} description
        originalUnits {{ {_UNIT} }}
        resultingUnits {{ {_UNIT} }}
        {CITATIONS}
      }}
    }}
  }}
}}
"""

_EVENT = """
  iri name description date datePrecision { key } dateBasis { key } kind { iri label }
  organisations { iri name } fromStrategy { key label } toStrategy { key label }
  sources { attribution { label } hedges { label } source { iri label url role { key } } }
"""

#: The strategy timeline: events in date order (undated last), filtered by kind and
#: organisation, a page at a time; ``menu`` lists what the filters may choose from.
TIMELINE_QUERY = f"""
query Timeline($kind: String, $organisation: ID, $first: Int, $after: String) {{
  events(kind: $kind, organisation: $organisation, first: $first, after: $after,
         orderBy: DATE_ASC) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {_EVENT} }}
  }}
}}
"""

_MENU_QUERY = """
query TimelineMenu($first: Int, $after: String) {
  events(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { iri name kind { iri label } organisations { iri name } }
  }
}
"""


def organisation_iri(ident: str) -> str:
    """The IRI for an organisation id: ``openai``, any node id (``org/openai``, ``~...``) or a
    full IRI."""
    if "/" in ident or ":" in ident or ident.startswith("~"):
        iri = iri_of(ident)
    else:
        iri = f"{ID}org/{ident}"
    if not _IRI.match(iri) or (problem := iri_problem(iri)) is not None:
        why = "" if not _IRI.match(iri) else f": {problem}"
        raise InputError(f"not a valid organisation id: {ident[:200]!r}{why}")
    return iri


def kind_iri(value: str | None) -> str | None:
    """The IRI of an event kind given by key (``StrategyShift``) or IRI."""
    if not value:
        return None
    if "://" in value and _IRI.match(value) and iri_problem(value) is None:
        return value
    if not _KEY.match(value):
        raise InputError(f"not an event kind: {value!r}")
    return str(KG[value])


def short_id(iri: str) -> str:
    """The shortest id ``organisation_iri`` maps back to ``iri``."""
    prefix = f"{ID}org/"
    if iri.startswith(prefix) and "/" not in iri[len(prefix) :]:
        return iri[len(prefix) :]
    return iri[len(str(ID)) :] if iri.startswith(str(ID)) else iri


def trusted(settings: Settings) -> Settings:
    """Settings for kg's own picture queries: a picture shows every unit, post and source
    (lists as long as the largest page), so their cost follows the data, not a request."""
    return replace(settings, nested_page_size=settings.max_page_size, max_cost=10**30)


def run(store: Store, settings: Settings, query: str, variables: dict[str, Any]) -> Any:
    """The ``data`` of a GraphQL query run in-process; its errors raised as a KgError."""
    result = execute(store, trusted(settings), query, variables)
    if result.get("errors"):
        messages = "; ".join(str(e.get("message")) for e in result["errors"])
        # The formatted errors carry no code; a time limit is the one failure worth a 503.
        cls = QueryTimeout if "time limit" in messages else KgError
        raise cls(f"the picture's GraphQL query failed: {messages}")
    return result["data"]


# ---------------------------------------------------------------- org chart


def fetch_orgchart(store: Store, settings: Settings, org: str) -> OrgChart:
    """The chart of organisation ``org`` (an IRI); NotFound when the graph has no such org."""
    found = run(store, settings, ORGCHART_QUERY, {"iri": org})["lookup"]
    if found.get("__typename") != "Organisation":
        raise NotFound(f"no organisation {org} in the graph", id=org)
    units: dict[str, Unit] = {}
    units_items: list[dict[str, Any]] = []
    pending = list(found["units"])
    while pending:
        item = pending.pop()
        pending.extend(item.get("subUnits") or [])
        if item["iri"] not in units:
            units[item["iri"]] = _unit(item)
            units_items.append(item)
    for unit in units.values():  # a parent outside this organisation does not nest
        if unit.parent not in units:
            unit.parent = None
    reorganisations = [
        Reorganisation(
            iri=e["iri"],
            label=e["name"] or e["iri"],
            when=when(
                e["date"],
                (e.get("datePrecision") or {}).get("key"),
                (e.get("dateBasis") or {}).get("key"),
            ),
            description=e["description"],
            original=_sorted([units.get(u["iri"]) or _unit(u) for u in e["originalUnits"]]),
            resulting=_sorted([units.get(u["iri"]) or _unit(u) for u in e["resultingUnits"]]),
            facts=facts(e, {"date": ("kg:date",)}),
        )
        for e in found["events"]
        if e["originalUnits"] or e["resultingUnits"]
    ]
    posts = [found, *units_items]
    return OrgChart(
        iri=found["iri"],
        label=found["name"] or found["iri"],
        posts=_posts(found["posts"]),
        units=_sorted(list(units.values())),
        reorganisations=sorted(reorganisations, key=lambda r: r.label),
        groups=_groups(store, settings, [p for h in posts for p in h.get("posts") or []]),
        facts=facts(found, {"name": ("rdfs:label",)}),
    )


def _sorted(units: list[Unit]) -> list[Unit]:
    return sorted(units, key=lambda u: (u.label.casefold(), u.iri))


def _unit(item: dict[str, Any]) -> Unit:
    return Unit(
        iri=item["iri"],
        label=item["name"] or item["iri"],
        parent=(item.get("parent") or {}).get("iri"),
        posts=_posts(item.get("posts") or []),
        responsibilities=sorted({r["statement"] for r in item.get("responsibilities") or []}),
        facts=facts(item, UNIT_FACTS),
    )


def _posts(items: list[dict[str, Any]]) -> list[Post]:
    posts = [
        Post(
            iri=p["iri"],
            label=p["title"] or (p.get("role") or {}).get("label") or "Post",
            role=(p.get("role") or {}).get("label"),
            holder_status=(p.get("holderStatus") or {}).get("key"),
            holder=(p.get("heldBy") or {}).get("name"),
            note=p.get("description"),
            reports_to=_superiors(p),
            facts=facts(p, POST_FACTS),
        )
        for p in items
    ]
    return sorted(posts, key=lambda p: (p.label, p.iri))


def _superiors(item: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(IRI, title) of each post ``item`` reports to."""
    return tuple(sorted({(s["iri"], s["title"] or s["iri"]) for s in item.get("reportsTo") or []}))


def _groups(store: Store, settings: Settings, posts: list[dict[str, Any]]) -> list[Group]:
    """The unnamed groups that report to any of ``posts``.

    ``reportingGroups`` lists whatever reports to a post; only what the graph types as a
    ``kg:UnnamedGroup`` (asked for with ``node``, so GraphQL resolves its type) is drawn.
    """
    known = {p["iri"] for p in posts}
    wanted = sorted({g["iri"] for p in posts for g in p.get("reportingGroups") or []} - known)
    if not wanted:
        return []
    params = ", ".join(f"$i{n}: ID!" for n in range(len(wanted)))
    asks = " ".join(
        f"g{n}: node(id: $i{n}) {{ __typename ... on UnnamedGroup {{ {_GROUP} }} }}"
        for n in range(len(wanted))
    )
    data = run(
        store,
        settings,
        f"query Groups({params}) {{ {asks} }}",
        {f"i{n}": node_id(iri) for n, iri in enumerate(wanted)},
    )
    found = [
        Group(
            iri=g["iri"],
            label=g["name"] or g["iri"],
            note=g.get("description"),
            reports_to=_superiors(g),
            facts=facts(g, GROUP_FACTS),
        )
        for g in data.values()
        if g and g.get("__typename") == "UnnamedGroup"
    ]
    return sorted(found, key=lambda g: (g.label, g.iri))


# ---------------------------------------------------------------- timeline


def _pages(
    store: Store, settings: Settings, query: str, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every node of the ``events`` connection, page after page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = run(
            store,
            settings,
            query,
            {**variables, "first": settings.max_page_size, "after": after},
        )["events"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def fetch_timeline(
    store: Store,
    settings: Settings,
    *,
    organisation: str | None = None,
    kind: str | None = None,
) -> Timeline:
    """Every strategy event, or those associated with ``organisation`` and of ``kind``."""
    variables = {"organisation": node_id(organisation) if organisation else None, "kind": kind}
    events = [_event(e) for e in _pages(store, settings, TIMELINE_QUERY, variables)]
    menu = (
        [_event(e) for e in _pages(store, settings, _MENU_QUERY, {})]
        if organisation or kind
        else events
    )
    organisations = {iri: name for e in menu for iri, name in e.organisations}
    kinds = {e.kind: e.kind_label or e.kind for e in menu if e.kind}
    return Timeline(
        events=events,
        organisations=sorted(organisations.items(), key=lambda o: (o[1], o[0])),
        kinds=sorted(kinds.items(), key=lambda k: (k[1], k[0])),
        organisation=organisation,
        kind=kind,
    )


def _event(item: dict[str, Any]) -> TimelineEvent:
    sources: dict[str, Source] = {}
    attributions: set[str] = set()
    hedges: set[str] = set()
    for citation in item.get("sources") or []:
        source = citation.get("source") or {}
        attributions.update(c["label"] for c in [citation.get("attribution")] if c)
        hedges.update(h["label"] for h in citation.get("hedges") or [] if h.get("label"))
        if source.get("iri") and source["iri"] not in sources:
            sources[source["iri"]] = Source(
                iri=source["iri"],
                label=source.get("label") or source["iri"],
                url=source.get("url"),
                editorial=(source.get("role") or {}).get("key") == "Editorial",
            )
    kind = item.get("kind") or {}
    return TimelineEvent(
        iri=item["iri"],
        label=item["name"] or item["iri"],
        kind=kind.get("iri"),
        kind_label=kind.get("label") or kind.get("key"),
        date=item.get("date"),
        precision=(item.get("datePrecision") or {}).get("key"),
        basis=(item.get("dateBasis") or {}).get("key"),
        description=item.get("description"),
        organisations=sorted(
            ((o["iri"], o["name"] or o["iri"]) for o in item.get("organisations") or []),
            key=lambda o: o[1],
        ),
        from_strategy=(item.get("fromStrategy") or {}).get("label"),
        to_strategy=(item.get("toStrategy") or {}).get("label"),
        sources=sorted(sources.values(), key=lambda s: s.label),
        attributions=sorted(a for a in attributions if a),
        hedges=sorted(hedges),
    )


_INDEX_QUERY = """
query Organisations($first: Int) {
  organisations(first: $first) { nodes { iri name units { iri } } }
}
"""


def fetch_organisations_with_units(store: Store, settings: Settings) -> list[tuple[str, str, int]]:
    """(IRI, name, number of units) of each organisation that has units."""
    data = run(store, settings, _INDEX_QUERY, {"first": settings.max_page_size})
    found = [
        (o["iri"], o["name"] or o["iri"], len(o["units"]))
        for o in data["organisations"]["nodes"]
        if o["units"]
    ]
    return sorted(found, key=lambda o: (o[1].casefold(), o[0]))
