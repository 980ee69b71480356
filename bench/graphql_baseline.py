"""The naive baseline of ``bench.bench_graphql``: rdflib, the graph in memory, one lookup per
field, for the same questions (same rows, same order)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.measure import summary, timed
from kg.model.namespaces import KG


def naive(data: Path, org: str, repeat: int) -> dict[str, dict[str, float]]:
    """The same questions answered with rdflib, one lookup per field."""
    from rdflib import RDF, RDFS, Dataset, Namespace, URIRef

    kg = Namespace(str(KG))
    orgns = Namespace("http://www.w3.org/ns/org#")
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    dct = Namespace("http://purl.org/dc/terms/")
    from kg.model import paths

    dataset = Dataset(default_union=True)
    dataset.parse(str(data), format="nquads")
    dataset.graph(URIRef("https://w3id.org/aikg/graph/ontology")).parse(str(paths.ONTOLOGY))
    g = dataset

    def concept(c: Any) -> dict[str, Any]:
        return {"label": g.value(c, skos.prefLabel)}

    def lookup() -> Any:
        s = URIRef(f"https://w3id.org/aikg/id/{org}")
        return {
            "name": g.value(s, RDFS.label),
            "description": g.value(s, dct.description),
            "kinds": [concept(k) for k in g.objects(s, orgns.classification)],
        }

    def event(e: Any, fields: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": str(e), "name": g.value(e, RDFS.label)}
        out["date"] = g.value(e, kg.date)
        out["kind"] = concept(g.value(e, kg.eventKind))
        out["datePrecision"] = concept(g.value(e, kg.datePrecision))
        if "description" in fields:
            out["description"] = g.value(e, dct.description)
        return out

    def appointments() -> list[Any]:
        return [
            e
            for e in g.subjects(kg.eventKind, kg.LeadershipAppointment)
            if (e, RDF.type, kg.StrategyEvent) in g
        ]

    def events_page() -> Any:
        found = []
        for e in appointments():
            date = g.value(e, kg.date)
            if date is not None and str(date) <= "2025-12-31" and str(date) + "~" >= "2025-01-01":
                found.append((str(date), str(e), e))
        return [event(e, []) for _, _, e in sorted(found)[:20]]

    def nested() -> Any:
        orgs = [
            (str(g.value(o, RDFS.label)).lower(), str(o), o)
            for o in g.subjects(orgns.classification, kg.AILab)
            if (o, RDF.type, orgns.FormalOrganization) in g
        ]
        return [
            {
                "name": g.value(o, RDFS.label),
                "units": [
                    {
                        "name": g.value(u, RDFS.label),
                        "posts": [
                            {
                                "title": g.value(p, RDFS.label),
                                "holderStatus": concept(g.value(p, kg.holderStatus)),
                            }
                            for p in g.subjects(orgns.postIn, u)
                        ],
                    }
                    for u in g.subjects(orgns.unitOf, o)
                ],
            }
            for _, _, o in sorted(orgs)[:20]
        ]

    def big() -> Any:
        keyed = [(str(g.value(e, kg.date) or "~"), str(e), e) for e in appointments()]
        return [event(e, ["description"]) for _, _, e in sorted(keyed)[:1000]]

    runs = {
        "look-up": lookup,
        "filtered page of events": events_page,
        "3-level nested page": nested,
        "page of 1,000 x 10 fields": big,
    }
    return {name: summary(timed(fn, repeat)) for name, fn in runs.items()}
