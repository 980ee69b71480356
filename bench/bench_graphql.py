"""Benchmark: GraphQL over HTTP on a ~1M-triple synthetic graph, beside hand-written SPARQL.

In one run, over the same data (``bench.generate`` plus the ontology as its named graph):

* **kg GraphQL**: ``kg serve`` (one worker, over each store in turn) answering typical GraphQL
  requests over HTTP: a look-up, a filtered page of events, a 3-level nested page of
  organisations, and a page of 1,000 events with 10 fields each;
* **the engine's own SPARQL**: the hand-written SPARQL for the same questions (same rows, same
  order) sent over HTTP to the SPARQL server kg runs over (``--engines``): for the embedded
  store ``oxigraph serve --union-default-graph`` on a copy of the same store; ``oxigraph``: kg
  over that same server; ``virtuoso``: kg over a Virtuoso 7 holding the same data (its own bulk
  loader), each beside that server's own answers;
* **naive**: rdflib, the graph in memory, one ``Graph.value``/``objects`` lookup per field
  (the resolver-per-field design that kg avoids).

It reports p50/p99 latency per request, the store queries each GraphQL request ran (against
its selection depth), the in-process server time of each request, and requests per second with
32 concurrent clients for the filtered page (kg's and the Oxigraph server's own rate).

    .venv/bin/python -m bench.bench_graphql                      # 1M triples
    .venv/bin/python -m bench.bench_graphql --triples 100000 --requests 50 --skip-naive
    .venv/bin/python -m bench.bench_graphql --engines oxigraph,virtuoso
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.generate import generate
from bench.graphql_baseline import naive
from bench.measure import summary, timed

PREFIXES = """PREFIX kg: <https://w3id.org/aikg/def#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def questions(org: str) -> dict[str, tuple[str, str]]:
    """Each question as (GraphQL, hand-written SPARQL giving the same rows in the same order)."""
    iri = f"https://w3id.org/aikg/id/{org}"
    return {
        "look-up": (
            f'{{ node(id: "{org}") {{ id ... on Organisation {{ name description '
            "kinds { label } } } }",
            PREFIXES + f"SELECT ?name ?description ?kind ?label WHERE {{ <{iri}> rdfs:label ?name ;"
            " org:classification ?kind . OPTIONAL { ?kind skos:prefLabel ?label }"
            f" OPTIONAL {{ <{iri}> dct:description ?description }} }}",
        ),
        "filtered page of events": (
            '{ events(kind: "LeadershipAppointment", dateFrom: "2025-01-01", '
            'dateTo: "2025-12-31", first: 20) { nodes { id name date kind { label } '
            "datePrecision { label } } } }",
            PREFIXES + "SELECT ?e ?name ?date ?kindLabel ?precisionLabel WHERE {"
            " { SELECT ?e ?date WHERE { ?e a kg:StrategyEvent ;"
            " kg:eventKind kg:LeadershipAppointment ; kg:date ?date ."
            ' FILTER(STR(?date) <= "2025-12-31" && CONCAT(STR(?date), "~") >= "2025-01-01") }'
            " ORDER BY STR(?date) ?e LIMIT 20 }"
            " ?e rdfs:label ?name ; kg:eventKind ?kind ; kg:datePrecision ?precision ."
            " OPTIONAL { ?kind skos:prefLabel ?kindLabel }"
            " OPTIONAL { ?precision skos:prefLabel ?precisionLabel } } ORDER BY STR(?date) ?e",
        ),
        "3-level nested page": (
            '{ organisations(kind: "AILab", first: 20) { nodes { name units { name '
            "posts { title holderStatus { label } } } } } }",
            # Units as a required join: every synthetic AI lab has units, so the rows are the
            # same, and Oxigraph plans the OPTIONAL (or LATERAL) form 10-20x slower.
            PREFIXES + "SELECT ?o ?name ?unit ?unitName ?post ?title ?status WHERE {"
            " { SELECT ?o ?name WHERE { ?o a org:FormalOrganization ;"
            " org:classification kg:AILab ; rdfs:label ?name } ORDER BY LCASE(?name) ?o LIMIT 20 }"
            " ?unit org:unitOf ?o ; rdfs:label ?unitName ."
            " OPTIONAL { ?post org:postIn ?unit ; rdfs:label ?title ;"
            " kg:holderStatus/skos:prefLabel ?status } } ORDER BY LCASE(?name) ?o ?unitName",
        ),
        "page of 1,000 x 10 fields": (
            '{ events(kind: "LeadershipAppointment", first: 1000) { nodes { id iri name '
            "description date kind { key label } datePrecision { key label } } } }",
            PREFIXES + "SELECT * WHERE {"
            " { SELECT ?e ?key WHERE { ?e a kg:StrategyEvent ;"
            " kg:eventKind kg:LeadershipAppointment . OPTIONAL { ?e kg:date ?date }"
            ' BIND(COALESCE(STR(?date), "~") AS ?key) } ORDER BY ?key ?e LIMIT 1000 }'
            " ?e rdfs:label ?name ; kg:eventKind ?kind ; kg:datePrecision ?precision ."
            " OPTIONAL { ?e dct:description ?description } OPTIONAL { ?e kg:date ?date }"
            " OPTIONAL { ?kind skos:prefLabel ?kindLabel }"
            " OPTIONAL { ?precision skos:prefLabel ?precisionLabel } } ORDER BY ?key ?e",
        ),
    }


# ---------------------------------------------------------------------------- setup


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(data: Path, target: Path) -> None:
    """The synthetic graph and the ontology graph, bulk-loaded into an on-disk store."""
    import pyoxigraph as ox

    from kg.model import paths
    from kg.model.namespaces import ONTOLOGY_GRAPH

    store = ox.Store(str(target))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    store.bulk_load(
        path=str(paths.ONTOLOGY),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(str(ONTOLOGY_GRAPH)),
    )
    store.flush()
    del store


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in 120 s")


def depth(query: str) -> int:
    """How deep the selection nests (fields inside fields), fragments included."""
    from graphql import FieldNode, parse

    def walk(node: Any) -> int:
        sel = getattr(node, "selection_set", None)
        if sel is None:
            return 0
        inner = [walk(s) for s in sel.selections]
        return max(inner, default=0) + (1 if isinstance(node, FieldNode) else 0)

    return max(walk(d) for d in parse(query).definitions)


# ---------------------------------------------------------------------------- measuring


async def throughput(
    url: str, make: Callable[[], dict[str, Any]], clients: int, seconds: float
) -> float:
    done = 0
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal done
            while time.monotonic() < stop:
                response = await client.request(**make(), url=url)
                response.raise_for_status()
                done += 1

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(clients)))
        return done / (time.monotonic() - started)


class TimedStore:
    """A store that adds up the time its SELECT queries take."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.seconds = 0.0

    def select(self, query: str, *, timeout: float | None = None) -> Any:
        started = time.perf_counter()
        try:
            return self.store.select(query, timeout=timeout)
        finally:
            self.seconds += time.perf_counter() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def in_process(location: str, asks: dict[str, tuple[str, str]], repeat: int) -> dict[str, Any]:
    """Server time (schema execution, in-process), the part of it spent in the store, and the
    store queries per GraphQL request."""
    from kg.graphql.schema import execute_async
    from kg.settings import Settings
    from kg.store.opening import open_store

    opened = open_store(location)
    store = TimedStore(opened)
    settings = Settings(load_article=False, query_timeout=120)
    out: dict[str, Any] = {}
    try:
        for name, (gql, _) in asks.items():
            log: list[str] = []
            result = asyncio.run(execute_async(store, settings, gql, log_to=log))  # type: ignore[arg-type]
            if result.get("errors"):
                raise SystemExit(f"{name}: {result['errors']}")
            outside: list[float] = []

            def once(q: str = gql, outside: list[float] = outside) -> None:
                before = store.seconds
                started = time.perf_counter()
                asyncio.run(execute_async(store, settings, q))  # type: ignore[arg-type]
                outside.append(time.perf_counter() - started - (store.seconds - before))

            times = timed(once, repeat)
            out[name] = {
                "store_queries": len(log),
                "selection_depth": depth(gql),
                "server": summary(times),
                "outside_store": summary(outside[2:]),
            }
    finally:
        opened.close()
    return out


# ---------------------------------------------------------------------------- engines

ENGINES = ("embedded", "oxigraph", "virtuoso")


def start_oxigraph(ox_dir: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """``oxigraph serve --union-default-graph`` over ``ox_dir``: its query URL and process."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "oxigraph"),
            "serve",
            "--location",
            str(ox_dir),
            "--union-default-graph",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    wait_until_up(f"{url}?query=ASK%7B%7D", process)
    return url, process


def start_virtuoso(work: Path, data: Path) -> Any:
    """A Virtuoso 7 in ``work/virtuoso`` with the synthetic graph and the ontology bulk-loaded
    (its own loader, ``ld_dir`` + ``rdf_loader_run``)."""
    from kg.model import paths
    from kg.model.namespaces import ONTOLOGY_GRAPH
    from tests.plugins.virtuoso import start_virtuoso as start

    directory = work / "virtuoso"
    shutil.rmtree(directory, ignore_errors=True)
    ontology = paths.ONTOLOGY
    server = start(directory, free_port(), free_port(), dirs_allowed=[data.parent, ontology.parent])
    started = time.perf_counter()
    server.isql(
        f"ld_dir('{data.parent}', '{data.name}', 'urn:kg:unused'); "
        f"ld_dir('{ontology.parent}', '{ontology.name}', '{ONTOLOGY_GRAPH}'); "
        "rdf_loader_run(); checkpoint;",
        timeout=3600,
    )
    print(f"# Virtuoso bulk load: {time.perf_counter() - started:.1f} s", flush=True)
    return server


def start_kg(store: str) -> tuple[subprocess.Popen[bytes], str]:
    """``kg serve`` over ``store`` on a free loopback port (no seed data, a 120 s query time
    limit for the large pages), and its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(KG_STORE=store, KG_PORT=str(port), KG_LOAD_ARTICLE="false")
    env.update(KG_QUERY_TIMEOUT="120")
    server = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return server, f"http://127.0.0.1:{port}"


def measure(
    engine: str, kg_store: str, sparql_url: str, asks: dict[str, tuple[str, str]], args: Any
) -> dict[str, Any]:
    """kg GraphQL over ``kg_store`` beside the engine's own SPARQL at ``sparql_url``."""
    figures: dict[str, Any] = {
        "in_process": in_process(kg_store, asks, max(10, args.requests // 4))
    }
    server, kg_url = start_kg(kg_store)
    # A URL-encoded form: the one POST every engine takes (Virtuoso 7.2 waits on a direct
    # application/sparql-query body).
    sparql_headers = {"accept": "application/sparql-results+json"}
    try:
        wait_until_up(f"{kg_url}/healthz", server)
        http = httpx.Client(timeout=120)
        latency: dict[str, Any] = {}
        for name, (gql, sparql) in asks.items():

            def ask_kg(q: str = gql) -> None:
                body = http.post(f"{kg_url}/graphql", json={"query": q}).json()
                assert not body.get("errors"), body

            def ask_engine(q: str = sparql) -> None:
                http.post(sparql_url, data={"query": q}, headers=sparql_headers).raise_for_status()

            latency[name] = {
                "kg_graphql": summary(timed(ask_kg, args.requests)),
                "engine_sparql": summary(timed(ask_engine, args.requests)),
            }
            kg50, e50 = (latency[name][k]["p50_ms"] for k in ("kg_graphql", "engine_sparql"))
            print(f"{engine} {name}: kg {kg50:.2f} ms p50, SPARQL {e50:.2f} ms p50", flush=True)
        figures["latency"] = latency
        gql, sparql = asks["filtered page of events"]
        figures["rate"] = {
            "clients": args.clients,
            "kg_graphql_rps": asyncio.run(
                throughput(
                    f"{kg_url}/graphql",
                    lambda: {"method": "POST", "json": {"query": gql}},
                    args.clients,
                    args.seconds,
                )
            ),
            "engine_sparql_rps": asyncio.run(
                throughput(
                    sparql_url,
                    lambda: {
                        "method": "POST",
                        "data": {"query": sparql},
                        "headers": sparql_headers,
                    },
                    args.clients,
                    args.seconds,
                )
            ),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return figures


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="Requests per measurement.")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10.0, help="Length of each rate run.")
    parser.add_argument(
        "--engines",
        default=",".join(ENGINES),
        help="Stores kg runs over, comma-separated: embedded (compared with oxigraph serve on "
        "a copy), oxigraph, virtuoso (default: all three).",
    )
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--workdir", type=Path, help="Keep data and stores here (reused).")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines {sorted(unknown)}; use {', '.join(ENGINES)}")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-graphql-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / f"synthetic-{args.triples}.nq"
    if not data.exists():
        generate(str(data), triples=args.triples, seed=0)
    kg_dir, ox_dir = work / f"kg-{args.triples}", work / f"oxigraph-{args.triples}"
    if not kg_dir.exists():
        build_store(data, kg_dir)
    if not ox_dir.exists():
        shutil.copytree(kg_dir, ox_dir)

    blocks = max(1, args.triples // 426)
    org = f"org/s{blocks // 2}-lab"
    asks = questions(org)
    figures: dict[str, Any] = {"triples": args.triples, "requests": args.requests, "engines": {}}
    print(f"# {args.triples} triples, {args.requests} requests per figure", flush=True)
    ox_url, oxigraph = start_oxigraph(ox_dir)
    try:
        for engine in engines:
            if engine == "virtuoso":
                virtuoso = start_virtuoso(work, data)
                try:
                    result = measure(engine, virtuoso.url, virtuoso.url, asks, args)
                finally:
                    virtuoso.stop()
            else:
                kg_store = str(kg_dir) if engine == "embedded" else ox_url
                result = measure(engine, kg_store, ox_url, asks, args)
            figures["engines"][engine] = result
    finally:
        oxigraph.terminate()
        oxigraph.wait(timeout=30)
    if not args.skip_naive:
        figures["naive"] = naive(data, org, max(3, args.requests // 20))
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


def report(f: dict[str, Any]) -> None:
    for engine, e in f["engines"].items():
        against = "oxigraph serve (a copy)" if engine == "embedded" else f"{engine}'s own SPARQL"
        print(f"\n## kg over {engine}, beside {against}")
        print(
            f"{'request':28} {'kg p50/p99 ms':>16} {'SPARQL p50/p99':>16} {'ratio':>6}"
            f" {'naive p50':>10} {'server p50':>10} {'not store':>9} {'queries/depth':>13}"
        )
        for name, lat in e["latency"].items():
            kg, sp = lat["kg_graphql"], lat["engine_sparql"]
            nv = f.get("naive", {}).get(name)
            inproc = e["in_process"][name]
            print(
                f"{name:28} {kg['p50_ms']:7.2f}/{kg['p99_ms']:<8.2f}"
                f" {sp['p50_ms']:7.2f}/{sp['p99_ms']:<8.2f} {kg['p50_ms'] / sp['p50_ms']:6.1f}"
                f" {(nv['p50_ms'] if nv else float('nan')):10.1f}"
                f" {inproc['server']['p50_ms']:10.2f}"
                f" {inproc['outside_store']['p50_ms']:9.2f}"
                f" {inproc['store_queries']:>6}/{inproc['selection_depth']}"
            )
        rate = e["rate"]
        print(
            f"{rate['clients']} clients, filtered page of events:"
            f" kg {rate['kg_graphql_rps']:.0f} req/s,"
            f" SPARQL {rate['engine_sparql_rps']:.0f} req/s"
        )


if __name__ == "__main__":
    sys.exit(main())
