"""Which quotations kg can check against a text of their source, and which it cannot.

The shapes check each citation's quote against the text kept with its source: the source's own
text (``schema:text``; the quote must be in it when verbatim) or what was reported of it
(``kg:reportedText``). A citation of a source with neither cannot be checked; ``kg validate``
says so, naming them (the first few, and how many more), rather than letting them pass
unremarked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.model.namespaces import sparql_prefixes
from kg.store.opening import scratch
from kg.store.protocol import Row, Store

QUERY = (
    sparql_prefixes()
    + """
SELECT DISTINCT ?citation ?source ?held WHERE {
  ?citation a kg:Citation ; prov:wasDerivedFrom ?source .
  BIND (IF(EXISTS { ?source schema:text ?text }, "text",
        IF(EXISTS { ?source kg:reportedText ?reported }, "reported", "none")) AS ?held)
}
"""
)


#: How many unchecked citations the text report names; the others are counted.
SHOWN = 5


@dataclass
class QuotationCheck:
    """How many citations quote a kept text, a reported text, or a source kg holds no text of."""

    counts: Counter[str] = field(default_factory=Counter)
    unchecked: list[tuple[str, str]] = field(default_factory=list)  # (citation, source)

    def to_text(self) -> str:
        lines = [
            f"Quotations: {self.counts['text']:,} citation(s) quote a source whose text kg keeps, "
            f"{self.counts['reported']:,} quote what was reported of their source (both checked "
            f"by the shapes); {self.counts['none']:,} quote a source whose text kg does not hold "
            "(not checked)."
        ]
        unchecked = sorted(self.unchecked)
        if len(unchecked) > SHOWN:
            sources = len({s for _, s in unchecked})
            lines.append(
                f"  {len(unchecked):,} citations not checked (no source text), of {sources:,} "
                f"source(s); the first {SHOWN}:"
            )
        lines += [f"  not checked: <{c}> (source <{s}>)" for c, s in unchecked[:SHOWN]]
        if len(unchecked) > SHOWN:
            lines.append(f"  ... and {len(unchecked) - SHOWN:,} more")
        return "\n".join(lines)


def quotation_check(rows: list[Row]) -> QuotationCheck:
    """The summary of the rows of :data:`QUERY`."""
    found = QuotationCheck()
    for row in rows:
        held = row["held"].value
        found.counts[held] += 1
        if held == "none":
            found.unchecked.append((row["citation"].value, row["source"].value))
    return found


def quotations_of(store: Store) -> QuotationCheck:
    """Which citations in ``store`` quote a text kg holds."""
    return quotation_check(store.select(QUERY))


def quotations_in(quads: Iterable[ox.Quad]) -> QuotationCheck:
    """Which citations among ``quads`` quote a text they hold (read in a store in memory)."""
    with scratch(quads) as held:
        return quotations_of(held)
