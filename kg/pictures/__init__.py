"""Pictures drawn from the graph: organisation charts and timelines as SVG.

Owns the drawing primitives and layout (``draw``), the org chart (``orgchart``), the timeline
(``timeline``) and reading their data from the store through the GraphQL API (``data``).

May import: ``kg.graphql``, ``kg.writes``, ``kg.validation``, ``kg.store``, ``kg.model``,
``kg.errors``, ``kg.settings``.
"""
