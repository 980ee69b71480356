"""The embedded store: pyoxigraph, on disk (transactional), in a temporary directory, or in memory.

* Queries see the union of all named graphs as their default graph, unless the caller names the
  dataset (``default_graph_uris`` / ``named_graph_uris``, as the SPARQL protocol does).
* A query with a time limit runs in a query worker process that is killed at the deadline
  (``kg.store.querypool``: a supervised pool of spawned, sandboxed workers reading a snapshot of
  the store), because pyoxigraph cannot cancel a running query. Without a limit (kg's own
  tools, validation), or for a store in memory (kg's scratch copies), it runs in this process.
* Updates run on a dedicated thread without network (``kg.store.sandbox``).
* Every write is one pyoxigraph transaction: all of it or none of it. A large load
  (``bulk_load``) into an on-disk store builds the next generation with pyoxigraph's bulk loader
  and publishes it with one atomic rename (``kg.store.generations``); a store in memory or in a
  plain database directory stages it in memory and adds it in one transaction
  (``kg.store.staging``).
* ``EmbeddedStore.temporary()`` (the location ``memory``) is an on-disk store in a temporary
  directory removed when it is closed or the process ends, so its queries are bounded as well.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, StoreUnavailable, ValidationFailed
from kg.model import rdf
from kg.model.namespaces import PREFIXES
from kg.store import bulk, generations, querypool, sandbox, staging
from kg.store.export import stream_writer
from kg.store.generations import Generation
from kg.store.protocol import (
    Admit,
    BulkFile,
    BulkLoaded,
    Check,
    Progress,
    ResultQueries,
    Row,
    replace_update,
)
from kg.store.querypool import Outcome
from kg.store.results import Result, releasing, rows_of

#: A large load into a store holding at most this many quads copies them into the new
#: generation; above it, the new generation starts as a checkpoint of the current one.
COPY_INTO_STAGE = 200_000


class EmbeddedStore(ResultQueries):
    """A pyoxigraph store at ``path`` (a directory), or in memory when ``path`` is None."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        #: Held by every write, and while a snapshot is taken: pyoxigraph's ``backup`` (and
        #: ``flush``) beside a write in another thread deadlock (holding the GIL meanwhile).
        self._write_lock = threading.Lock()
        #: Writes committed through this object (a load checks nothing changed meanwhile; a
        #: timed query takes a new snapshot when it has changed).
        self.writes = 0
        #: The generation directory in use (None: in memory, or a plain database directory).
        self.generation: Path | None = None
        #: The snapshots the query workers read (None: timed queries run in this process).
        self.snapshots: querypool.Snapshots | None = None
        if path is None:
            self._store = ox.Store()
            return
        location = Path(path)
        try:
            if generations.is_plain_database(location):
                self._store = ox.Store(path)
                snapshots = location.with_name(f"{location.name}.snapshots")
            else:
                self.generation = generations.current(location)
                self._store = ox.Store(str(self.generation))
                generations.remove_others(location, self.generation)
                snapshots = location / "snapshots"
            self.snapshots = querypool.Snapshots(snapshots)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot open the store at {path}: {exc} "
                "(is another kg process using it? stop it or use its HTTP endpoint)",
                location=path,
            ) from exc

    @classmethod
    def temporary(cls) -> EmbeddedStore:
        """An on-disk store in a new temporary directory, removed when the store is closed or
        this process ends (the location ``memory``)."""
        where = tempfile.mkdtemp(prefix="kg-memory-")
        store = cls(where)
        store._finalizer = weakref.finalize(store, shutil.rmtree, where, True)
        return store

    _finalizer: weakref.finalize[Any, Any] | None = None

    @property
    def oxigraph(self) -> ox.Store:
        """The underlying pyoxigraph store (for in-process tools: the benchmarks)."""
        return self._store

    # -- queries ---------------------------------------------------------------------------

    def evaluate(
        self,
        query: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> Result:
        """Run a read query into a Result: by a query worker when ``timeout`` is set (see the
        module docs), else in this process."""
        if timeout is None or self.snapshots is None:
            return querypool.evaluate(
                self._store, query, default_graph_uris, named_graph_uris, max_results
            )
        with self.snapshots.use(self.writes, self._snapshot) as snapshot:
            return querypool.run(
                snapshot,
                query,
                default_graph_uris=default_graph_uris,
                named_graph_uris=named_graph_uris,
                max_results=max_results,
                timeout=timeout,
            )

    def _snapshot(self, path: Path) -> None:
        """Copy the store as it is now to ``path`` (a RocksDB checkpoint: hard links); waits
        for a write in progress."""
        with self._write_lock:
            try:
                self._store.backup(str(path))
            except OSError as exc:
                raise StoreUnavailable(f"cannot snapshot the store for a query: {exc}") from exc

    def select(
        self, query: str, *, timeout: float | None = None, max_results: int | None = None
    ) -> list[Row]:
        if timeout is not None and self.snapshots is not None:
            return self.evaluate(query, timeout=timeout, max_results=max_results).rows()
        # In process: read the solutions directly, without serializing them on the way.

        @releasing
        def read(found: Outcome) -> list[Row]:
            if not isinstance(found, ox.QuerySolutions):
                raise QueryError("expected a SELECT query")
            try:
                return rows_of(found, max_results)
            except (OSError, ValueError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from exc

        return read(querypool.outcome(self._store, query, None, None))

    # -- writes ----------------------------------------------------------------------------

    def update(self, update: str) -> None:
        with self._write_lock:
            try:
                # On the thread without network: no LOAD or SERVICE can call out (kg.store.sandbox).
                sandbox.offline(lambda: self._store.update(update))
            except sandbox.SandboxError as exc:
                raise StoreUnavailable(f"the update was not run: {exc}") from exc
            except SyntaxError as exc:
                raise QueryError(f"SPARQL Update syntax error: {exc}") from exc
            except (ValueError, RuntimeError) as exc:
                raise QueryError(f"the update failed: {exc}") from exc
            except OSError as exc:
                raise StoreUnavailable(f"the update failed: {exc}") from exc
            finally:
                self.writes += 1  # after the commit: a snapshot taken from now on holds it

    def add_quads(self, quads: Iterable[ox.Quad], *, replace_graphs: Iterable[str] = ()) -> int:
        items = list(quads)
        with self._write_lock:
            existing = [g for g in replace_graphs if self._has_graph(g)]
            try:
                if not existing:
                    self._store.extend(items)  # one transaction
                else:
                    # One update is one transaction: the drops and the insert commit together.
                    self._store.update(replace_update(items, existing))
            except OSError as exc:
                raise StoreUnavailable(f"the write failed: {exc}") from exc
            finally:
                self.writes += 1
        return len(items)

    def _has_graph(self, graph: str) -> bool:
        return self._store.contains_named_graph(ox.NamedNode(graph))

    # -- large loads: build the next generation, validate it, publish it atomically --------

    def bulk_load(
        self,
        files: Sequence[BulkFile],
        *,
        admit: Admit,
        check: Check,
        progress: Progress | None = None,
    ) -> BulkLoaded:
        """``Store.bulk_load``: into the next generation of an on-disk store; a store without
        generations (in memory, a plain database) stages the files in memory instead."""
        if self.generation is None:
            return staging.load_staged(
                self, files, admit=admit, check=check, progress=progress, scratch=self.wrap
            )
        return self._load_generation(files, admit, check, progress)

    def _load_generation(
        self, files: Sequence[BulkFile], admit: Admit, check: Check, progress: Progress | None
    ) -> BulkLoaded:
        """Into the next generation, checked as the whole store it will be.

        When the store holds little (at most ``COPY_INTO_STAGE`` statements), the files are also
        parsed into memory, alongside, and that copy (with what the store keeps) is checked as
        soon as it is parsed, while the on-disk generation is still being built: several times
        faster than reading the generation on disk. Should the store change meanwhile, or hold
        more, the check reads the built generation itself.
        """
        started = time.perf_counter()
        assert self.path is not None
        staged = Generation.begin(Path(self.path))
        targets = [bulk.Target(staged.store, chunked=True)]
        loaded = BulkLoaded(0, [])
        #: The early check's outcome: None (passed) or its refusal, raised at the commit.
        early: list[ValidationFailed | None] = []
        writes = self.writes
        if self.count() <= COPY_INTO_STAGE:
            memory = ox.Store()

            def check_memory() -> None:
                began = time.perf_counter()
                new = {g.value for g in memory.named_graphs() if isinstance(g, ox.NamedNode)}
                memory.bulk_extend(self.quads_outside(new))  # what stays beside the new data
                try:
                    check(EmbeddedStore.wrap(memory), None)
                    early.append(None)
                except ValidationFailed as refused:
                    early.append(refused)
                loaded.validate_seconds = time.perf_counter() - began

            # The whole-file parse first: its parse errors name the line in the file.
            targets.insert(0, bulk.Target(memory, chunked=False, then=check_memory))
        try:
            bulk.parse_files(targets, files, progress)
            staged.store.flush()
            rdf.check_store_literals(staged.store, bulk.names(files))
            # No pyoxigraph iterator kept in a variable: a traceback holding this frame would
            # drop it on another thread, which pyoxigraph refuses.
            loaded.graphs = sorted(
                g.value for g in staged.store.named_graphs() if isinstance(g, ox.NamedNode)
            )
            admit(loaded.graphs)
        except BaseException:
            staged.discard()
            raise
        loaded.triples = len(staged.store)
        loaded.parse_seconds = time.perf_counter() - started
        loaded.validated_during_parse = bool(early)

        def check_built(built: EmbeddedStore) -> None:
            if not early or self.writes != writes:
                began = time.perf_counter()
                loaded.validated_during_parse = False
                check(built, None)
                loaded.validate_seconds = time.perf_counter() - began
            elif early[0] is not None:
                raise early[0]

        started = time.perf_counter()
        self._publish_generation(staged, replace_graphs=loaded.graphs, check=check_built)
        loaded.commit_seconds = time.perf_counter() - started
        if not loaded.validated_during_parse:
            loaded.commit_seconds -= loaded.validate_seconds
        return loaded

    def _publish_generation(
        self,
        staged: Generation,
        *,
        replace_graphs: Iterable[str],
        check: Callable[[EmbeddedStore], None],
    ) -> None:
        """Merge ``staged`` with the current data (minus ``replace_graphs``), let ``check``
        validate the result (it raises to refuse), then publish it with one atomic rename.

        Readers keep seeing the current generation until the rename; a process killed before
        it leaves the current generation untouched (the unpublished one is removed at the next
        open). Writes of this process wait meanwhile. ``staged`` is consumed either way.
        """
        assert self.path is not None
        location = Path(self.path)
        if self.snapshots is not None:
            # Bring the query workers' snapshot up to date first: a query would otherwise wait
            # for this whole write to take one (a snapshot waits for the write in progress).
            with self.snapshots.use(self.writes, self._snapshot):
                pass
        with self._write_lock:
            built: Generation | None = None
            view: EmbeddedStore | None = None
            try:
                built = self._merge(staged, set(replace_graphs), location)
                view = EmbeddedStore.wrap(built.store)
                check(view)
                built.store.flush()
            except BaseException:
                # The exception's traceback keeps ``check``'s frame, and with it the view: drop
                # its handle, or RocksDB would still write into the directory removed below.
                if view is not None:
                    view._store = ox.Store()
                staged.discard()
                if built is not None:
                    built.discard()
                raise
            generations.publish(location, built.path)
            self._store, self.generation = built.store, built.path
            self.writes += 1
            generations.remove_others(location, built.path)

    def quads_outside(self, graphs: set[str]) -> Iterator[ox.Quad]:
        """Every quad the store holds, but those in the named ``graphs``."""
        for q in self._store:
            if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in graphs):
                yield q

    @classmethod
    def wrap(cls, store: ox.Store) -> EmbeddedStore:
        """An EmbeddedStore view of an open pyoxigraph store (a generation being built, or
        data staged in memory); its queries run in this process."""
        view = cls(None)
        view._store = store
        return view

    def _merge(self, staged: Generation, replaced: set[str], location: Path) -> Generation:
        """The next generation: ``staged`` plus the current data outside ``replaced``."""
        if self.is_empty():
            return staged
        if len(self._store) <= COPY_INTO_STAGE:
            # Little data now: copy what stays into the new generation.
            staged.store.bulk_extend(self.quads_outside(replaced))
            return staged
        # Much data now: start from a checkpoint of it (hard links) and add the new data.
        built = Generation.checkpoint(self._store, generations.next_generation(location))
        try:
            for graph in replaced:
                if built.store.contains_named_graph(ox.NamedNode(graph)):
                    built.store.remove_graph(ox.NamedNode(graph))
            spill = generations.spill_file(built.path)
            try:
                staged.store.dump(str(spill), ox.RdfFormat.N_QUADS)
                staged.discard()
                built.store.bulk_load(path=str(spill), format=ox.RdfFormat.N_QUADS)
            finally:
                spill.unlink(missing_ok=True)
        except BaseException:
            built.discard()
            raise
        return built

    # -- reading the whole store -------------------------------------------------------------

    def dump(self, fmt: ox.RdfFormat, *, graph: str | None = None) -> Iterator[bytes]:
        store = self._store
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None

        def write(sink: Any) -> None:
            if graph is None and fmt.supports_datasets:
                store.dump(sink, fmt, prefixes=prefixes)
            elif graph is None:
                triples = (q.triple for q in store.quads_for_pattern(None, None, None, None))
                ox.serialize(triples, sink, fmt, prefixes=prefixes)
            else:
                name: ox.NamedNode | ox.DefaultGraph = (
                    ox.DefaultGraph() if graph == "default" else ox.NamedNode(graph)
                )
                if fmt.supports_datasets:
                    quads = store.quads_for_pattern(None, None, None, name)
                    ox.serialize(quads, sink, fmt, prefixes=prefixes)
                else:
                    store.dump(sink, fmt, from_graph=name, prefixes=prefixes)

        return stream_writer(write)

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, None)), None) is None

    @property
    def sorts_pages(self) -> bool:
        return True

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._store)
        name: ox.NamedNode | ox.DefaultGraph = (
            ox.DefaultGraph() if graph == "default" else ox.NamedNode(graph)
        )
        return sum(1 for _ in self._store.quads_for_pattern(None, None, None, name))

    def close(self) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):
                self._store.flush()
        self._store = ox.Store()  # drop the on-disk handle so the directory can be reopened
        if self.snapshots is not None:
            self.snapshots.close()
        if self._finalizer is not None:
            self._finalizer()  # a temporary store: its directory goes
