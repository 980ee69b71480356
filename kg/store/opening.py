"""Opening a store: the one place that turns a location (or the settings) into a ``Store``,
and seeds an empty store with the shipped ontology and article graph.

``open_seeded(settings)`` is what the commands and ``kg serve`` read: the store the settings
name, seeded when it is empty (and ``load_article`` is on); ``seed(settings)`` does the same
and closes it again (``kg serve`` seeds once before its workers start).

``open_or_served(settings)`` is what the commands beside a running service read: the store, or,
when an embedded store is held by a running ``kg serve`` (``kg.store.serving``), that service,
whose endpoints the command then goes through (``served_store`` reads it over SPARQL).

``scratch(quads)`` is a store in memory for kg's own working copies (validation).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

import httpx
import pyoxigraph as ox

from kg.errors import StoreUnavailable
from kg.model import paths, rdf
from kg.model.namespaces import ONTOLOGY_GRAPH
from kg.settings import Settings
from kg.store import engines, serving
from kg.store.embedded import EmbeddedStore
from kg.store.protocol import Store
from kg.store.remote import RemoteStore
from kg.store.remote_auth import auth_for


def open_store(
    location: str,
    *,
    update_url: str | None = None,
    gsp_url: str | None = None,
    auth: httpx.Auth | None = None,
) -> Store:
    """A store for ``location``: ``memory``, an http(s) URL, or a directory.

    For a remote store: ``update_url`` and ``gsp_url`` (the settings of that name) and ``auth``
    (``kg.store.remote_auth.auth_for``).
    """
    if location.startswith(("http://", "https://")):
        remote: Store = RemoteStore(location, update_url=update_url, gsp_url=gsp_url, auth=auth)
        return remote
    if location == "memory":
        return EmbeddedStore.temporary()
    return EmbeddedStore(location)


def store_for(settings: Settings) -> Store:
    """The store the settings name (``store``, with ``update_url``/``gsp_url`` and the
    credentials when remote)."""
    return open_store(
        settings.store_location,
        update_url=settings.update_url,
        gsp_url=settings.gsp_url,
        auth=auth_for(settings),
    )


def ensure_seeded(store: Store) -> bool:
    """Load the ontology (as ``ONTOLOGY_GRAPH``) and the article graph into an empty store.

    Returns whether anything was loaded. The shipped files are known to conform to the shapes
    (``kg validate`` checks them in the tests), so they are not validated again here.
    """
    if not store.is_empty():
        return False
    ontology = ox.NamedNode(str(ONTOLOGY_GRAPH))
    quads = [
        ox.Quad(q.subject, q.predicate, q.object, ontology) for q in rdf.parse_file(paths.ONTOLOGY)
    ]
    article = rdf.parse_file(paths.ARTICLE_GRAPH)
    graphs = {str(ONTOLOGY_GRAPH)} | {
        q.graph_name.value for q in article if isinstance(q.graph_name, ox.NamedNode)
    }
    store.add_quads([*quads, *article], replace_graphs=sorted(graphs))
    return True


def open_seeded(settings: Settings) -> Store:
    """The store the settings name, loaded with the ontology and the article graph first when
    it is empty and ``load_article`` is on. The caller closes it."""
    store = store_for(settings)
    try:
        _seed(store, settings)
    except BaseException:
        store.close()
        raise
    return store


def seed(settings: Settings) -> bool:
    """Seed the store the settings name as ``open_seeded`` does, then close it; returns whether
    anything was loaded."""
    store = store_for(settings)
    try:
        return _seed(store, settings)
    finally:
        store.close()


def _seed(store: Store, settings: Settings) -> bool:
    return settings.load_article and ensure_seeded(store)


def is_local(location: str) -> bool:
    """Whether ``location`` is an embedded on-disk store (not ``memory``, not a URL)."""
    return location != "memory" and not location.startswith(("http://", "https://"))


def open_or_served(settings: Settings, *, seeded: bool = True) -> Store | serving.Service:
    """The store the settings name (seeded as ``open_seeded`` does when ``seeded``), or the
    running ``kg serve`` that holds it when it is an embedded store opened by that service.

    ``StoreUnavailable`` when the store cannot be opened and no running service is recorded
    for it, saying what holds it and what to do."""
    try:
        return open_seeded(settings) if seeded else store_for(settings)
    except StoreUnavailable as exc:
        location = settings.store_location
        if not is_local(location):
            raise
        service = serving.find(location)
        if service is not None:
            return service
        reason = exc.__cause__ or exc
        raise StoreUnavailable(
            f"cannot open the store at {location}: {reason}. Another process holds it (an "
            f"embedded store is opened by one process at a time), and no running kg serve is "
            f"recorded for it ({serving.record_path(location)}). Stop the process that holds "
            "it, or, if it is a kg serve, pass its endpoint: --store http://HOST:PORT/sparql",
            location=location,
        ) from exc


def served_store(service: serving.Service) -> Store:
    """The store a running ``kg serve`` answers for, read through its SPARQL endpoint and its
    Graph Store Protocol (reads only: its writes go through its write routes)."""
    return RemoteStore(service.sparql_url, engine=engines.KG)


@contextlib.contextmanager
def scratch(quads: Iterable[ox.Quad]) -> Iterator[Store]:
    """A store in memory holding ``quads``, for kg's own working copies (validation); its
    queries run in this process without a time limit. Closed on leaving."""
    store = EmbeddedStore(None)
    try:
        store.add_quads(quads)
        yield store
    finally:
        store.close()
