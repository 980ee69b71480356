"""The GraphQL API, compiled to SPARQL.

``types`` (the types, each with its RDF mapping, from ``mapping``), ``selection`` (what a request
selects), ``compile`` (the SPARQL), ``loader`` (one query per nesting level), ``connections``
(Relay pages), ``context`` (the typed request context), ``query`` and ``mutations`` (the root
fields), ``checks`` and ``cost`` (what a document may cost, checked before it runs), ``codes``
(the ``extensions.code`` of every error), ``schema`` (limits, ``execute``). ``/graphql`` over
HTTP is ``kg.http.graphql_view``.

May import: ``kg.writes``, ``kg.validation``, ``kg.store``, ``kg.model``, ``kg.errors``,
``kg.settings``, ``kg.metrics``.
"""
