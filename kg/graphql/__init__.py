"""The GraphQL API, compiled to SPARQL.

``types`` (the types, each with its RDF mapping, from ``mapping``), ``selection`` (what a request
selects), ``compile`` (the SPARQL), ``loader`` (one query per nesting level), ``connections``
(Relay pages), ``schema`` (root queries, limits, ``execute``), ``view`` (``/graphql``).
"""
