"""Full-text search over the store: a tantivy (Lucene-like) index kept by each kg process.

The index holds one document per node of a searchable kind: its IRI, its kinds (node type names
such as ``Organisation``), its names (``rdfs:label``) and descriptions (``dct:description``).
A query's words must all occur (whole words, case-insensitive; the last word also as a prefix)
in a node's name or description; hits are ranked by BM25, a name counting twice a description.

The store stays the only state: the index is built from it and kept exact with it.

* **Built** from the store (one SPARQL query) at the first search after the process starts, and
  rebuilt after a write the index cannot follow (:func:`invalidate`, called by the SPARQL Update
  endpoint) and when older than ``max_age`` seconds (to pick up writes made to a remote store by
  other programs, which leave no trace kg can read).
* **Followed**: before every search the index reads the heads of the store's history
  (``kg.writes.history``, one small query). Every validated write (a mutation, through any kg
  process sharing the store) records a change there with the statements it added and removed;
  the index re-reads the nodes those changes touched and replaces their documents. So a write is
  searchable on the next request, in this process and in every replica of a remote store, each
  keeping its own index.

Any store answers: the embedded one (in memory or on disk) and any SPARQL 1.1 server.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import tantivy

from kg.errors import InputError
from kg.model.namespaces import DCT
from kg.store.protocol import Store
from kg.writes import history

log = logging.getLogger(__name__)
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_WORD = re.compile(r"[^\W_]+")
#: Longest token tantivy's default tokenizer keeps (longer ones are dropped from documents).
_MAX_WORD = 40
#: Past this many pending changes, rebuilding is cheaper than following them.
_MAX_FOLLOW = history.MAX_CHANGES
_BATCH = 500


def check_query(text: str, max_chars: int, max_words: int) -> None:
    """``InputError`` when a search text is over ``max_chars`` characters (checked first,
    before the text is read) or holds more than ``max_words`` words."""
    if len(text) > max_chars:
        raise InputError(
            f"search: the text is {len(text):,} characters long, more than the limit of "
            f"{max_chars:,} (setting max_search_text)"
        )
    count = sum(1 for _ in _WORD.finditer(text))
    if count > max_words:
        raise InputError(
            f"search: the text has {count} words, more than the limit of {max_words} "
            "(setting max_search_words)"
        )


def words(text: str) -> list[str]:
    """The words of ``text`` as the index sees them: letters and digits, lower-cased."""
    return [w.lower() for w in _WORD.findall(text) if len(w) <= _MAX_WORD]


@dataclass(frozen=True)
class _State:
    """What the index was last brought up to: the history heads it read and when."""

    heads: tuple[str, ...]
    ended_at: datetime | None
    epoch: int
    built: float


class SearchIndex:
    """The full-text index of one store; ``kinds`` maps a kind's name to its RDF classes."""

    def __init__(self, store: Store, kinds: Mapping[str, Sequence[str]], max_age: float) -> None:
        self.store = store
        self.max_age = max_age
        self._kinds_of: dict[str, list[str]] = {}
        for kind, classes in kinds.items():
            for cls in classes:
                self._kinds_of.setdefault(cls, []).append(kind)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("iri", stored=True, tokenizer_name="raw")
        builder.add_text_field("kind", tokenizer_name="raw")
        builder.add_text_field("name")
        builder.add_text_field("desc")
        self._schema = builder.build()
        self._lock = threading.Lock()
        self._epoch = 0
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._state: _State | None = None
        #: How many times the index was built from the whole store (tests, benchmarks).
        self.rebuilds = 0

    # -- queries ---------------------------------------------------------------------------

    def search(self, text: str, kinds: Iterable[str] | None = None, limit: int = 20) -> list[str]:
        """IRIs of the nodes matching ``text`` (of one of ``kinds``, if given), best first."""
        terms = words(text)
        if not terms or limit < 1:
            return []
        index = self.fresh()
        query = self._query(terms, None if kinds is None else list(kinds))
        searcher = index.searcher()
        hits = searcher.search(query, limit, count=False).hits
        return [str(searcher.doc(address)["iri"][0]) for _score, address in hits]

    def _query(self, terms: list[str], kinds: list[str] | None) -> tantivy.Query:
        must = tantivy.Occur.Must
        should = tantivy.Occur.Should
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for i, term in enumerate(terms):
            options = [
                (should, tantivy.Query.boost_query(self._term("name", term), 2.0)),
                (should, self._term("desc", term)),
            ]
            if i == len(terms) - 1:
                for field, boost in (("name", 0.5), ("desc", 0.25)):
                    prefix = tantivy.Query.phrase_prefix_query(self._schema, field, [term])
                    options.append((should, tantivy.Query.boost_query(prefix, boost)))
            clauses.append((must, tantivy.Query.boolean_query(options)))
        if kinds is not None:
            clauses.append((must, tantivy.Query.term_set_query(self._schema, "kind", kinds)))
        return tantivy.Query.boolean_query(clauses)

    def _term(self, field: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    # -- keeping it exact ------------------------------------------------------------------

    def invalidate(self) -> None:
        """Rebuild the index from the store before the next search (after a write that
        leaves no record in the history, such as a SPARQL Update or a load)."""
        with self._lock:
            self._epoch += 1

    def warm(self) -> threading.Thread:
        """Build the index in a background thread now, rather than at the first search."""

        def build() -> None:
            try:
                self.fresh()
            except Exception:  # the first search tries again and reports the error
                log.warning("building the search index failed", exc_info=True)

        thread = threading.Thread(target=build, name="kg-search-index", daemon=True)
        thread.start()
        return thread

    def built(self) -> bool:
        """Whether the next search needs no rebuild (only following the history, if that)."""
        state = self._state
        return (
            self._index is not None
            and state is not None
            and state.epoch == self._epoch
            and not (self.max_age > 0 and time.monotonic() - state.built > self.max_age)
        )

    def fresh(self) -> tantivy.Index:
        """The index, brought up to the store's current state first."""
        with self._lock:
            head = history.read_head(self.store)
            heads = tuple(c.value for c in head.heads)
            state = self._state
            if self._index is None or state is None or not self.built():
                return self._rebuild(head)
            if heads != state.heads and not self._follow(state, heads, head.ended_at):
                return self._rebuild(head)
            return self._index

    def _rebuild(self, head: history.Head) -> tantivy.Index:
        # The heads are read before the documents: a change committed in between is
        # followed again at the next search, which is harmless (documents are replaced).
        index = tantivy.Index(self._schema)
        writer = index.writer(heap_size=64_000_000, num_threads=1)
        for doc in self._documents(None):
            writer.add_document(doc)
        writer.commit()
        index.reload()
        self._index, self._writer = index, writer
        self._state = _State(
            tuple(c.value for c in head.heads), head.ended_at, self._epoch, time.monotonic()
        )
        self.rebuilds += 1
        return index

    def _follow(self, state: _State, heads: tuple[str, ...], ended_at: datetime | None) -> bool:
        """Replace the documents of the nodes the changes since ``state`` touched; False when
        there are too many to follow."""
        # Concurrent commits may carry times just before the last head's: read back a second.
        since = None if state.ended_at is None else state.ended_at - timedelta(seconds=1)
        records = history.changes(self.store, since, limit=_MAX_FOLLOW)
        if len(records) >= _MAX_FOLLOW:
            return False
        touched: set[str] = set()
        for record in records:
            touched.update(_subjects(record.added))
            touched.update(_subjects(record.removed))
        writer, index = self._writer, self._index
        assert writer is not None and index is not None
        for iri in touched:
            writer.delete_documents_by_term("iri", iri)
        for doc in self._documents(sorted(touched)):
            writer.add_document(doc)
        writer.commit()
        index.reload()
        self._state = _State(heads, ended_at, state.epoch, state.built)
        return True

    def _documents(self, nodes: list[str] | None) -> Iterable[tantivy.Document]:
        """One document per node of a searchable kind (only ``nodes``, when given)."""
        batches: Iterable[list[str] | None] = [None]
        if nodes is not None:
            batches = (nodes[i : i + _BATCH] for i in range(0, len(nodes), _BATCH))
        for batch in batches:
            found: dict[str, tuple[set[str], set[str], set[str]]] = {}
            for row in self.store.select(self._select(batch)):
                kinds, names, descs = found.setdefault(row["s"].value, (set(), set(), set()))
                kinds.update(self._kinds_of.get(row["c"].value, ()))
                if "name" in row:
                    names.add(row["name"].value)
                if "desc" in row:
                    descs.add(row["desc"].value)
            for iri, (kinds, names, descs) in found.items():
                yield tantivy.Document(
                    iri=iri, kind=sorted(kinds), name=sorted(names), desc=sorted(descs)
                )

    def _select(self, nodes: list[str] | None) -> str:
        classes = " ".join(f"<{c}>" for c in sorted(self._kinds_of))
        only = "" if nodes is None else "VALUES ?s { " + " ".join(f"<{n}>" for n in nodes) + " }\n"
        return (
            f"SELECT ?s ?c ?name ?desc WHERE {{\n{only}"
            f"  VALUES ?c {{ {classes} }} ?s a ?c . FILTER(isIRI(?s))\n"
            f"  OPTIONAL {{ ?s <{_RDFS_LABEL}> ?name }}\n"
            f"  OPTIONAL {{ ?s <{DCT.description}> ?desc }}\n}}"
        )


def _subjects(lines: Iterable[str]) -> set[str]:
    """The IRI subjects of N-Quads lines."""
    out: set[str] = set()
    for line in lines:
        if line.startswith("<"):
            out.add(line[1 : line.index(">")])
    return out


_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store, kinds: Mapping[str, Sequence[str]], max_age: float) -> SearchIndex:
    """The one index this process keeps for ``store`` (made at the first call)."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(store)
        if found is None:
            found = _INDEXES[store] = SearchIndex(store, kinds, max_age)
        return found


def invalidate(store: Store) -> None:
    """Rebuild ``store``'s index (if this process keeps one) before its next search."""
    with _INDEXES_LOCK:
        found = _INDEXES.get(store)
    if found is not None:
        found.invalidate()
