"""Who says a drawn fact, and how: the marks the pictures put on what they draw.

A fact drawn in a picture (a unit's name, a post's holder, a reporting line, ...) is a property
of a node; the node's citations (GraphQL ``sources``) name the properties each one supports
(``supports``), its source (editorial or reported), its attribution and its hedges. From them,
``provenance`` says whether the fact rests only on kg's editorial notes and which attributions
and hedges it carries; ``marks`` is the short text the pictures print beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: What a picture prints on a fact no news source states, only kg's own notes.
EDITORIAL = "kg editorial note"

#: The citation fields a picture query selects on a node, to judge its drawn facts.
CITATIONS = (
    "sources { supports attribution { label } hedges { label } creditedTo { name } "
    "source { role { key } } }"
)


@dataclass(frozen=True)
class Provenance:
    """How the sources state one drawn fact."""

    editorial: bool = False  # stated only by kg's editorial notes (no reporting source)
    attributions: tuple[str, ...] = ()  # e.g. "Insider sources", "Earlier report (The Information)"
    hedges: tuple[str, ...] = ()  # e.g. "Reportedly", "More"

    @property
    def marks(self) -> str:
        """The text printed beside the fact; empty when a reporting source states it plainly."""
        parts = [EDITORIAL] if self.editorial else []
        if hedged := hedging(self.attributions, self.hedges):
            parts.append(hedged)
        return "; ".join(parts)


@dataclass(frozen=True)
class Facts:
    """The provenance of each drawn fact of a node, by fact name (e.g. ``holder``)."""

    of: Mapping[str, Provenance] = field(default_factory=dict)

    def __getitem__(self, fact: str) -> Provenance:
        return self.of.get(fact, Provenance())


def hedging(attributions: Iterable[str], hedges: Iterable[str]) -> str:
    """What the sources credit and how they hedge, e.g. "Attributed to insider sources"."""
    parts = []
    if credited := sorted(set(attributions)):
        parts.append("Attributed to " + ", ".join(a[:1].lower() + a[1:] for a in credited))
    if hedged := sorted(set(hedges)):
        parts.append("Hedged: " + ", ".join(f"“{h.lower()}”" for h in hedged))
    return "; ".join(parts)


def provenance(citations: Sequence[Mapping[str, Any]], *properties: str) -> Provenance:
    """The provenance of the fact the ``properties`` (CURIEs, e.g. ``org:reportsTo``) state.

    Only the citations that support one of them count. The fact is editorial when every such
    citation is of an editorial source; with no such citation, no mark is made (the picture
    cannot judge, and says nothing it cannot back).
    """
    wanted = set(properties)
    cited = [c for c in citations if wanted & set(c.get("supports") or [])]
    attributions: set[str] = set()
    hedges: set[str] = set()
    for citation in cited:
        if label := (citation.get("attribution") or {}).get("label"):
            credited = (citation.get("creditedTo") or {}).get("name")
            attributions.add(f"{label} ({credited})" if credited else label)
        hedges.update(h["label"] for h in citation.get("hedges") or [] if h.get("label"))
    editorial = bool(cited) and all(
        ((c.get("source") or {}).get("role") or {}).get("key") == "Editorial" for c in cited
    )
    return Provenance(editorial, tuple(sorted(attributions)), tuple(sorted(hedges)))


def facts(item: Mapping[str, Any], wanted: Mapping[str, Sequence[str]]) -> Facts:
    """The provenance of each fact in ``wanted`` (fact name to the properties stating it)."""
    citations = item.get("sources") or []
    return Facts({name: provenance(citations, *props) for name, props in wanted.items()})
