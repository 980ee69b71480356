"""Settings as one declared table: name, default and help.

Each setting is read from its command-line flag, then from the environment (``KG_<NAME>``),
then from its default. Secrets are never printed (``Settings.public()`` hides them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kg.errors import InputError


def _default_store() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "kg" / "store")


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    secret: bool = False


#: Every setting kg reads. The README's settings table is checked against this list.
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "store",
        None,
        "Where the data lives: a directory for the embedded on-disk store, "
        "'memory' for a store that lives as long as the process (in a temporary directory), "
        "or the http(s) URL of a SPARQL 1.1 server "
        "(query endpoint; see update_url and gsp_url). Default: $XDG_DATA_HOME/kg/store.",
    ),
    Setting(
        "update_url",
        None,
        "SPARQL Update endpoint of a remote store (default: the store "
        "URL with /query replaced by /update, or the store URL itself).",
    ),
    Setting(
        "gsp_url",
        None,
        "Graph Store Protocol endpoint of a remote store (default: the "
        "store URL with /query replaced by /store).",
    ),
    Setting(
        "store_user",
        None,
        "User name kg gives the remote SPARQL server (HTTP Basic, or Digest: see store_auth).",
    ),
    Setting("store_password", None, "Password kg gives the remote SPARQL server.", secret=True),
    Setting(
        "store_auth",
        "basic",
        "How store_user and store_password are sent: 'basic' or 'digest' (Virtuoso's "
        "authenticated endpoints use digest).",
    ),
    Setting(
        "store_token",
        None,
        "Bearer token kg sends to the remote SPARQL server on every request.",
        secret=True,
    ),
    Setting(
        "writer_url",
        None,
        "Base URL of the one kg replica that commits writes (e.g. http://writer:8000). A "
        "replica given it forwards GraphQL mutations and SPARQL Updates there and commits "
        "nothing itself; leave it unset on the writer.",
    ),
    Setting(
        "writer_timeout",
        30.0,
        "Seconds a replica waits for the writer to answer a forwarded write.",
    ),
    Setting("host", "127.0.0.1", "Address kg serve binds to."),
    Setting("port", 8000, "Port kg serve listens on."),
    Setting("workers", 1, "Number of uvicorn worker processes for kg serve."),
    Setting(
        "write_token",
        None,
        "Bearer token that writes (mutations, SPARQL Update) must "
        "bring. Without it, writes are disabled.",
        secret=True,
    ),
    Setting(
        "query_timeout", 10.0, "Seconds a SPARQL or GraphQL query may run before it is stopped."
    ),
    Setting("max_results", 100_000, "Most rows a SPARQL query may return."),
    Setting(
        "max_query_length",
        50_000,
        "Longest SPARQL query or update accepted, in characters (the guard parses it whole).",
    ),
    Setting(
        "parse_timeout",
        3.0,
        "Seconds the SPARQL guard may take to parse a text; a text it cannot judge in "
        "time is refused.",
    ),
    Setting(
        "query_workers",
        4,
        "Most query processes (embedded store queries, guard parses) running at once; "
        "the rest wait within their time limit.",
    ),
    Setting(
        "query_memory",
        2048,
        "Memory a query process may add to its size at start, in MiB (RLIMIT_AS); a query "
        "that needs more is stopped with an error. 0: no limit.",
    ),
    Setting(
        "max_queued",
        32,
        "Most SPARQL requests waiting for a query process; more are refused with 503 and "
        "Retry-After.",
    ),
    Setting("max_body", 10 * 1024 * 1024, "Largest request body accepted, in bytes."),
    Setting("max_depth", 10, "Deepest GraphQL selection accepted."),
    Setting("max_aliases", 30, "Most aliases in one GraphQL document."),
    Setting("max_tokens", 2000, "Most tokens in one GraphQL document."),
    Setting(
        "max_document",
        100_000,
        "Longest GraphQL document accepted, in characters (refused before it is parsed).",
    ),
    Setting("max_page_size", 1000, "Largest page (first/last) a GraphQL connection returns."),
    Setting(
        "nested_page_size",
        100,
        "Page size of a GraphQL list of nodes inside a node (units, sources, events...) when "
        "the request gives no first.",
    ),
    Setting(
        "max_cost",
        500_000,
        "Most nodes a GraphQL request may return, counted before it runs (each list as long "
        "as its page, multiplied down the selection).",
    ),
    Setting(
        "body_timeout",
        30.0,
        "Seconds a request body may take to arrive, from the request's start (then 408).",
    ),
    Setting(
        "header_timeout",
        10.0,
        "Seconds kg serve waits for a request's line and headers before closing the connection.",
    ),
    Setting(
        "keep_alive_timeout",
        5,
        "Seconds kg serve keeps an idle connection open between requests.",
    ),
    Setting(
        "max_connections",
        200,
        "Most connections and requests kg serve handles at once (per worker); past that, 503.",
    ),
    Setting("load_article", True, "Load the shipped article graph when the store is empty."),
    Setting(
        "search_max_age",
        300.0,
        "Seconds after which the full-text search index is rebuilt from the store, to pick up "
        "writes made to a remote store outside kg (0: only when kg knows of a change).",
    ),
)


@dataclass(frozen=True)
class Settings:
    store: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    store_auth: str = "basic"
    store_token: str | None = field(default=None, repr=False)
    writer_url: str | None = None
    writer_timeout: float = 30.0
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    write_token: str | None = field(default=None, repr=False)
    query_timeout: float = 10.0
    max_results: int = 100_000
    max_query_length: int = 50_000
    parse_timeout: float = 3.0
    query_workers: int = 4
    query_memory: int = 2048
    max_queued: int = 32
    max_body: int = 10 * 1024 * 1024
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    max_document: int = 100_000
    max_page_size: int = 1000
    nested_page_size: int = 100
    max_cost: int = 500_000
    body_timeout: float = 30.0
    header_timeout: float = 10.0
    keep_alive_timeout: int = 5
    max_connections: int = 200
    load_article: bool = True
    search_max_age: float = 300.0

    @property
    def store_location(self) -> str:
        return self.store or _default_store()

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **flags: Any) -> Settings:
        """Settings from flags (non-None values win), then ``KG_*`` variables, then defaults."""
        env = dict(os.environ if env is None else env)
        values: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(cls)}
        for s in SETTINGS:
            if flags.get(s.name) is not None:
                values[s.name] = flags[s.name]
                continue
            raw = env.get(f"KG_{s.name.upper()}")
            if raw is None or raw == "":
                continue
            values[s.name] = _coerce(raw, str(types[s.name]), s.name)
        return cls(**values)

    def public(self) -> dict[str, Any]:
        """The settings with secrets replaced by whether they are set."""
        out: dict[str, Any] = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            out[s.name] = ("(set)" if value else "(not set)") if s.secret else value
        return out


def _coerce(raw: str, type_name: str, name: str) -> Any:
    try:
        if type_name.startswith("bool"):
            if raw.lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if type_name.startswith("int"):
            return int(raw)
        if type_name.startswith("float"):
            return float(raw)
    except ValueError as exc:
        raise InputError(f"KG_{name.upper()}={raw!r} is not a valid {type_name}") from exc
    return raw
