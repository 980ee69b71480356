"""Settings as one declared table: name, default, help and whether it is a secret.

Each field of ``Settings`` declares its setting once (``setting(default, help, secret=...)``);
``SETTINGS``, the table the CLI, the README's settings table and ``Settings.public()`` read,
is derived from those fields, so a default or a help text is written in one place only.

Each setting is read from its command-line flag, then from the environment (``KG_<NAME>``),
then from its default. Secrets are never printed (``Settings.public()`` and ``repr`` hide them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from kg.errors import InputError

T = TypeVar("T")


def _default_store() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "kg" / "store")


def setting(default: T, help: str, *, secret: bool = False) -> T:
    """The field of one setting: its default, its help text, and whether it is a secret (left
    out of ``repr`` and hidden by ``Settings.public()``)."""
    return field(default=default, repr=not secret, metadata={"help": help, "secret": secret})


@dataclass(frozen=True)
class Setting:
    """One row of the settings table (derived from the fields of ``Settings``)."""

    name: str
    default: Any
    help: str
    secret: bool = False


@dataclass(frozen=True)
class Settings:
    """Every setting kg reads, each declared once with its default and help."""

    store: str | None = setting(
        None,
        "Where the data lives: a directory for the embedded on-disk store, 'memory' for a "
        "store that lives as long as the process (in a temporary directory), or the "
        "http(s) URL of a SPARQL 1.1 server (query endpoint; see update_url and gsp_url). "
        "Default: $XDG_DATA_HOME/kg/store.",
    )
    update_url: str | None = setting(
        None,
        "SPARQL Update endpoint of a remote store (default: the store URL with /query "
        "replaced by /update, or the store URL itself).",
    )
    gsp_url: str | None = setting(
        None,
        "Graph Store Protocol endpoint of a remote store (default: the store URL with "
        "/query replaced by /store).",
    )
    store_user: str | None = setting(
        None,
        "User name kg gives the remote SPARQL server (HTTP Basic, or Digest: see store_auth).",
    )
    store_password: str | None = setting(
        None,
        "Password kg gives the remote SPARQL server.",
        secret=True,
    )
    store_auth: str = setting(
        "basic",
        "How store_user and store_password are sent: 'basic' or 'digest' (Virtuoso's "
        "authenticated endpoints use digest).",
    )
    store_token: str | None = setting(
        None,
        "Bearer token kg sends to the remote SPARQL server on every request.",
        secret=True,
    )
    writer_url: str | None = setting(
        None,
        "Base URL of the one kg replica that commits writes (e.g. http://writer:8000). A "
        "replica given it forwards GraphQL mutations and SPARQL Updates there and commits "
        "nothing itself; leave it unset on the writer.",
    )
    writer_timeout: float = setting(
        30.0,
        "Seconds a replica waits for the writer to answer a forwarded write.",
    )
    host: str = setting(
        "127.0.0.1",
        "Address kg serve binds to.",
    )
    port: int = setting(
        8000,
        "Port kg serve listens on.",
    )
    workers: int = setting(
        1,
        "Number of uvicorn worker processes for kg serve.",
    )
    write_token: str | None = setting(
        None,
        "Bearer token that writes (mutations, SPARQL Update, loads into /store) must bring; "
        "kg load sends it to a running kg serve. Without it, writes are disabled.",
        secret=True,
    )
    query_timeout: float = setting(
        10.0,
        "Seconds a SPARQL or GraphQL query may run before it is stopped.",
    )
    max_results: int = setting(
        100_000,
        "Most rows a SPARQL query may return.",
    )
    max_query_length: int = setting(
        50_000,
        "Longest SPARQL query or update accepted, in characters (the guard parses it whole).",
    )
    max_query_nesting: int = setting(
        64,
        "Deepest nesting of brackets and prefix operators in a SPARQL query or update "
        "(refused before it is parsed).",
    )
    parse_timeout: float = setting(
        3.0,
        "Seconds the SPARQL guard may take to parse a text; a text it cannot judge in "
        "time is refused.",
    )
    query_workers: int = setting(
        4,
        "Most query processes (embedded store queries, guard parses) running at once; the "
        "rest wait within their time limit.",
    )
    query_memory: int = setting(
        2048,
        "Memory a query process may add to its size at start, in MiB (RLIMIT_AS); a query "
        "that needs more is stopped with an error. 0: no limit.",
    )
    max_queued: int = setting(
        32,
        "Most SPARQL requests waiting for a query process; more are refused with 503 and "
        "Retry-After.",
    )
    max_exports: int = setting(
        4,
        "Most exports (/export, /store) streaming at once; more are refused with 503 and "
        "Retry-After.",
    )
    max_body: int = setting(
        10 * 1024 * 1024,
        "Largest request body accepted, in bytes.",
    )
    max_depth: int = setting(
        10,
        "Deepest GraphQL selection accepted.",
    )
    max_aliases: int = setting(
        30,
        "Most aliases in one GraphQL document.",
    )
    max_tokens: int = setting(
        2000,
        "Most tokens in one GraphQL document.",
    )
    max_document: int = setting(
        100_000,
        "Longest GraphQL document accepted, in characters (refused before it is parsed).",
    )
    max_variable_depth: int = setting(
        32,
        "Deepest nesting of lists and objects in a GraphQL request's variables (refused "
        "with 400 before the request runs).",
    )
    max_variable_values: int = setting(
        10_000,
        "Most values (strings, numbers, lists, objects...) in a GraphQL request's variables "
        "(refused with 400 before the request runs).",
    )
    max_search_text: int = setting(
        1000,
        "Longest text GraphQL search accepts, in characters (refused before it is read).",
    )
    max_search_words: int = setting(
        32,
        "Most words in the text of a GraphQL search.",
    )
    max_page_size: int = setting(
        1000,
        "Largest page (first/last) a GraphQL connection returns.",
    )
    nested_page_size: int = setting(
        100,
        "Page size of a GraphQL list of nodes inside a node (units, sources, events...) "
        "when the request gives no first.",
    )
    max_cost: int = setting(
        500_000,
        "Most nodes a GraphQL request may return, counted before it runs (each list as "
        "long as its page, multiplied down the selection).",
    )
    max_header_bytes: int = setting(
        262_144,
        "Largest request head (request line and header fields) accepted, in bytes (then 431); "
        "room for a GET /sparql whose query of max_query_length characters is percent-encoded.",
    )
    max_headers: int = setting(
        100,
        "Most header fields in one request (then 431).",
    )
    max_accept: int = setting(
        4096,
        "Longest Accept header accepted, in bytes (then 400, before content negotiation).",
    )
    max_accept_ranges: int = setting(
        64,
        "Most media ranges in an Accept header (then 400, before content negotiation).",
    )
    body_timeout: float = setting(
        30.0,
        "Seconds a request body may take to arrive, from the request's start (then 408).",
    )
    header_timeout: float = setting(
        10.0,
        "Seconds kg serve waits for a request's line and headers before closing the connection.",
    )
    keep_alive_timeout: int = setting(
        5,
        "Seconds kg serve keeps an idle connection open between requests.",
    )
    max_connections: int = setting(
        200,
        "Most connections and requests kg serve handles at once (per worker); past that, 503.",
    )
    load_article: bool = setting(
        True,
        "Load the shipped article graph when the store is empty.",
    )
    search_max_age: float = setting(
        300.0,
        "Seconds after which the full-text search index is rebuilt from the store, to "
        "pick up writes made to a remote store outside kg (0: only when kg knows of a "
        "change).",
    )

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


#: Every setting kg reads, in declaration order. The README's settings table is checked
#: against this list.
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, f.metadata["help"], f.metadata["secret"]) for f in fields(Settings)
)


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
