"""The store layer: one SPARQL store interface and its implementations.

Owns the protocol everything above speaks (``protocol``; a request's time limit shared by
its queries, ``deadline``), the embedded pyoxigraph store (``embedded``, with on-disk
``generations``; its timed queries in the ``querypool`` of worker processes reading snapshots
of it), the process sandbox without network and with bounded memory (``sandbox``), a
supervised pool of worker processes for bounded work (``workers``), the remote SPARQL 1.1
store (``remote``: what it knows of each engine in ``engines``, reading answers in
``remote_wire``, credentials in ``remote_auth``), query results and their formats
(``results``), opening a store from a location or the settings, seeded when empty
(``opening``), streaming exports (``export``), large loads (``Store.bulk_load``: pyoxigraph's
bulk loader fed with progress in bounded chunks, ``bulk``; staged in memory for the stores
without generations, ``staging``) and the store wrapper counting every call into the
service's metrics (``counting``; the metrics are ``kg.metrics``).

May import: ``kg.model``, ``kg.errors``, ``kg.settings``, ``kg.metrics``.
"""
