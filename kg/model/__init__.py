"""The model: what the graph is made of, below every other layer.

Owns the namespaces (``namespaces``), where the shipped ontology, shapes and article graph live
(``paths``), reading RDF files and bytes into pyoxigraph quads, with the format table
(``rdf``); the lock every rdflib SPARQL parse in a process holds (``sparqlparse``); text from
outside: characters XML cannot carry, log-safe text (``text``).

May import: ``kg.errors``, ``kg.settings``, ``kg.metrics`` and third-party libraries only.
"""
