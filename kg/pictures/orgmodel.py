"""What an organisation chart shows, as plain dataclasses (filled by ``kg.pictures.data``).

Every drawn fact keeps its provenance (``kg.pictures.provenance.Facts``): whether only kg's
editorial notes state it, and the attributions and hedges of the sources that do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.pictures.provenance import Facts

UNNAMED = "unnamed (not reported)"


@dataclass(frozen=True)
class Post:
    iri: str
    label: str
    role: str | None = None  # label of the org:role concept
    holder_status: str | None = None  # local name: HolderNamed, HolderUnnamed, HolderVacant
    holder: str | None = None  # the holder's name, when the source gives it
    note: str | None = None  # its dct:description
    reports_to: tuple[tuple[str, str], ...] = ()  # (IRI, title) of posts it reports to
    # facts: "post" (that it exists here), "holder", "note", "reportsTo"
    facts: Facts = field(default_factory=Facts)

    @property
    def holder_text(self) -> str:
        if self.holder:
            return self.holder
        if self.holder_status == "HolderVacant":
            return "vacant"
        if self.holder_status == "HolderUnnamed":
            return UNNAMED
        return "not reported"


@dataclass
class Unit:
    iri: str
    label: str
    parent: str | None = None  # IRI of the unit it is a sub-organisation of, if any
    posts: list[Post] = field(default_factory=list)
    responsibilities: list[str] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)  # "name", "nesting"

    @property
    def relation(self) -> str:
        """How the graph places it: part of another unit, or a unit of the organisation."""
        return "part of" if self.parent else "unit of"


@dataclass(frozen=True)
class Group:
    """People a source speaks of together without naming them (kg:UnnamedGroup), who report
    to a post of the organisation."""

    iri: str
    label: str
    note: str | None = None
    reports_to: tuple[tuple[str, str], ...] = ()  # (IRI, title) of posts it reports to
    facts: Facts = field(default_factory=Facts)  # "name", "reportsTo"


@dataclass
class Reorganisation:
    iri: str
    label: str
    when: str
    description: str | None = None
    original: list[Unit] = field(default_factory=list)
    resulting: list[Unit] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)  # "date"


@dataclass
class OrgChart:
    iri: str
    label: str
    posts: list[Post] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    reorganisations: list[Reorganisation] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    facts: Facts = field(default_factory=Facts)  # "name"

    def top_units(self) -> list[Unit]:
        known = {u.iri for u in self.units}
        return [u for u in self.units if u.parent is None or u.parent not in known]

    def children(self, unit: Unit) -> list[Unit]:
        return [u for u in self.units if u.parent == unit.iri]

    def all_posts(self) -> list[Post]:
        return [*self.posts, *(p for u in self.units for p in u.posts)]

    def reporting_lines(self) -> list[tuple[str, str]]:
        """(subordinate, superior) IRIs of every reporting line between things in the chart:
        a post or unnamed group, and the post it reports to."""
        posts = {p.iri for p in self.all_posts()}
        lines = [(p.iri, s) for p in self.all_posts() for s, _ in p.reports_to if s in posts]
        lines += [(g.iri, s) for g in self.groups for s, _ in g.reports_to if s in posts]
        return sorted(set(lines))
