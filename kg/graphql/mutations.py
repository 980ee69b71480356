"""GraphQL mutations: validated writes with typed results, and the history (``changes``).

Every mutation needs the bearer write token (``kg.writes.auth``); its result is a ``WriteResult``
union, so expected failures are data, not exceptions::

    WriteSuccess | ValidationFailed | NotFound | Unauthorized | InvalidInput | WriteConflict

Each failure's ``code`` is the one a GraphQL error would carry for it (``KgError.graphql_code``:
``UNAUTHENTICATED`` or ``FORBIDDEN`` for the write token, ``SHACL_VALIDATION_FAILED``...).

``create<Kind>(source, input, citation)`` mints a readable IRI (``id/<kind>/<slug>``) and writes
the node's statements into the named graph of ``source``; ``update<Kind>(id, source, patch,
citation)`` replaces the fields given; ``delete<Kind>(id, source)`` removes the node and the
citations about it (refused with the shapes' messages while other nodes still refer to it);
``recordSource(input)`` writes a source and all its facts in one change. Each is validated on
the nodes it touches and committed as one SPARQL Update (``kg.writes``).

The resolvers read the store, the settings and the request's ``Authorization`` header from the
typed GraphQL context (``kg.graphql.context.Context``). The mutations of each kind are derived
from its declaration (``kg.graphql.types``, ``kg.graphql.write_plans.KINDS``).
"""

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import pyoxigraph as ox
import strawberry
from strawberry.types import Info
from strawberry.utils.str_converters import to_camel_case, to_snake_case

from kg import errors
from kg.graphql import write_inputs as wi
from kg.graphql import write_plans as plans
from kg.graphql import write_values
from kg.graphql.context import Context
from kg.graphql.mapping import iri_of
from kg.writes import commit, history
from kg.writes.auth import require_write_token
from kg.writes.draft import Draft

T = TypeVar("T")

_CODE = "The error code (docs/graphql.md): "


@strawberry.type(description="One SHACL result: which node, which property, which value, why.")
class Violation:
    focus_node: str
    path: str | None
    value: str | None
    message: str
    constraint: str
    shape: str


@strawberry.type(description="The write breaks the shapes; nothing was written.")
class ValidationFailed:
    message: str
    code: str = strawberry.field(description=_CODE + "SHACL_VALIDATION_FAILED.")
    violations: list[Violation]


@strawberry.type(description="A node the write names does not exist; nothing was written.")
class NotFound:
    message: str
    code: str = strawberry.field(description=_CODE + "NOT_FOUND.")
    ids: list[str]


@strawberry.type(
    description="No valid write token was sent, or writes are disabled; nothing was written."
)
class Unauthorized:
    message: str
    code: str = strawberry.field(
        description=_CODE + "UNAUTHENTICATED (no or a wrong token), FORBIDDEN (writes disabled)."
    )
    writes_enabled: bool


@strawberry.type(description="An input value kg cannot use (IRI, date, size); nothing was written.")
class InvalidInput:
    message: str
    code: str = strawberry.field(description=_CODE + "BAD_USER_INPUT.")
    field: str | None


@strawberry.type(
    description="The graph kept changing under this write (a writer outside kg); nothing was "
    "written: retry."
)
class WriteConflict:
    message: str
    code: str = strawberry.field(description=_CODE + "WRITE_CONFLICT.")


@strawberry.type(name="Change", description="One committed write, from the history graph.")
class ChangeRecord:
    id: strawberry.ID
    operation: str
    ended_at: datetime
    source: strawberry.ID | None
    added: list[str] = strawberry.field(description="N-Quads lines the change added.")
    removed: list[str] = strawberry.field(description="N-Quads lines the change removed.")

    @staticmethod
    def of(record: history.ChangeRecord) -> "ChangeRecord":
        return ChangeRecord(
            id=strawberry.ID(record.iri),
            operation=record.operation,
            ended_at=record.ended_at,
            source=strawberry.ID(record.source) if record.source else None,
            added=record.added,
            removed=record.removed,
        )


@strawberry.type(description="The write was validated and committed.")
class WriteSuccess:
    id: strawberry.ID = strawberry.field(description="The node created, updated or deleted.")
    created: list[strawberry.ID] = strawberry.field(description="Nodes minted by the write.")
    change: ChangeRecord


WriteResult = Annotated[
    WriteSuccess | ValidationFailed | NotFound | Unauthorized | InvalidInput | WriteConflict,
    strawberry.union("WriteResult"),
]


I = Info[Context, None]  # noqa: E741


async def _write(
    info: I,
    operation: str,
    plan: Callable[[Draft], Any],
    source: str | None,
) -> WriteResult:
    ctx = info.context
    store, settings = ctx.store, ctx.settings
    try:
        require_write_token(settings, ctx.authorization)
    except (errors.Unauthorized, errors.WritesDisabled) as exc:
        return Unauthorized(
            message=exc.message,
            code=exc.graphql_code,
            writes_enabled=bool(settings.write_token),
        )
    try:
        node = write_values.iri(source, "source") if source is not None else None
        result, done = await asyncio.to_thread(commit.write, store, operation, plan, source=node)
    except errors.ValidationFailed as exc:
        return ValidationFailed(
            message=exc.message,
            code=exc.graphql_code,
            violations=[
                Violation(
                    focus_node=v["focusNode"],
                    path=v["path"],
                    value=v["value"],
                    message=v["message"],
                    constraint=v["constraintComponent"],
                    shape=v["sourceShape"],
                )
                for v in exc.detail["violations"]
            ],
        )
    except errors.NotFound as exc:
        ids = exc.detail.get("nodes") or [exc.detail.get("node")]
        return NotFound(message=exc.message, code=exc.graphql_code, ids=[str(i) for i in ids if i])
    except errors.InputError as exc:
        return InvalidInput(
            message=exc.message, code=exc.graphql_code, field=exc.detail.get("field")
        )
    except errors.WriteConflict as exc:
        return WriteConflict(message=exc.message, code=exc.graphql_code)
    change = done.change
    record = history.ChangeRecord(
        iri=done.change_iri,
        operation=operation,
        ended_at=done.at,
        source=change.source.value if change.source else None,
        added=history.nquad_lines(change.add),
        removed=history.nquad_lines(change.remove),
    )
    main = result[0] if isinstance(result, tuple) else result
    return WriteSuccess(
        id=strawberry.ID(main.value),
        created=[strawberry.ID(m.value) for m in sorted(change.new_nodes, key=lambda m: m.value)],
        change=ChangeRecord.of(record),
    )


def _quote(citation: wi.CitationInput | None) -> plans.Quote | None:
    return plans.Quote(citation.quote, citation.verbatim, citation) if citation else None


def _node(value: str, name: str) -> ox.NamedNode:
    return write_values.iri(value, name)


# ---------------------------------------------------------------- resolvers per kind


def _a(noun: str) -> str:
    vowel = noun[0] in "aeiou" and not noun.startswith("uni")  # "an unnamed group", "a unit"
    return f"an {noun}" if vowel else f"a {noun}"


def _creator(kind: plans.Kind, input_type: type) -> Any:
    async def create(
        info: I,
        source: strawberry.ID,
        input: input_type,  # type: ignore[valid-type]
        citation: wi.CitationInput | None = None,
    ) -> WriteResult:
        def plan(draft: Draft) -> ox.NamedNode:
            return plans.create(draft, kind, input.label, input, _quote(citation))  # type: ignore[attr-defined]

        return await _write(info, f"create{kind.name}", plan, source)

    return strawberry.mutation(resolver=create, description=f"Create {_a(kind.noun)}.")


def _updater(kind: plans.Kind, patch_type: type) -> Any:
    async def update(
        info: I,
        id: strawberry.ID,
        source: strawberry.ID,
        patch: patch_type,  # type: ignore[valid-type]
        citation: wi.CitationInput | None = None,
    ) -> WriteResult:
        def plan(draft: Draft) -> ox.NamedNode:
            node = _node(id, "id")
            label = patch.label  # type: ignore[attr-defined]
            return plans.update(draft, kind, node, label, patch, _quote(citation))

        return await _write(info, f"update{kind.name}", plan, source)

    return strawberry.mutation(
        resolver=update,
        description=f"Update {_a(kind.noun)}: fields left out keep their values, null clears one.",
    )


def _deleter(kind: plans.Kind) -> Any:
    async def delete(
        info: I, id: strawberry.ID, source: strawberry.ID | None = None
    ) -> WriteResult:
        def plan(draft: Draft) -> ox.NamedNode:
            return plans.delete(draft, kind, _node(id, "id"))

        return await _write(info, f"delete{kind.name}", plan, source)

    return strawberry.mutation(
        resolver=delete,
        description=f"Delete {_a(kind.noun)} and the citations about it "
        "(refused while other nodes refer to it).",
    )


async def record_source(info: I, input: wi.SourceInput) -> WriteResult:
    """Record a source and every fact resting on it, all in one validated change."""
    facts = []
    for i, fact in enumerate(input.facts):
        given = [(name, getattr(fact, name)) for name in wi.FACT_KINDS if getattr(fact, name)]
        if len(given) != 1:
            names = ", ".join(to_camel_case(name) for name in wi.FACT_KINDS)
            return InvalidInput(
                message=f"facts[{i}]: give exactly one node (one of {names})",
                code=errors.InputError.graphql_code,
                field=f"facts[{i}]",
            )
        name, values = given[0]
        kind = plans.KINDS[wi.FACT_KINDS[name]]
        facts.append(plans.Fact(kind, values.label, values, fact.key, _quote(fact.quote)))
    label = input.label or input.title

    def plan(draft: Draft) -> tuple[ox.NamedNode, list[ox.NamedNode]]:
        draft.use_source(draft.mint("source", label))
        return plans.record_source(
            draft,
            label=label,
            title=input.title,
            publisher=input.publisher,
            date_published=input.date_published,
            url=input.url,
            kind=input.kind.value,
            role=input.role.value,
            source_text=input.text,
            reported_text=input.reported_text,
            facts=facts,
        )

    return await _write(info, "recordSource", plan, None)


def _mutation_fields() -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, kind in plans.KINDS.items():
        create_input, patch = wi.INPUTS[name]
        fields[f"create_{to_snake_case(name)}"] = _creator(kind, create_input)
        fields[f"update_{to_snake_case(name)}"] = _updater(kind, patch)
        fields[f"delete_{to_snake_case(name)}"] = _deleter(kind)
    fields["record_source"] = strawberry.mutation(
        resolver=record_source,
        description="Record a source (title, publisher, date, URL) with the facts resting on it: "
        "all of it is written or none.",
    )
    return fields


Mutation = strawberry.type(
    type("Mutation", (), _mutation_fields()),
    description="Validated writes. Each needs 'Authorization: Bearer <KG_WRITE_TOKEN>'.",
)


async def changes(
    info: I,
    since: datetime | None = None,
    after: strawberry.ID | None = None,
    limit: int = 100,
) -> list[ChangeRecord]:
    """Committed writes after ``since`` (all when left out), oldest first."""
    found = await asyncio.to_thread(
        history.changes,
        info.context.store,
        since,
        after=iri_of(str(after)) if after else None,
        limit=limit,
    )
    return [ChangeRecord.of(r) for r in found]


@strawberry.type
class HistoryQuery:
    """Query fields for the history; merged into the read API's ``Query``."""

    changes: list[ChangeRecord] = strawberry.field(
        resolver=changes,
        description="Committed writes, oldest first (by time, then id): those after `since` "
        f"when given, at most `limit` (1 to {history.MAX_CHANGES}, default 100). For the next "
        "page pass the last change's `id` as `after`; an empty page is the end.",
    )
