"""The commands beside a running ``kg serve``: its HTTP endpoints, in place of the store it
holds.

An embedded on-disk store is opened by one process at a time; while ``kg serve`` holds it, the
commands find the service from the record it keeps beside the store (``kg.store.serving``) and:

* ``kg sparql``, ``kg export``, ``kg validate`` read the store through the service's
  SPARQL endpoint and Graph Store Protocol (``kg.store.opening.served_store``): the same guard
  and limits as any client, and the service's current state (a snapshot would miss the writes
  committed since it was taken);
* ``kg query`` posts the document to ``/graphql`` (``--explain`` runs it here, over the
  service's SPARQL endpoint, to show the SPARQL it generates);
* ``kg load`` sends the parsed files as one N-Quads body to ``PUT /store``, the service's write
  path (validated, recorded in the history), with the write token.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click
import httpx
import pyoxigraph as ox

from kg.errors import (
    KgError,
    PayloadTooLarge,
    StoreUnavailable,
    Unauthorized,
    ValidationFailed,
    WritesDisabled,
    for_status,
)
from kg.graphql.schema import execute
from kg.settings import Settings
from kg.store import opening
from kg.store.protocol import Store
from kg.store.serving import Service
from kg.validation.validate import Report, Violation

#: Seconds to wait for the service's answer (its own limits stop a query sooner).
TIMEOUT = 600.0


def note(service: Service, location: str) -> str:
    """What the commands say on standard error when they go through the service."""
    return f"kg: the store {location} is held by kg serve (pid {service.pid}); using {service.url}"


def answer(
    settings: Settings,
    document: str,
    variables: dict[str, Any] | None,
    *,
    explain: bool,
    log_to: list[str],
) -> dict[str, Any]:
    """``kg query``: the answer to a GraphQL document over the store the settings name, or from
    the running ``kg serve`` holding it (with ``explain``, run here over its SPARQL endpoint,
    the SPARQL it generates in ``log_to``)."""
    found = opening.open_or_served(settings)
    if isinstance(found, Service):
        click.echo(note(found, settings.store_location), err=True)
        if not explain:
            return graphql(found, document, variables)
        found = opening.served_store(found)
    try:
        return execute(found, settings, document, variables, log_to=log_to)
    finally:
        found.close()


def graphql(service: Service, document: str, variables: dict[str, Any] | None) -> dict[str, Any]:
    """The service's GraphQL answer (``data``, ``errors``) to ``document``."""
    response = _send(
        service,
        "POST",
        "/graphql",
        json={"query": document, "variables": variables},
        headers={"Accept": "application/json"},
    )
    answer = response.json()
    if not isinstance(answer, dict) or not ({"data", "errors"} & answer.keys()):
        raise _error(response)
    return answer


def load(service: Service, quads: Iterable[ox.Quad], token: str | None) -> dict[str, Any]:
    """Load ``quads`` (each in a named graph) through the service's writer: ``PUT /store``,
    replacing the graphs they name, in one validated write. Its summary as JSON."""
    body = ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b""
    headers = {"Content-Type": "application/n-quads", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = _send(service, "PUT", "/store", content=body, headers=headers)
    if response.status_code == PayloadTooLarge.status:
        limit = _detail(response).get("max_body")
        raise PayloadTooLarge(
            f"the load is {len(body):,} bytes as N-Quads, more than the service at {service.url} "
            f"accepts in one request (its max_body: {limit:,} bytes). Load smaller files, or "
            "restart the service with a larger KG_MAX_BODY, or stop it and load into the store "
            "directly (large loads take the bulk path there)"
            if isinstance(limit, int)
            else f"the load is {len(body):,} bytes, more than the service accepts (max_body)",
            max_body=limit,
        )
    if not response.is_success:
        raise _error(response)
    summary: dict[str, Any] = response.json()
    return summary


def _send(service: Service, method: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        return httpx.request(method, f"{service.url}{path}", timeout=TIMEOUT, **kwargs)
    except httpx.TransportError as exc:
        raise StoreUnavailable(
            f"the store is held by kg serve (pid {service.pid}), which does not answer at "
            f"{service.url}: {exc}. Wait until it has started, or stop it"
        ) from exc


def _detail(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error(response: httpx.Response) -> KgError:
    """The kg error a refusal of the service stands for, with its message."""
    detail = _detail(response)
    message = str(detail.get("message") or response.text.strip()[:2000] or response.reason_phrase)
    status = response.status_code
    if status == Unauthorized.status:
        return Unauthorized(f"{message} (kg load --token, or KG_WRITE_TOKEN)")
    if status == WritesDisabled.status:
        return WritesDisabled(message)
    if status == ValidationFailed.status:
        violations = detail.get("violations") or []
        report = Report(conforms=False, violations=[_violation(v) for v in violations])
        return ValidationFailed(f"{message}\n{report.to_text()}", violations=violations)
    return for_status(status, message)


def _violation(v: dict[str, Any]) -> Violation:
    return Violation(
        focus=str(v.get("focusNode")),
        path=v.get("path"),
        value=v.get("value"),
        message=str(v.get("message")),
        component=str(v.get("constraintComponent")),
        shape=str(v.get("sourceShape")),
        severity=str(v.get("severity") or "Violation"),
    )


def reading(settings: Settings, *, seeded: bool = True) -> Store:
    """The store the settings name to read (``kg.store.opening.open_or_served``), or, while a
    running ``kg serve`` holds it, the store read through that service (said on stderr)."""
    found = opening.open_or_served(settings, seeded=seeded)
    if isinstance(found, Service):
        click.echo(note(found, settings.store_location), err=True)
        return opening.served_store(found)
    return found
