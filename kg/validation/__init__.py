"""Validation: SHACL shapes checked against data.

Owns the pySHACL run and its ``Report`` (``validate``), validation of a write's focus nodes
(``focus``), the shapes compiled to SPARQL (``shaclsparql``) and whole-store validation in the
store itself (``fastvalidate``).

May import: ``kg.store``, ``kg.model``, ``kg.errors``, ``kg.settings``, ``kg.metrics``.
"""
