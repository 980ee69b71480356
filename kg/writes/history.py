"""The history of committed writes, kept as PROV activities in the store itself.

Every committed write adds one ``kg:Change`` (a ``prov:Activity``) to the named graph
``https://w3id.org/aikg/graph/history``, in the same SPARQL Update as the write, so a change and
its record are committed together or not at all::

    <id/change/20260316T130800000001Z-1a2b3c4d> a prov:Activity, kg:Change ;
        rdfs:label "createOrganisation" ;              # the operation
        prov:endedAtTime "2026-03-16T13:08:00.000001Z"^^xsd:dateTime ;
        prov:used <id/source/...> ;                    # the source the write names, if any
        prov:wasInformedBy <id/change/...> ;           # the change(s) before it
        kg:addedStatements "<s> <p> <o> <g> .\\n..." ; # N-Quads, one statement a line
        kg:removedStatements "..." .
    <id/history> kg:latestChange <id/change/...> .

``kg:latestChange`` is the head of the chain. Each write's update replaces the head it read and
carries that head as its precondition (``WHERE``), so a write validated against a state another
writer has since changed is a no-op and is retried (see ``kg.writes``). kg commits writes from
one process only (``kg.http.forward``), so its own writes never race; should writers outside kg fork
the history (two updates a SPARQL server runs at the same moment both see the same head: Oxigraph
gives each update a snapshot, not a lock), the next write reads every head, follows them all
(``prov:wasInformedBy`` each) and applies only while the heads are exactly those, replacing
them: the chain has one head again. Who wrote is not recorded: the write token identifies no
one and is never stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyoxigraph as ox
import pyshacl
from rdflib import Graph

from kg.errors import InputError, NotFound
from kg.model import paths
from kg.model.namespaces import GRAPH, ID, KG, PROV, sparql_prefixes
from kg.store.protocol import Store
from kg.validation.validate import Report, report_from_graph, union_graph

HISTORY_GRAPH = ox.NamedNode(str(GRAPH["history"]))
#: The shapes of the history graph (apart from shapes.ttl, which describes the sources' data).
SHAPES = paths.ONTOLOGY_DIR / "history-shapes.ttl"
LOG = ox.NamedNode(str(ID["history"]))
#: The most changes one ``changes`` call returns; page on with ``after``.
MAX_CHANGES = 1000

_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
_XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
_CHANGE = ox.NamedNode(str(KG["Change"]))
_LATEST = ox.NamedNode(str(KG["latestChange"]))
_ADDED = ox.NamedNode(str(KG["addedStatements"]))
_REMOVED = ox.NamedNode(str(KG["removedStatements"]))
_ACTIVITY = ox.NamedNode(str(PROV["Activity"]))
_ENDED = ox.NamedNode(str(PROV["endedAtTime"]))
_USED = ox.NamedNode(str(PROV["used"]))
_INFORMED = ox.NamedNode(str(PROV["wasInformedBy"]))


@dataclass(frozen=True)
class Head:
    """The latest committed change as a writer read it (``None`` before the first write)."""

    change: ox.NamedNode | None
    ended_at: datetime | None
    #: The other heads, when concurrent commits forked the history (by writers outside kg).
    others: tuple[ox.NamedNode, ...] = ()

    @property
    def heads(self) -> list[ox.NamedNode]:
        return [] if self.change is None else [self.change, *self.others]


@dataclass(frozen=True)
class ChangeRecord:
    """One committed change as ``changes(since:)`` returns it."""

    iri: str
    operation: str
    ended_at: datetime
    source: str | None
    added: list[str]
    removed: list[str]


def read_head(store: Store) -> Head:
    """The heads of the history: the latest change, and any other left by concurrent commits."""
    rows = store.select(
        f"SELECT ?c ?t WHERE {{ GRAPH {HISTORY_GRAPH} {{ {LOG} {_LATEST} ?c . "
        f"OPTIONAL {{ ?c {_ENDED} ?t }} }} }} ORDER BY DESC(?t) DESC(STR(?c))"
    )
    if not rows:
        return Head(None, None)
    changes = [r["c"] for r in rows if isinstance(r["c"], ox.NamedNode)]
    stamp = rows[0].get("t")
    ended = _parse_time(stamp.value) if isinstance(stamp, ox.Literal) else None
    return Head(changes[0], ended, tuple(changes[1:]))


def next_time(head: Head) -> datetime:
    """Now, or just after the head when clocks disagree: the chain's times always increase."""
    now = datetime.now(UTC)
    if head.ended_at is not None and now <= head.ended_at:
        return head.ended_at + timedelta(microseconds=1)
    return now


def new_change_iri(at: datetime) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}change/{at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}")


def record_quads(
    change: ox.NamedNode,
    *,
    operation: str,
    at: datetime,
    head: Head,
    source: ox.NamedNode | None,
    added: Iterable[ox.Quad],
    removed: Iterable[ox.Quad],
) -> list[ox.Quad]:
    """The quads that record one change in the history graph, the new head included."""
    g = HISTORY_GRAPH
    quads = [
        ox.Quad(change, _RDF_TYPE, _ACTIVITY, g),
        ox.Quad(change, _RDF_TYPE, _CHANGE, g),
        ox.Quad(change, _LABEL, ox.Literal(operation), g),
        ox.Quad(change, _ENDED, ox.Literal(_format_time(at), datatype=_XSD_DATETIME), g),
        ox.Quad(change, _ADDED, ox.Literal(_nquads(added)), g),
        ox.Quad(change, _REMOVED, ox.Literal(_nquads(removed)), g),
        ox.Quad(LOG, _LATEST, change, g),
    ]
    if source is not None:
        quads.append(ox.Quad(change, _USED, source, g))
    quads.extend(ox.Quad(change, _INFORMED, before, g) for before in head.heads)
    return quads


def head_guard(head: Head) -> tuple[str, str]:
    """(the DELETE template part, the WHERE clause) that make an update apply only on ``head``:
    when the heads of the history are exactly those the writer read. It replaces them all."""
    if head.change is None:
        # The VALUES row gives the NOT EXISTS a solution to filter: Virtuoso 7.2 evaluates a
        # NOT EXISTS that follows no pattern as true whatever the graph holds.
        return "", (
            f"VALUES ?empty {{ 1 }} "
            f"FILTER NOT EXISTS {{ GRAPH {HISTORY_GRAPH} {{ {LOG} {_LATEST} ?any }} }}"
        )
    heads = f"GRAPH {HISTORY_GRAPH} {{ " + " ".join(f"{LOG} {_LATEST} {h} ." for h in head.heads)
    listed = ", ".join(str(h) for h in head.heads)
    where = (
        f"{heads} }}\nFILTER NOT EXISTS {{ GRAPH {HISTORY_GRAPH} {{ {LOG} {_LATEST} ?other }} "
        f"FILTER(?other NOT IN ({listed})) }}"
    )
    return heads + " }", where


def is_committed(store: Store, change: ox.NamedNode) -> bool:
    return store.ask(f"ASK {{ GRAPH {HISTORY_GRAPH} {{ {change} a {_CHANGE} }} }}")


def changes(
    store: Store,
    since: datetime | None = None,
    *,
    after: str | None = None,
    limit: int = 100,
) -> list[ChangeRecord]:
    """Committed changes, oldest first (by commit time, then IRI), at most ``limit``.

    ``since`` keeps the changes committed after that time; ``after`` (a change's IRI, the last
    of the previous page) keeps those that come after that change in this order.
    """
    if not 1 <= limit <= MAX_CHANGES:
        message = f"limit must be from 1 to {MAX_CHANGES}; page on with after"
        raise InputError(message, field="limit")
    where = ""
    if since is not None:
        stamp = _format_time(since if since.tzinfo else since.replace(tzinfo=UTC))
        where += f'FILTER(?t > "{stamp}"^^{_XSD_DATETIME})\n'
    if after is not None:
        try:
            last = ox.NamedNode(after)
        except ValueError as exc:
            raise InputError(f"after: {exc}", field="after") from exc
        rows = store.select(
            f"SELECT ?t WHERE {{ GRAPH {HISTORY_GRAPH} {{ {last} a {_CHANGE} ; {_ENDED} ?t }} }}"
        )
        if not rows:
            raise NotFound(f"no change <{after}> in the history", node=after)
        stamp = _format_time(_parse_time(rows[0]["t"].value))
        t0 = f'"{stamp}"^^{_XSD_DATETIME}'
        where += f"FILTER(?t > {t0} || (?t = {t0} && STR(?c) > {ox.Literal(after)}))\n"
    return _records(store, where, limit=limit)


def _records(store: Store, where: str, *, limit: int, first: str = "") -> list[ChangeRecord]:
    rows = store.select(
        sparql_prefixes()
        + f"""SELECT DISTINCT ?c ?op ?t ?src ?added ?removed WHERE {{
  GRAPH {HISTORY_GRAPH} {{
    {first}
    ?c a {_CHANGE} ; {_LABEL} ?op ; {_ENDED} ?t ; {_ADDED} ?added ; {_REMOVED} ?removed .
    OPTIONAL {{ ?c {_USED} ?src }}
    {where}
  }}
}} ORDER BY ?t STR(?c) LIMIT {int(limit)}"""
    )
    return [
        ChangeRecord(
            iri=r["c"].value,
            operation=r["op"].value,
            ended_at=_parse_time(r["t"].value),
            source=r["src"].value if "src" in r else None,
            added=_lines(r["added"].value),
            removed=_lines(r["removed"].value),
        )
        for r in rows
    ]


def validate(store: Store) -> Report:
    """The history graph checked against ``history-shapes.ttl`` with pySHACL."""
    data = union_graph(
        store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {HISTORY_GRAPH} {{ ?s ?p ?o }} }}"
        )
    )
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert isinstance(results, Graph)
    report = report_from_graph(results, shapes)
    report.conforms = bool(conforms)
    return report


def nquad_lines(quads: Iterable[ox.Quad]) -> list[str]:
    """Each quad as one N-Quads line (without the newline), sorted."""
    return sorted(f"{q} ." for q in quads)


def _nquads(quads: Iterable[ox.Quad]) -> str:
    return "".join(line + "\n" for line in nquad_lines(quads))


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


def _format_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
