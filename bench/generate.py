"""A deterministic generator of synthetic kg graphs, shaped like the ontology, as N-Quads.

Every benchmark (load, validation, GraphQL, writes) uses this one generator, so their figures
are comparable. The graph is made of *blocks*: each block is one synthetic source with its own
named graph ``https://w3id.org/aikg/graph/syn-<n>`` holding a small world in the proportions of
the shipped graph: organisations of every kind, a unit with two sub-units and their
responsibilities, posts with each holder status, people, a cloud platform, provider
relationships, an initiative, one strategy event of every kind (dates of every precision),
benefits, risks, the source itself and one citation per node (citations dominate, as in the
shipped graph). One fact of each block (the date of the previous block's public statement) sits
in the next block's graph, so validation must read the union of the graphs, as kg does.

With ``broken_fraction > 0`` that fraction of the nodes is broken, each in one of the ways the
shapes forbid (a missing or extra value, a wrong datatype, an ill-typed date, a value outside
``sh:in``, a node of the wrong class, a literal where an IRI belongs, ...), cycling over every
way that applies to the node, so every constraint component our shapes use is exercised.

Labels say "Synthetic": nothing here is a fact about the world.

    python -m bench.generate --triples 1000000 --seed 0 -o /tmp/synthetic.nq
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

ID = "https://w3id.org/aikg/id/"
GRAPH = "https://w3id.org/aikg/graph/"
KG = "https://w3id.org/aikg/def#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
XSD = "http://www.w3.org/2001/XMLSchema#"


def kg(name: str) -> str:
    return f"<{KG}{name}>"


def org(name: str) -> str:
    return f"<{ORG}{name}>"


def prov(name: str) -> str:
    return f"<{PROV}{name}>"


def schema(name: str) -> str:
    return f"<{SCHEMA}{name}>"


def dct(name: str) -> str:
    return f"<{DCT}{name}>"


def lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    """An N-Triples literal (the text must not need escaping beyond quotes)."""
    body = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^<{XSD}{datatype}>"
    return body


TRUE = lit("true", "boolean")
FALSE = lit("false", "boolean")
LABEL = RDFS_LABEL
DESCRIPTION = dct("description")

#: One node: its kind (for breaking), subject, and (predicate, object) pairs, all in N-Triples.
Pairs = list[tuple[str, str]]


@dataclass
class Node:
    kind: str
    subject: str
    pairs: Pairs


@dataclass
class Stats:
    """What a generation produced."""

    path: str
    triples: int = 0
    graphs: int = 0
    nodes: int = 0
    broken_nodes: int = 0
    seconds: float = 0.0
    classes: Counter[str] = field(default_factory=Counter)
    breakages: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return (
            f"{self.path}: {self.triples} triples in {self.graphs} graphs, {self.nodes} nodes "
            f"({self.broken_nodes} broken) in {self.seconds:.2f} s"
        )


# ------------------------------------------------------------------ breakages

Break = tuple[str, str, str | None]  # (op, predicate, value): op is drop, add or set


def _breakages(b: int) -> dict[str, list[Break]]:
    """For each node kind, every way to break it that a shape forbids (values are N-Triples)."""
    person = f"<{ID}person/s{b}-1>"
    unit = f"<{ID}unit/s{b}-infra>"
    lab = f"<{ID}org/s{b}-lab>"
    benefit = f"<{ID}benefit/s{b}-1>"
    risk = f"<{ID}risk/s{b}-1>"
    post = f"<{ID}post/s{b}-head>"
    platform = f"<{ID}platform/s{b}>"
    blank = f"_:broken{b}"
    label_breaks: list[Break] = [
        ("drop", LABEL, None),
        ("add", LABEL, lit("Synthetic second name")),
        ("set", LABEL, lit("Synthetic name", lang="en")),
        ("set", LABEL, lit("")),
    ]
    return {
        "org": [
            *label_breaks,
            ("drop", org("classification"), None),
            ("set", org("classification"), kg("Active")),
            ("add", DESCRIPTION, lit("Synthetic second description")),
            ("set", kg("unnamed"), lit("yes")),
            ("add", kg("unnamed"), FALSE),
            ("set", schema("funder"), person),
            ("set", DESCRIPTION, lit("7", "integer")),
        ],
        "unit": [
            *label_breaks,
            ("drop", org("unitOf"), None),
            ("set", org("unitOf"), unit),
            ("add", org("unitOf"), f"<{ID}org/s{b}-cloud>"),
            ("set", org("subOrganizationOf"), person),
            ("add", org("subOrganizationOf"), f"<{ID}unit/s{b}-g2>"),
            ("set", org("purpose"), benefit),
            ("set", DESCRIPTION, lit("Synthetic", lang="en")),
        ],
        "responsibility": label_breaks,
        "post": [
            *label_breaks,
            ("drop", org("postIn"), None),
            ("set", org("postIn"), person),
            ("add", org("postIn"), unit),
            ("set", org("role"), kg("AILab")),
            ("add", org("role"), kg("Chair")),
            ("drop", kg("holderStatus"), None),
            ("set", kg("holderStatus"), lit("named")),
            ("add", kg("holderStatus"), kg("HolderVacant")),
            ("set", org("heldBy"), lab),
            ("add", org("heldBy"), f"<{ID}person/s{b}-2>"),
            ("add", DESCRIPTION, lit("Synthetic second description")),
        ],
        "person": [*label_breaks, ("set", DESCRIPTION, lit("true", "boolean"))],
        "platform": [
            *label_breaks,
            ("drop", schema("provider"), None),
            ("set", schema("provider"), platform),
            ("add", schema("provider"), lab),
        ],
        "relationship": [
            *label_breaks,
            ("drop", kg("customer"), None),
            ("set", kg("customer"), unit),
            ("add", kg("provider"), lab),
            ("set", kg("platform"), lab),
            ("add", kg("platform"), f"<{ID}platform/s{b}-other>"),
            ("drop", kg("relationshipKind"), None),
            ("set", kg("relationshipKind"), kg("Planned")),
            ("set", kg("relationshipStatus"), kg("CapacityRental")),
            ("add", kg("relationshipStatus"), kg("Active")),
            ("set", kg("managedBy"), lab),
        ],
        "initiative": [
            *label_breaks,
            ("drop", kg("ledBy"), None),
            ("set", kg("ledBy"), person),
            ("set", kg("formerStrategy"), kg("Active")),
            ("set", schema("alternateName"), lit("Synthetic", lang="en")),
            ("add", kg("currentStrategy"), kg("BuildOwnDataCentres")),
            ("add", DESCRIPTION, lit("Synthetic second description")),
        ],
        "event": [
            *label_breaks,
            ("drop", kg("eventKind"), None),
            ("set", kg("eventKind"), kg("Active")),
            ("drop", prov("wasAssociatedWith"), None),
            ("set", prov("wasAssociatedWith"), person),
            ("set", kg("date"), lit("2026-13-45", "date")),
            ("set", kg("date"), lit("2026-03-16")),
            ("set", kg("date"), lit("2026-03-16T10:00:00", "dateTime")),
            ("add", kg("date"), lit("2020", "gYear")),
            ("drop", kg("datePrecision"), None),
            ("set", kg("datePrecision"), kg("Potential")),
            ("set", kg("concerns"), lit("Synthetic initiative")),
            ("set", kg("concerns"), blank),
            ("set", kg("fromStrategy"), kg("AILab")),
            ("add", kg("toStrategy"), kg("BuildOwnDataCentres")),
            ("add", kg("toStrategy"), kg("RentCloudCapacity")),
            ("set", kg("benefit"), risk),
            ("set", kg("risk"), benefit),
            ("set", org("originalOrganization"), lab),
            ("set", org("resultingOrganization"), person),
            ("set", kg("appointedTo"), person),
            ("set", kg("appointee"), post),
        ],
        "reorganisation": [
            ("drop", RDF_TYPE, kg("StrategyEvent")),
            ("drop", org("resultingOrganization"), None),
            ("set", org("resultingOrganization"), lit("Synthetic unit")),
        ],
        "consideration": label_breaks,
        "source": [
            ("set", schema("url"), lit("ftp://example.org/synthetic", "anyURI")),
            ("set", schema("datePublished"), lit("March 2026")),
            ("drop", schema("publisher"), None),
            ("set", schema("publisher"), person),
            *label_breaks,
            ("add", dct("title"), lit("Synthetic second title")),
            ("set", dct("title"), lit("Synthetic title", lang="en")),
            ("set", schema("datePublished"), lit("2026-02-30", "date")),
            ("add", schema("datePublished"), lit("2026-01-01", "date")),
            ("set", schema("url"), lit("https://example.org/synthetic")),
        ],
        "citation": [
            ("drop", kg("about"), None),
            ("set", kg("about"), blank),
            ("add", kg("about"), lab),
            ("set", kg("about"), lit("Synthetic")),
            ("set", prov("wasDerivedFrom"), lab),
            ("drop", prov("wasDerivedFrom"), None),
            ("drop", kg("quote"), None),
            ("set", kg("quote"), lit("")),
            ("set", kg("quote"), lit("Synthetic quote", lang="en")),
            ("set", kg("verbatim"), lit("true")),
            ("set", kg("verbatim"), lit("1", "integer")),
            ("add", kg("verbatim"), FALSE),
            ("set", kg("supports"), lit("rdfs:label")),
            ("set", kg("attribution"), kg("Active")),
            ("set", kg("creditedTo"), person),
            ("add", kg("creditedTo"), lab),
        ],
    }


def _apply(node: Node, brk: Break) -> bool:
    """Break ``node`` as ``brk`` says; False (and nothing changed) when it would not break it.

    ``drop`` removes a required value, ``set`` replaces every value of the predicate by a wrong
    one, ``add`` gives a second, different value to a predicate the node already has.
    """
    op, pred, value = brk
    present = [o for p, o in node.pairs if p == pred]
    if op == "drop":
        kept = [(p, o) for p, o in node.pairs if not (p == pred and value in (None, o))]
        if len(kept) == len(node.pairs):
            return False
        node.pairs = kept
    elif op == "set":
        assert value is not None
        node.pairs = [(p, o) for p, o in node.pairs if p != pred]
        node.pairs.append((pred, value))
    else:
        assert value is not None
        if not present or value in present:
            return False
        node.pairs.append((pred, value))
    return True


def breakage_name(kind: str, brk: Break) -> str:
    op, pred, value = brk
    return f"{kind}:{op} {pred}" + (f" {value}" if value and op != "drop" else "")


# ------------------------------------------------------------------ one block

ORG_KINDS = [
    ("publisher", "Publisher"),
    ("lab", "AILab"),
    ("cloud", "CloudProvider"),
    ("chips", "ChipManufacturer"),
    ("venture", "JointVenture"),
    ("investor", "Investor"),
    ("builder", "DataCentreBuilder"),
]
EVENTS = [
    ("shift", "StrategyShift"),
    ("reorg", "Reorganisation"),
    ("appointment", "LeadershipAppointment"),
    ("announcement", "Announcement"),
    ("statement", "PublicStatement"),
]


def _date(rng: random.Random, precision: str) -> str | None:
    y, m, d = rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)
    if precision == "PrecisionDay":
        return lit(f"{y}-{m:02d}-{d:02d}", "date")
    if precision == "PrecisionMonth":
        return lit(f"{y}-{m:02d}", "gYearMonth")
    if precision == "PrecisionYear":
        return lit(f"{y}", "gYear")
    return None


PRECISIONS = ["PrecisionDay", "PrecisionMonth", "PrecisionYear", "NotStated"]


#: An event whose date (N-Triples literal or None) and precision are stated in the next block.
Late = tuple[str, str | None, str]


def _block(b: int, rng: random.Random, late: Late | None) -> tuple[list[Node], Late]:
    """The nodes of block ``b`` and its late-stated event; ``late`` is the previous block's."""

    def i(kind: str, slug: str) -> str:
        return f"<{ID}{kind}/s{b}-{slug}>"

    name = f"Synthetic {b}"
    nodes: list[Node] = []
    add = nodes.append
    source = f"<{ID}source/s{b}>"
    o = {slug: i("org", slug) for slug, _ in ORG_KINDS}
    for slug, kind in ORG_KINDS:
        pairs: Pairs = [
            (RDF_TYPE, org("FormalOrganization")),
            (LABEL, lit(f"{name} {slug} organisation")),
            (org("classification"), kg(kind)),
        ]
        if slug == "cloud":
            pairs.append((org("classification"), kg("TechnologyCompany")))
        if slug == "chips":
            pairs += [(kg("unnamed"), TRUE), (DESCRIPTION, lit("A synthetic unnamed maker."))]
        if slug == "venture":
            pairs += [(schema("funder"), o["lab"]), (schema("funder"), o["investor"])]
        add(Node("org", o[slug], pairs))
    u = {s: i("unit", s) for s in ("infra", "g1", "g2")}
    r = [i("responsibility", str(k)) for k in range(4)]
    add(
        Node(
            "unit",
            u["infra"],
            [
                (RDF_TYPE, org("OrganizationalUnit")),
                (LABEL, lit(f"{name} infrastructure team")),
                (org("unitOf"), o["lab"]),
                (DESCRIPTION, lit("A synthetic parent unit.")),
            ],
        )
    )
    for k, s in enumerate(("g1", "g2")):
        add(
            Node(
                "unit",
                u[s],
                [
                    (RDF_TYPE, org("OrganizationalUnit")),
                    (LABEL, lit(f"{name} group {s}")),
                    (org("subOrganizationOf"), u["infra"]),
                    (org("purpose"), r[2 * k]),
                    (org("purpose"), r[2 * k + 1]),
                ],
            )
        )
    for k, resp in enumerate(r):
        add(
            Node(
                "responsibility",
                resp,
                [(RDF_TYPE, kg("Responsibility")), (LABEL, lit(f"{name} responsibility {k}"))],
            )
        )
    people = [i("person", "1"), i("person", "2")]
    for k, p in enumerate(people):
        pairs = [(RDF_TYPE, schema("Person")), (LABEL, lit(f"{name} person {k + 1}"))]
        if k == 0:
            pairs.append((DESCRIPTION, lit("A synthetic person.")))
        add(Node("person", p, pairs))
    posts = [
        ("lead", u["g1"], "org:Head", "HolderUnnamed", None),
        ("head", u["infra"], "HeadOfInfrastructure", "HolderNamed", people[0]),
        ("cfo", o["lab"], "ChiefFinancialOfficer", "HolderVacant", None),
        ("chair", o["venture"], "Chair", "HolderNamed", people[1]),
    ]
    for slug, within, role, status, holder in posts:
        pairs = [
            (RDF_TYPE, org("Post")),
            (LABEL, lit(f"{name} {slug} post")),
            (org("postIn"), within),
            (org("role"), org(role[4:]) if role.startswith("org:") else kg(role)),
            (kg("holderStatus"), kg(status)),
        ]
        if holder:
            pairs.append((org("heldBy"), holder))
        if status == "HolderUnnamed":
            pairs.append((DESCRIPTION, lit("The synthetic source names no one.")))
        add(Node("post", i("post", slug), pairs))
    platform = f"<{ID}platform/s{b}>"
    add(
        Node(
            "platform",
            platform,
            [
                (RDF_TYPE, kg("CloudPlatform")),
                (LABEL, lit(f"{name} cloud")),
                (schema("provider"), o["cloud"]),
            ],
        )
    )
    rental_status = ("Active", "Planned", "Potential")[b % 3]
    add(
        Node(
            "relationship",
            i("relationship", "rental"),
            [
                (RDF_TYPE, kg("ProviderRelationship")),
                (LABEL, lit(f"{name} rental")),
                (kg("customer"), o["lab"]),
                (kg("provider"), o["cloud"]),
                (kg("platform"), platform),
                (kg("relationshipKind"), kg("CapacityRental")),
                (kg("relationshipStatus"), kg(rental_status)),
                (kg("managedBy"), u["g2"]),
            ],
        )
    )
    add(
        Node(
            "relationship",
            i("relationship", "chips"),
            [
                (RDF_TYPE, kg("ProviderRelationship")),
                (LABEL, lit(f"{name} hardware supply")),
                (kg("customer"), o["lab"]),
                (kg("provider"), o["chips"]),
                (kg("relationshipKind"), kg("HardwareSupply")),
                (kg("relationshipStatus"), kg("Potential")),
                (DESCRIPTION, lit("A synthetic supply relationship.")),
            ],
        )
    )
    initiative = f"<{ID}initiative/s{b}>"
    add(
        Node(
            "initiative",
            initiative,
            [
                (RDF_TYPE, kg("Initiative")),
                (LABEL, lit(f"{name} initiative")),
                (kg("ledBy"), o["lab"]),
                (kg("ledBy"), o["venture"]),
                (kg("formerStrategy"), kg("BuildOwnDataCentres")),
                (kg("currentStrategy"), kg("RentCloudCapacity")),
                (schema("alternateName"), lit(f"{name} project")),
                (DESCRIPTION, lit("A synthetic initiative.")),
            ],
        )
    )
    benefits = [i("benefit", "1"), i("benefit", "2")]
    risks = [i("risk", "1"), i("risk", "2")]
    late_here: Late = ("", None, "")
    for k, (slug, kind) in enumerate(EVENTS):
        subject = i("event", slug)
        types = [(RDF_TYPE, kg("StrategyEvent"))]
        if kind == "Reorganisation":
            types.append((RDF_TYPE, org("ChangeEvent")))
        pairs = [
            *types,
            (LABEL, lit(f"{name} {slug}")),
            (kg("eventKind"), kg(kind)),
            (prov("wasAssociatedWith"), o["lab"]),
            (kg("concerns"), initiative),
        ]
        precision = PRECISIONS[(b + k) % len(PRECISIONS)]
        date = _date(rng, precision)
        if slug == "statement":
            late_here = (subject, date, precision)  # stated in the next block's graph
        else:
            pairs.append((kg("datePrecision"), kg(precision)))
            if date:
                pairs.append((kg("date"), date))
        if kind == "StrategyShift":
            pairs += [
                (kg("fromStrategy"), kg("BuildOwnDataCentres")),
                (kg("toStrategy"), kg("RentCloudCapacity")),
                *[(kg("benefit"), x) for x in benefits],
                *[(kg("risk"), x) for x in risks],
            ]
        elif kind == "Reorganisation":
            pairs += [
                (org("originalOrganization"), u["infra"]),
                (org("resultingOrganization"), u["g1"]),
                (org("resultingOrganization"), u["g2"]),
            ]
        elif kind == "LeadershipAppointment":
            pairs += [(kg("appointedTo"), i("post", "head")), (kg("appointee"), people[0])]
        elif kind == "Announcement":
            pairs += [(prov("wasAssociatedWith"), o["venture"]), (DESCRIPTION, lit("Synthetic."))]
        add(Node("reorganisation" if kind == "Reorganisation" else "event", subject, pairs))
    for x in benefits:
        add(Node("consideration", x, [(RDF_TYPE, kg("Benefit")), (LABEL, lit(f"{name} benefit"))]))
    for x in risks:
        add(Node("consideration", x, [(RDF_TYPE, kg("Risk")), (LABEL, lit(f"{name} risk"))]))
    pairs = [
        (RDF_TYPE, schema("NewsArticle" if b % 3 else "Article")),
        (LABEL, lit(f"{name} source")),
        (schema("publisher"), o["publisher"]),
    ]
    if b % 2 == 0:
        pairs.append((dct("title"), lit(f"{name} title")))
    if b % 4 != 3:
        y, m, d = rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28)
        stamp = f"{y}-{m:02d}-{d:02d}"
        dated = lit(stamp, "date") if b % 4 else lit(f"{stamp}T09:30:00Z", "dateTime")
        pairs.append((schema("datePublished"), dated))
    if b % 5:
        pairs.append((schema("url"), lit(f"https://example.org/synthetic/{b}", "anyURI")))
    add(Node("source", source, pairs))
    if late is not None:
        event, date, precision = late
        pairs = [(kg("datePrecision"), kg(precision))]
        if date:
            pairs.append((kg("date"), date))
        add(Node("late", event, pairs))
    # One citation per node above: what it is about, from where, which sentence.
    cited = [n for n in nodes if n.kind != "late"]
    for k, n in enumerate(cited):
        props = sorted({p for p, _ in n.pairs if p != RDF_TYPE})[:3]
        pairs = [
            (RDF_TYPE, kg("Citation")),
            (kg("about"), n.subject),
            (prov("wasDerivedFrom"), source),
            (kg("quote"), lit(f"{name} sentence {k} about this node.")),
            (kg("verbatim"), TRUE if k % 3 else FALSE),
            *[(kg("supports"), p) for p in props],
        ]
        if k % 4 == 0:
            pairs.append(
                (
                    kg("attribution"),
                    kg(("InsiderSources", "EarlierReport", "OfficialStatement")[b % 3]),
                )
            )
        if k % 8 == 0:
            pairs.append((kg("creditedTo"), o["publisher"]))
        add(Node("citation", i("citation", str(k)), pairs))
    return nodes, late_here


# ------------------------------------------------------------------ writing


def generate(
    path: str | Path,
    triples: int = 1_000_000,
    seed: int = 0,
    broken_fraction: float = 0.0,
) -> Stats:
    """Write a synthetic graph of about ``triples`` triples to ``path`` as N-Quads.

    The same arguments give the same bytes. With ``broken_fraction`` in (0, 1], that fraction of
    nodes is broken in one of the ways the shapes forbid.
    """
    if not 0.0 <= broken_fraction <= 1.0:
        raise ValueError("broken_fraction must be between 0 and 1")
    started = time.perf_counter()
    stats = Stats(path=str(path))
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        _write(out, triples, seed, broken_fraction, stats)
    stats.seconds = time.perf_counter() - started
    return stats


def _write(out: TextIO, triples: int, seed: int, fraction: float, stats: Stats) -> None:
    rng = random.Random(seed)
    breaker = random.Random(seed + 1_000_003)
    late: Late | None = None
    cycle: Counter[str] = Counter()
    b = 0
    while stats.triples < triples:
        nodes, late = _block(b, rng, late)
        graph = f" <{GRAPH}syn-{b}> .\n"
        breaks = _breakages(b) if fraction else {}
        chunk: list[str] = []
        for n in nodes:
            if n.kind != "late":
                stats.nodes += 1
                stats.classes[n.kind] += 1
            options = breaks.get(n.kind)
            if options and breaker.random() < fraction:
                turn = cycle[n.kind]
                for step in range(len(options)):
                    brk = options[(turn + step) % len(options)]
                    if _apply(n, brk):
                        cycle[n.kind] = turn + step + 1
                        stats.broken_nodes += 1
                        stats.breakages[breakage_name(n.kind, brk)] += 1
                        break
            s = n.subject
            chunk.extend(f"{s} {p} {o}{graph}" for p, o in n.pairs)
        out.write("".join(chunk))
        stats.triples += len(chunk)
        stats.graphs += 1
        b += 1
        if stats.triples >= triples:
            # The last block's statement has no next block: state its date in its own graph.
            event, date, precision = late
            lines = [f"{event} {kg('datePrecision')} {kg(precision)}{graph}"]
            if date:
                lines.append(f"{event} {kg('date')} {date}{graph}")
            out.write("".join(lines))
            stats.triples += len(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--triples", type=int, default=1_000_000, help="target number of triples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--broken", type=float, default=0.0, help="fraction of nodes to break")
    parser.add_argument("-o", "--output", required=True, help="N-Quads file to write")
    args = parser.parse_args(argv)
    stats = generate(args.output, triples=args.triples, seed=args.seed, broken_fraction=args.broken)
    print(stats.summary(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
