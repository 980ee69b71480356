"""Pictures drawn from the graph: organisation charts and timelines as SVG.

Owns the drawing primitives and layout (``draw``), the org chart (``orgchart``, with its model
``orgmodel``, boxes ``chartboxes`` and lines ``chartlines``), the timeline (``timeline``), the
marks of what the sources state and how (``provenance``), reading their data from the store
through the GraphQL API (``data``) and the pictures as the SVG files ``kg draw`` writes, from
the ids a user types (``files``).

May import: ``kg.graphql``, ``kg.writes``, ``kg.validation``, ``kg.store``, ``kg.model``,
``kg.errors``, ``kg.settings``, ``kg.metrics``.
"""
