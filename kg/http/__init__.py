"""The HTTP edge: the ASGI application and its routes.

Owns the app built in code (``app``), the SPARQL 1.1 Protocol endpoint (``sparql``, fail-closed
by ``guard``, which reads rdflib's parse tree through ``sparqltree``; the protocol's update
dataset and base IRI in ``sparql_dataset``), writes sent on to the writer by a reader replica
(``forward``), the Graph Store Protocol and export routes (``gsp``), request limits and
admission (``limits``, ``deadlines``), the security headers (``headers``), content negotiation
(``negotiate``), ``/graphql`` (``graphql_view``, ``graphql_http``), the one answer of an error
in each route's shape (``error_shape``), the playground and its
vendored assets (``playground``, ``assets``), the picture pages (``pictures``), the pages for
people: the shared frame of every HTML page (``layout``), the front page (``frontpage``), the
Linked Data page of every node (``nodepage``, drawn by ``nodehtml`` from ``describe``), and
``/metrics`` with the access log (``access``).

May import every layer below: ``kg.pictures``, ``kg.graphql``, ``kg.writes``, ``kg.validation``,
``kg.store``, ``kg.model``, ``kg.errors``, ``kg.settings``, ``kg.metrics``.
"""
