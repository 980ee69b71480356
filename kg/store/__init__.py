"""The store layer: one SPARQL store interface and its implementations.

Owns the protocol everything above speaks (``protocol``), the embedded pyoxigraph store
(``embedded``, with on-disk ``generations`` and query ``isolate``-ion in child processes), the
remote SPARQL 1.1 store (``remote``: what it knows of each engine in ``engines``, reading
answers in ``remote_wire``, credentials in ``remote_auth``), query results and their formats
(``results``), opening a store from a location or the settings (``opening``), streaming
exports (``export``) and feeding pyoxigraph's bulk loader with progress in bounded chunks
(``bulk``).

May import: ``kg.model``, ``kg.errors``, ``kg.settings``.
"""
