"""The pictures as SVG files, as ``kg draw`` writes them and ``?format=svg`` answers them.

``orgchart_of`` and ``timeline_of`` read a picture's data for the short ids a user types
(``openai``, ``org/openai``, ``StrategyShift``) or full IRIs; the picture pages
(``kg.http.pictures``) read theirs through them too. ``draw_orgchart`` and ``draw_timeline``
open the store the settings name (seeded when empty, as ``kg serve`` seeds it), draw, and close
it.
"""

from __future__ import annotations

from kg.pictures.data import fetch_orgchart, fetch_timeline, kind_iri, organisation_iri
from kg.pictures.orgchart import OrgChart, orgchart_document
from kg.pictures.timeline import Timeline, timeline_svg
from kg.settings import Settings
from kg.store.opening import open_seeded
from kg.store.protocol import Store


def orgchart_of(store: Store, settings: Settings, ident: str) -> OrgChart:
    """The organisation chart of ``ident`` (a short id such as ``openai`` or an IRI)."""
    return fetch_orgchart(store, settings, organisation_iri(ident))


def timeline_of(
    store: Store, settings: Settings, *, organisation: str | None = None, kind: str | None = None
) -> Timeline:
    """The strategy timeline, of one organisation and one event kind when given (short ids or
    IRIs)."""
    return fetch_timeline(
        store,
        settings,
        organisation=organisation_iri(organisation) if organisation else None,
        kind=kind_iri(kind),
    )


def draw_orgchart(settings: Settings, ident: str, *, engine: str = "auto") -> str:
    """The SVG file ``kg draw orgchart ID`` writes: the chart and its reorganisations."""
    store = open_seeded(settings)
    try:
        return orgchart_document(orgchart_of(store, settings, ident), engine=engine)
    finally:
        store.close()


def draw_timeline(
    settings: Settings, *, organisation: str | None = None, kind: str | None = None
) -> str:
    """The SVG file ``kg draw timeline`` writes."""
    store = open_seeded(settings)
    try:
        return timeline_svg(timeline_of(store, settings, organisation=organisation, kind=kind))
    finally:
        store.close()
