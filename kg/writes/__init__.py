"""Writes: the one writer that plans, validates and commits every change with its history.

Owns a write's draft and its checks (``draft``), committing it (``commit``), the history of
changes (``history``), bulk loads (``load``), the write token (``auth``) and the full-text
search index kept in step with the writes (``search``).

May import: ``kg.validation``, ``kg.store``, ``kg.model``, ``kg.errors``, ``kg.settings``,
``kg.metrics``.
"""
